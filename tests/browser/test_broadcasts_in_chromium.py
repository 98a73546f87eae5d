"""Compose and send a broadcast to a filtered audience in headless Chromium (issue 13 §5).

The recipient count follows the audience as it changes (the console's script asks
/console/broadcasts/count), each person counted once; after sending, the delivery report lists the
recipients, the outbox dispatcher delivers to their sandbox chats, and the report says so. Without a
script the "Count recipients" button gives the same figure. Screenshots go to ``test-artifacts/console/``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlmodel import select

from bot.services import FixedClock
from storage.models import Person, Role, Station
from testing.client import Sandbox
from tests.browser.support import link_for, shot, sign_in
from tests.outbox.support import FakeTime, dispatcher
from tests.security.support import CONTACT, MANAGER_A, MANAGER_B, STAFF_EN, seed

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page


TEXT = "请于3月1日前提交年度工作计划。"


async def world(box: Sandbox) -> None:
    """The security seed, plus a third station in 韶关 that Alice also manages (one person, two bindings)."""
    db = box.services.db
    await seed(db)
    async with db.session() as session:
        third = Station(name="Charlie Ceramics Station", policy_profile="gd-quality", region="韶关")
        session.add(third)
        await session.flush()
        session.add(Person(telegram_user_id=MANAGER_A.id, chat_id=MANAGER_A.id, name="Alice", role=Role.manager.value,
                           station_id=third.id, language="en"))
        staff = (await session.exec(select(Person).where(Person.telegram_user_id == STAFF_EN.id))).one()
        staff.language = "zh_Hans"
        session.add(staff)
        await session.commit()


async def count_becomes(page: Page, n: int) -> None:
    """Wait until the live count shows ``n`` (the script refreshes it after each change)."""
    await page.wait_for_function("n => (document.getElementById('recipient-count').textContent.match(/\\d+/) || [''])[0]"
                                 " === String(n)", arg=n, timeout=10_000)


async def test_compose_and_send_to_a_filtered_audience(web_box: Sandbox, clock: FixedClock, served: str,
                                                       browser: Browser) -> None:
    await world(web_box)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await sign_in(page, web_box, served)
    await page.click("header >> text=群发消息")
    await page.wait_for_url(f"{served}/console/broadcasts")
    assert re.search(r"\b2\b", await page.locator("#recipient-count").inner_text())  # Alice (2 stations) and Bob
    await page.fill("textarea[name=text]", TEXT)
    await page.select_option("select[name=region]", "韶关")
    await count_becomes(page, 2)  # Alice's second station and Bob's: still two people
    await page.select_option("select[name=region]", "佛山")
    await count_becomes(page, 1)  # Alice only
    await page.check("input[name=demand_contacts]")
    await count_becomes(page, 2)  # and Carol, the demand-unit contact
    assert "佛山" in await page.locator("#recipient-audience").inner_text()
    await shot(page, "20-broadcast-compose")
    await page.click("#send")
    await page.wait_for_url(re.compile(rf"{re.escape(served)}/console/broadcasts/\d+$"))
    report = await page.locator("#deliveries").inner_text()
    assert "Alice" in report and "Carol" in report and "Bob" not in report
    assert await page.locator("tr.delivery-waiting").count() == 2
    sent = await dispatcher(web_box.services.db, web_box.app.bot, clock, FakeTime(clock)).run_once()
    assert sent.sent == 2
    for user in (MANAGER_A, CONTACT):
        assert [c.text for c in web_box.api.calls_to(user.id)] == [TEXT]
    assert web_box.api.calls_to(MANAGER_B.id) == []
    await page.reload()
    assert await page.locator("tr.delivery-sent").count() == 2
    assert await page.locator("#state").inner_text() == "已完成"
    await shot(page, "21-broadcast-delivery-report")
    await page.goto(f"{served}/console/broadcasts")
    assert TEXT[:10] in await page.locator("#broadcasts").inner_text()
    await context.close()


async def test_the_count_button_works_without_a_script(web_box: Sandbox, served: str, browser: Browser) -> None:
    await world(web_box)
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    await page.goto(await link_for(web_box, served))
    await page.click("#sign-in")
    await page.goto(f"{served}/console/broadcasts")
    await page.select_option("select[name=region]", "佛山")
    await page.check("input[name=staff]")
    await page.click("#count")
    await page.wait_for_url(re.compile(r".*count=1.*"))
    assert re.search(r"\b2\b", await page.locator("#recipient-count").inner_text())  # Alice and the staff member
    assert await page.locator("select[name=region]").input_value() == "佛山"
    await context.close()


async def test_attach_a_document_and_the_recipients_chats_receive_it(web_box: Sandbox, clock: FixedClock, served: str,
                                                                     browser: Browser) -> None:
    """The composer's file field: the chosen PDF reaches each recipient's sandbox chat with the text as caption."""
    await world(web_box)
    pdf = b"%PDF-1.4 the plan template\n" + bytes(range(256)) * 8
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await sign_in(page, web_box, served)
    await page.goto(f"{served}/console/broadcasts")
    await page.fill("textarea[name=text]", TEXT)
    await page.select_option("select[name=region]", "佛山")
    await count_becomes(page, 1)  # Alice only
    await page.set_input_files("#document", files=[{"name": "年度计划模板.pdf", "mimeType": "application/pdf",
                                                    "buffer": pdf}])
    await shot(page, "22-broadcast-with-document")
    await page.click("#send")
    await page.wait_for_url(re.compile(rf"{re.escape(served)}/console/broadcasts/\d+$"))
    assert await page.locator("#document").inner_text() == "年度计划模板.pdf"
    sent = await dispatcher(web_box.services.db, web_box.app.bot, clock, FakeTime(clock)).run_once()
    assert sent.sent == 1
    calls = web_box.api.calls_to(MANAGER_A.id)
    assert [(c.method, c.text, c.files["document"]) for c in calls] == [("sendDocument", TEXT, pdf)]
    assert web_box.api.calls_to(MANAGER_B.id) == []
    await context.close()
