"""Signing in to the staff web console the way a person does: /web in the sandbox chat, then the link."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.webapp.app import create_web_app
from bot.webapp.console.auth import COOKIE
from storage.console import csrf_token
from testing.client import Sandbox, User

LINK = re.compile(r"https://bot\.example\.org/console/login\?t=([A-Za-z0-9_-]+)")


async def web_link(box: Sandbox, user: User) -> str:
    """The token of the sign-in link the bot sends ``user`` for /web (fails when there is none)."""
    calls = await box.send(user, "/web")
    found = [m.group(1) for c in calls if (m := LINK.search(c.text))]
    assert found, f"no sign-in link in {[c.text for c in calls]}"
    return found[0]


async def sign_in(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/console/login", data={"t": token})


def csrf_of(client: httpx.AsyncClient) -> str:
    return csrf_token(client.cookies.get(COOKIE, path="/console") or "")


@pytest.fixture
async def browser_like(web_box: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """An https client (the session cookie is Secure) against the real app, in-process."""
    app = create_web_app(web_box.app, web_box.services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://127.0.0.1",
                                 headers={"Accept-Language": "en"}) as c:
        yield c
