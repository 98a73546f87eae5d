"""The staff web console in a real browser (issue 13): Debian's headless Chromium driven by Playwright.

The app is served by uvicorn on 127.0.0.1 inside the test's event loop, so the sandbox bot, the clock
and the database are the test's own. Each test saves screenshots under ``test-artifacts/console/``
(a CI artifact). Chromium finds the pip-installed CJK font through ``bot.fonts.fontconfig_env``, so
the Chinese pages render without a system font package. Without /usr/bin/chromium or the playwright
package these tests are skipped and the pytest header says so loudly; under CI that is a failure
(tests/browser/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from sqlmodel import select

from bot.services import FixedClock
from storage.models import Person, Submission
from testing.client import Sandbox
from tests.browser.support import link_for, shot, sign_in
from tests.security.support import STAFF_EN, seed

if TYPE_CHECKING:
    from playwright.async_api import Browser


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
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await sign_in(page, web_box, served)
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
