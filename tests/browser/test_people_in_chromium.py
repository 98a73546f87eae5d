"""Console people and exports pages in headless Chromium (issue 13 §6, §7): an invitation's link and QR code,
and the workbook prepared in the background behind a page that refreshes itself (no script)."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

import openpyxl
from sqlmodel import select

from bot.services import FixedClock
from storage.models import Person, Role
from testing.client import Sandbox, User, joined
from tests.browser.support import shot, sign_in
from tests.security.support import STAFF_EN, seed

if TYPE_CHECKING:
    from playwright.async_api import Browser



async def test_invite_a_manager_with_a_link_and_qr_then_prepare_the_workbook(web_box: Sandbox, clock: FixedClock,
                                                                             served: str, browser: Browser) -> None:
    world = await seed(web_box.services.db)
    async with web_box.services.db.session() as session:
        staff = (await session.exec(select(Person).where(Person.telegram_user_id == STAFF_EN.id))).one()
        staff.language = "zh_Hans"
        session.add(staff)
        await session.commit()
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = await context.new_page()
    await sign_in(page, web_box, served)
    await page.click("header a[href='/console/people']")
    await shot(page, "people-00-list")
    await page.select_option("#invite-role", "liaison")
    await page.fill("#invite-station", str(world.station_b.id))
    await page.click("#invite")
    qr = page.locator("#invite-qr svg")
    box = await qr.bounding_box()
    assert box is not None and box["width"] >= 100  # a scannable size on a laptop screen
    link = await page.locator("#invite-link").inner_text()
    await shot(page, "people-01-invitation-with-qr")
    token = re.search(r"start=([\w-]+)", link).group(1)  # type: ignore[union-attr]
    newcomer = User(5101, "Wu", "zh-CN")
    assert world.station_b.name in joined(await web_box.send(newcomer, f"/start {token}"))
    async with web_box.services.db.session() as session:
        liaison = (await session.exec(select(Person).where(Person.telegram_user_id == newcomer.id))).one()
    assert (liaison.role, liaison.station_id) == (Role.liaison.value, world.station_b.id)

    await page.click("header a[href='/console/exports']")
    await page.click("#prepare-workbook")
    assert await page.locator("#download-status").get_attribute("data-status") == "preparing"
    await page.wait_for_selector("#download", timeout=60_000)  # the page refreshed itself until the file was ready
    await shot(page, "people-02-workbook-ready")
    async with page.expect_download() as waiting:
        await page.click("#download")
    download = await waiting.value
    path = await download.path()
    assert path is not None
    book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    assert len(book.sheetnames) >= 4
    await context.close()
