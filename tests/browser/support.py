"""Helpers of the browser tests: screenshots (a CI artifact) and signing in by a fresh /web link."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from testing.client import Sandbox
from tests.security.support import STAFF_EN

if TYPE_CHECKING:
    from playwright.async_api import Page

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def link_for(box: Sandbox, base: str) -> str:
    calls = await box.send(STAFF_EN, "/web")
    found = [m.group(0) for c in calls if (m := re.search(re.escape(base) + r"/console/login\?t=[\w-]+", c.text))]
    assert found, [c.text for c in calls]
    return found[0]


async def sign_in(page: Page, box: Sandbox, served: str) -> None:
    """Open a fresh /web link and press Sign in; the console lands on its overview."""
    await page.goto(await link_for(box, served))
    await page.click("#sign-in")
    await page.wait_for_url(f"{served}/console/")
