"""The staff web console in a real browser (issue 13): Debian's headless Chromium driven by Playwright.

The app is served by uvicorn on 127.0.0.1 inside the test's event loop, so the sandbox bot, the clock
and the database are the test's own. Each test saves screenshots under ``test-artifacts/console/``
(a CI artifact). Chromium finds the pip-installed CJK font through ``bot.fonts.fontconfig_env``, so
the Chinese pages render without a system font package. Without /usr/bin/chromium or the playwright
package these tests are skipped, and the pytest header says so loudly (tests/conftest.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlmodel import select

from bot.fonts import fontconfig_env
from bot.services import FixedClock
from bot.webapp.app import create_web_app
from storage.models import Person, Submission
from testing.client import Sandbox
from tests.browser import CHROMIUM, browser_available
from tests.security.support import STAFF_EN, seed

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
pytestmark = pytest.mark.skipif(not browser_available(),
                                reason="browser tests need Debian's chromium (/usr/bin/chromium) and playwright")
if browser_available():
    from playwright.async_api import Browser, Page, async_playwright


@pytest.fixture
async def served(web_box: Sandbox) -> AsyncIterator[str]:
    """The real app on a 127.0.0.1 port; /web links point at it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    web_box.services.settings = web_box.services.settings.model_copy(update={"console_url": base})
    app = create_web_app(web_box.app, web_box.services)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    # The socket already listens: the browser's first connection waits in its backlog until serve() accepts.
    yield base
    server.should_exit = True
    await task
    sock.close()


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Browser]:
    env: dict[str, str | float | bool] = {**os.environ, **fontconfig_env(tmp_path / "fonts")}
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, env=env)
        yield launched
        await launched.close()


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def link_for(box: Sandbox, base: str) -> str:
    calls = await box.send(STAFF_EN, "/web")
    found = [m.group(0) for c in calls if (m := re.search(re.escape(base) + r"/console/login\?t=[\w-]+", c.text))]
    assert found, [c.text for c in calls]
    return found[0]


async def world_on_2_march(box: Sandbox, clock: FixedClock) -> Any:
    """seed 000 第十二条 (plan and summary due before 1 March): Alpha has filed both, Bravo nothing."""
    db = box.services.db
    world = await seed(db)
    async with db.session() as session:
        session.add_all([Submission(station_id=world.station_a.id, kind="plan", year=2027),
                         Submission(station_id=world.station_a.id, kind="summary", year=2026)])
        staff = (await session.exec(select(Person).where(Person.telegram_user_id == STAFF_EN.id))).one()
        staff.language = "zh_Hans"
        session.add(staff)
        await session.commit()
    clock.set(dt.datetime(2027, 3, 2, 9, 0, tzinfo=clock().tzinfo))
    return world


async def test_sign_in_by_link_then_a_reused_link_is_refused(web_box: Sandbox, clock: FixedClock, served: str,
                                                              browser: Browser) -> None:
    await world_on_2_march(web_box, clock)
    link = await link_for(web_box, served)
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await page.goto(link)
    await shot(page, "01-sign-in")
    await page.click("#sign-in")
    await page.wait_for_url(f"{served}/console/")
    assert await page.locator("h1").inner_text() == "概览"
    assert "Bravo Textile Station" not in await page.content()  # the overview counts, it does not list
    await shot(page, "02-overview")
    cookies = await context.cookies()
    session_cookie = next(c for c in cookies if c["name"] == "stationbot_console")
    assert session_cookie["httpOnly"] and session_cookie["secure"] and session_cookie["sameSite"] == "Lax"
    other = await browser.new_context(locale="zh-CN")  # not signed in: the browser's language
    second = await other.new_page()
    await second.goto(link)
    await second.click("#sign-in")
    assert "已被使用" in await second.locator("#message").inner_text()
    assert not [c for c in await other.cookies() if c["name"] == "stationbot_console"]
    await shot(second, "03-reused-link-refused")
    await other.close()
    await context.close()


async def test_find_an_overdue_station_by_filter_and_sign_out(web_box: Sandbox, clock: FixedClock, served: str,
                                                              browser: Browser) -> None:
    await world_on_2_march(web_box, clock)
    link = await link_for(web_box, served)
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await page.goto(link)
    await page.click("#sign-in")
    await page.wait_for_url(f"{served}/console/")
    await page.goto(f"{served}/console/stations")
    rows = page.locator("#stations tr")
    assert await rows.count() == 3  # header + Alpha + Bravo
    await page.select_option("select[name=overdue]", "1")
    await page.click("#apply-filters")
    await page.wait_for_url(re.compile(r".*overdue=1.*"))
    table = await page.locator("#stations").inner_text()
    assert "Bravo Textile Station" in table and "Alpha Porcelain" not in table
    await shot(page, "04-stations-overdue-filter")
    await page.click("text=Bravo Textile Station")
    assert await page.locator("h1").inner_text() == "Bravo Textile Station"
    assert "Bob" in await page.locator("#people").inner_text()
    await shot(page, "05-station-page")
    phone = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                      storage_state=await context.storage_state())
    small = await phone.new_page()
    await small.goto(f"{served}/console/stations?overdue=1")
    assert "Bravo Textile Station" in await small.locator("#stations").inner_text()
    await shot(small, "06-stations-on-a-phone")
    await phone.close()
    await page.click("header button")  # sign out (a form with the CSRF token)
    assert "已退出登录" in await page.locator("#message").inner_text()
    await shot(page, "07-signed-out")
    answer = await page.goto(f"{served}/console/stations")
    assert answer is not None and answer.status == 401
    await context.close()
