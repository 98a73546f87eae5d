"""The console's review queue (issue 13 §3): the same accept / return as chat, through the real app and bot."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
from sqlmodel import col, select

from bot.services import FixedClock
from storage.models import AuditLog, OutboxMessage, Person, Submission, SubmissionDocument
from testing.client import Sandbox, joined
from testing.outbox_flush import render_pending
from tests.security.support import MANAGER_A, MANAGER_B, STAFF_EN, World, seed, snapshot
from tests.webapp.console_support import browser_like, csrf_of, sign_in, web_link
from tests.webapp.review_support import APPOINTMENT, file_change_report, resubmit_with_new_name

__all__ = ["browser_like"]


async def signed_in(box: Sandbox, client: httpx.AsyncClient) -> World:
    world = await seed(box.services.db)
    await sign_in(client, await web_link(box, STAFF_EN))
    return world


async def audit(box: Sandbox, action: str) -> list[AuditLog]:
    async with box.services.db.session() as session:
        return list((await session.exec(select(AuditLog).where(AuditLog.action == action))).all())


async def test_the_queue_lists_what_awaits_review_oldest_first_by_profile_kind_and_page(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    world = await signed_in(web_box, browser_like)
    first = await file_change_report(web_box, clock, MANAGER_A)
    clock.advance(hours=1)
    await web_box.send(MANAGER_B, "/report")  # Bob's report comes second
    for step in ("Manager change",):
        await web_box.press(MANAGER_B, step)
    for answer in ("2026-09-30", "Wang Wu", "Director", "13912345679"):
        await web_box.send(MANAGER_B, answer)
    await web_box.press(MANAGER_B, "Skip")
    await web_box.send(MANAGER_B, "Retired.")
    await web_box.press(MANAGER_B, "Skip")
    await web_box.press(MANAGER_B, "Submit")
    async with web_box.services.db.session() as session:
        session.add(Submission(station_id=world.station_a.id, kind="plan", year=2027, status="accepted"))
        await session.commit()
    listing = await browser_like.get("/console/review")
    assert listing.status_code == 200 and "(2)" in listing.text
    text = listing.text
    assert text.index("Alpha Porcelain") < text.index("Bravo Textile")  # oldest first
    assert f'href="/console/review/{first.id}"' in text and "Change report" in text
    assert "Nothing awaits review" in (await browser_like.get("/console/review", params={"kind": "plan"})).text
    assert "Nothing awaits review" in (await browser_like.get("/console/review", params={"profile": "quzhou"})).text
    by_profile = await browser_like.get("/console/review", params={"profile": "gd-quality", "kind": "change_report"})
    assert "Alpha Porcelain" in by_profile.text and "Bravo Textile" in by_profile.text
    async with web_box.services.db.session() as session:  # 50 a page: the 51st and 52nd go to page 2
        session.add_all([Submission(station_id=world.station_b.id, kind="change_report",
                                    submitted_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=n))
                         for n in range(50)])
        await session.commit()
    page_one = await browser_like.get("/console/review")
    assert "(52)" in page_one.text and page_one.text.count('<td class="num"><a href="/console/review/') == 50
    page_two = await browser_like.get("/console/review", params={"page": "2"})
    assert page_two.text.count('<td class="num"><a href="/console/review/') == 2 and "Page 2 of 2" in page_two.text


async def test_return_in_the_console_reaches_the_managers_chat_and_the_resubmission_shows_its_changes(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    await signed_in(web_box, browser_like)
    submission = await file_change_report(web_box, clock, MANAGER_A)
    await render_pending(web_box, MANAGER_A.id)  # the printed document, sent at submit time
    page = await browser_like.get(f"/console/review/{submission.id}")
    assert page.status_code == 200 and "Zhang San" in page.text and "appointment.pdf" in page.text
    assert 'id="changes"' not in page.text  # a first version has nothing to compare with
    assert "awaiting stamped copy" in page.text
    assert "awaiting stamped copy" in (await browser_like.get("/console/review")).text  # the queue shows it too
    returned = await browser_like.post(f"/console/review/{submission.id}/return",
                                       data={"csrf": csrf_of(browser_like), "version": "1",
                                             "comment": "Please attach the appointment letter with its stamp."})
    assert returned.status_code == 200 and f"Returned submission #{submission.id}" in returned.text
    told = joined(await render_pending(web_box, MANAGER_A.id))
    assert "returned for changes" in told and "Please attach the appointment letter with its stamp." in told
    [entry] = await audit(web_box, "returned")
    assert entry.subject == f"submission:{submission.id}" and entry.detail == {"version": 1}
    async with web_box.services.db.session() as session:
        staff = (await session.exec(select(Person).where(Person.telegram_user_id == STAFF_EN.id))).one()
    assert entry.person_id == staff.id
    await resubmit_with_new_name(web_box, MANAGER_A, "Zhang Sanfeng")
    second = await browser_like.get(f"/console/review/{submission.id}")
    changes = second.text[second.text.index('id="changes"'):second.text.index("</table>", second.text.index('id="changes"'))]
    assert "Name of the new person" in changes and "Zhang San<" in changes and "Zhang Sanfeng" in changes
    assert "Their phone number" not in changes and "Explain the change" not in changes  # unchanged answers
    await render_pending(web_box, MANAGER_A.id)
    await web_box.send_document(MANAGER_A, "stamped.pdf", data=b"%PDF-1.4 stamped")  # the stamped copy of v2
    stamped = await browser_like.get(f"/console/review/{submission.id}")
    assert "stamped copy received" in stamped.text and "awaiting stamped copy" not in stamped.text
    assert "stamped copy received" in (await browser_like.get("/console/review")).text


async def test_accept_in_the_console_tells_the_manager_once_and_a_second_review_is_already_reviewed(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    await signed_in(web_box, browser_like)
    submission = await file_change_report(web_box, clock, MANAGER_A)
    await render_pending(web_box, MANAGER_A.id)
    await render_pending(web_box, STAFF_EN.id)  # the chat card, with its accept button
    accepted = await browser_like.post(f"/console/review/{submission.id}/accept",
                                       data={"csrf": csrf_of(browser_like), "version": "1"})
    assert accepted.status_code == 200 and f"Accepted submission #{submission.id}" in accepted.text
    assert "was accepted" in joined(await render_pending(web_box, MANAGER_A.id))
    assert [e.person_id is not None for e in await audit(web_box, "accepted")] == [True]
    again = await browser_like.post(f"/console/review/{submission.id}/return",
                                    data={"csrf": csrf_of(browser_like), "version": "1", "comment": "Too late."})
    assert again.status_code == 409 and "already reviewed by Staff (accepted)" in again.text
    in_chat = joined(await web_box.press(STAFF_EN, "✅ Accept"))  # the chat card's button, pressed afterwards
    assert "already reviewed by Staff" in in_chat
    assert await render_pending(web_box, MANAGER_A.id) == []  # told once
    assert len(await audit(web_box, "accepted")) == 1 and await audit(web_box, "returned") == []
    page = await browser_like.get(f"/console/review/{submission.id}")
    assert 'id="accept"' not in page.text and "already reviewed" in page.text


async def test_two_staff_deciding_at_once_one_wins_and_the_station_is_told_once(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    await signed_in(web_box, browser_like)
    submission = await file_change_report(web_box, clock, MANAGER_A)
    token = csrf_of(browser_like)
    answers = await asyncio.gather(
        browser_like.post(f"/console/review/{submission.id}/accept", data={"csrf": token, "version": "1"}),
        browser_like.post(f"/console/review/{submission.id}/return",
                          data={"csrf": token, "version": "1", "comment": "Please add the stamp."}))
    assert sorted(a.status_code for a in answers) == [200, 409]
    async with web_box.services.db.session() as session:
        results = (await session.exec(select(OutboxMessage).where(OutboxMessage.kind == "review_result"))).all()
    assert len(results) == 1
    assert len(await audit(web_box, "accepted")) + len(await audit(web_box, "returned")) == 1


async def test_without_the_csrf_token_or_with_a_stale_version_nothing_is_decided(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    await signed_in(web_box, browser_like)
    submission = await file_change_report(web_box, clock, MANAGER_A)
    before = await snapshot(web_box.services.db)
    forged = await browser_like.post(f"/console/review/{submission.id}/accept", data={"version": "1"})
    assert forged.status_code == 403 and "This form has expired" in forged.text
    old = await browser_like.post(f"/console/review/{submission.id}/accept",
                                  data={"csrf": csrf_of(browser_like), "version": "0"})
    assert old.status_code == 409 and "has changed since" in old.text
    empty = await browser_like.post(f"/console/review/{submission.id}/return",
                                    data={"csrf": csrf_of(browser_like), "version": "1", "comment": "  "})
    assert empty.status_code == 400
    assert await snapshot(web_box.services.db) == before
    assert (await browser_like.post("/console/review/999999/accept",
                                    data={"csrf": csrf_of(browser_like), "version": "1"})).status_code == 409
    assert (await browser_like.get("/console/review/999999")).status_code == 404


async def test_a_manager_or_a_stranger_cannot_open_or_decide(web_box: Sandbox, clock: FixedClock,
                                                             browser_like: httpx.AsyncClient) -> None:
    from storage.console import create_login_link, csrf_token, redeem_login_link

    db = web_box.services.db
    await seed(db)
    submission = await file_change_report(web_box, clock, MANAGER_A)
    async with db.session() as session:  # a live session bound to a manager: what a bug might leave behind
        manager = (await session.exec(select(Person).where(Person.telegram_user_id == MANAGER_A.id))).one()
        manager.role = "staff"
        token = await create_login_link(session, manager, clock())
        signed = await redeem_login_link(session, token, "ip:test", clock())
        manager.role = "manager"
        session.add(manager)
        await session.commit()
    assert not isinstance(signed, str)
    before = await snapshot(db)
    for path in ("/console/review", f"/console/review/{submission.id}", f"/console/review/{submission.id}/files/a1"):
        assert (await browser_like.get(path)).status_code == 401, path
    stranger = await browser_like.post(f"/console/review/{submission.id}/accept", data={"version": "1"})
    assert stranger.status_code == 401
    browser_like.cookies.set("stationbot_console", signed.session_token, domain="127.0.0.1", path="/console")
    refused = await browser_like.post(f"/console/review/{submission.id}/accept",
                                      data={"csrf": csrf_token(signed.session_token), "version": "1"})
    assert refused.status_code == 403
    assert (await browser_like.get("/console/review")).status_code == 401  # the refusal ended that session
    assert await snapshot(db) == before


async def test_files_and_the_printed_document_download_only_through_the_console(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    await signed_in(web_box, browser_like)
    submission = await file_change_report(web_box, clock, MANAGER_A)
    got = await browser_like.get(f"/console/review/{submission.id}/files/a1")
    assert got.status_code == 200 and got.content == APPOINTMENT
    assert got.headers["content-disposition"].startswith("attachment;") and "appointment.pdf" in got.headers[
        "content-disposition"]
    assert (await browser_like.get(f"/console/review/{submission.id}/files/a2")).status_code == 404
    async with web_box.services.db.session() as session:
        doc = (await session.exec(select(SubmissionDocument).order_by(col(SubmissionDocument.id)))).first()
    assert doc is not None
    docx = await browser_like.get(f"/console/review/{submission.id}/files/d{doc.id}")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert (await browser_like.get(f"/console/review/{submission.id + 1}/files/d{doc.id}")).status_code == 404
    assert (await browser_like.get(f"/console/review/{submission.id}/files/s{doc.id}")).status_code == 404  # none yet


async def test_the_chat_card_from_pending_names_the_submitter_and_the_stamp_status(
        web_box: Sandbox, clock: FixedClock) -> None:
    """Issue 15: the card opened from /pending said "Submitted by:" with no name for a binding without one."""
    db = web_box.services.db
    await seed(db)
    async with db.session() as session:
        manager = (await session.exec(select(Person).where(Person.telegram_user_id == MANAGER_A.id))).one()
        manager.name = ""
        session.add(manager)
        await session.commit()
    await file_change_report(web_box, clock, MANAGER_A)
    at_submit = joined(await render_pending(web_box, STAFF_EN.id))
    assert "Submitted by: Alice" in at_submit and "awaiting stamped copy" in at_submit
    await render_pending(web_box, MANAGER_A.id)
    await web_box.send_document(MANAGER_A, "stamped.pdf", data=b"%PDF-1.4 stamped")
    await web_box.send(STAFF_EN, "/pending")
    opened = joined(await web_box.press(STAFF_EN, "#1"))
    assert "Submitted by: Alice" in opened and "stamped copy received" in opened, opened


async def test_a_station_application_is_returned_to_its_applicant_and_accepted_only_in_chat(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    """wuhan-qis 第十三条: accepting an application ticks its preconditions, which the chat card does; the
    console shows it and returns it with a comment, which reaches the applicant (no station yet)."""
    from tests.applications.test_applications import APPLICANT, fill_wuhan, staff_link

    await signed_in(web_box, browser_like)
    await web_box.send(APPLICANT, f"/start {await staff_link(web_box, 'wuhan-qis')}")
    await fill_wuhan(web_box, APPLICANT)
    async with web_box.services.db.session() as session:
        application = (await session.exec(select(Submission).where(Submission.kind == "application"))).one()
    listing = await browser_like.get("/console/review", params={"profile": "wuhan-qis"})
    assert f'href="/console/review/{application.id}"' in listing.text
    page = await browser_like.get(f"/console/review/{application.id}")
    assert page.status_code == 200 and "武汉汽车零部件质量服务站" in page.text and "营业执照.pdf" in page.text
    assert 'id="accept"' not in page.text and 'id="accept-in-chat"' in page.text and 'id="return"' in page.text
    refused = await browser_like.post(f"/console/review/{application.id}/accept",
                                      data={"csrf": csrf_of(browser_like), "version": "1"})
    assert refused.status_code == 400 and await audit(web_box, "accepted") == []
    returned = await browser_like.post(f"/console/review/{application.id}/return",
                                       data={"csrf": csrf_of(browser_like), "version": "1",
                                             "comment": "Please attach the signed agreement."})
    assert returned.status_code == 200
    told = joined(await render_pending(web_box, APPLICANT.id))
    assert "returned for changes" in told and "Please attach the signed agreement." in told
