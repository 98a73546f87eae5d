"""The review queue in a real browser (issue 13): staff return a submission with a comment in Chromium,
and the manager's chat (the sandbox) receives it. Screenshots under ``test-artifacts/console/``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlmodel import select

from bot.services import FixedClock
from storage.models import Person
from testing.client import Sandbox, joined
from testing.outbox_flush import render_pending
from tests.browser.support import shot, sign_in
from tests.security.support import MANAGER_A, STAFF_EN, seed
from tests.webapp.review_support import file_change_report

if TYPE_CHECKING:
    from playwright.async_api import Browser



async def test_return_a_submission_with_a_comment_and_the_manager_is_told(web_box: Sandbox, clock: FixedClock,
                                                                          served: str, browser: Browser) -> None:
    db = web_box.services.db
    await seed(db)
    async with db.session() as session:
        staff = (await session.exec(select(Person).where(Person.telegram_user_id == STAFF_EN.id))).one()
        staff.language = "zh_Hans"
        session.add(staff)
        await session.commit()
    submission = await file_change_report(web_box, clock, MANAGER_A)
    await render_pending(web_box, MANAGER_A.id)  # the printed document sent at submit time
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await sign_in(page, web_box, served)
    await page.click("header >> text=待审核")
    await page.wait_for_url(f"{served}/console/review")
    queue = await page.locator("#queue").inner_text()
    assert "Alpha Porcelain Secret Station" in queue and "变更报告" in queue
    await shot(page, "20-review-queue")
    await page.click(f'#queue a[href="/console/review/{submission.id}"] >> nth=0')
    await page.wait_for_url(f"{served}/console/review/{submission.id}")
    assert "Zhang San" in await page.locator("#answers").inner_text()
    assert "appointment.pdf" in await page.locator("#files").inner_text()
    assert "等待盖章件" in await page.locator("#papers").inner_text()
    await page.fill("#comment", "请补充盖章的任命文件。")
    await shot(page, "21-review-submission-with-comment")
    await page.click("#return")
    await page.wait_for_url(re.compile(rf".*/console/review/{submission.id}/return$"))
    assert f"已附意见退回第 {submission.id} 号提交" in await page.locator("#message").inner_text()
    await shot(page, "22-review-returned")
    told = joined(await render_pending(web_box, MANAGER_A.id))
    assert "returned for changes" in told and "请补充盖章的任命文件。" in told
    web_box.find_button(MANAGER_A, "✏️ Reopen and edit")  # the manager can reopen it from the message
    await page.goto(f"{served}/console/review")
    assert "Alpha Porcelain" not in await page.locator("#queue").inner_text()  # no longer awaiting review
    await context.close()
