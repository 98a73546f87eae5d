"""Change reports with working-day deadlines, staff review, return-and-resubmit, and station isolation."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from bot.services import FixedClock
from storage.models import Person, Role, Submission, SubmissionVersion
from testing.client import Sandbox, User, joined
from testing.outbox_flush import render_pending
from tests.conftest import SHANGHAI, STAFF
from tests.forms.conftest import Seat


async def make_staff(box: Sandbox) -> None:
    await box.send(STAFF, "/start")  # STAFF_TELEGRAM_IDS bootstraps the staff binding


async def report_manager_change(box: Sandbox, who: Seat, event_day: str) -> str:
    await box.send(who.user, "/report")
    await box.press(who.user, "Manager change")
    await box.send(who.user, event_day)
    await box.send(who.user, "Zhang San")
    await box.send(who.user, "Technology department, deputy director")
    await box.send(who.user, "13912345678")
    await box.press(who.user, "Skip")
    await box.send(who.user, "The previous manager retired.")
    await box.press(who.user, "Skip")
    return joined(await box.press(who.user, "Submit"))


async def test_late_change_report_across_spring_festival(sandbox: Sandbox, clock: FixedClock, alice: Seat) -> None:
    # Event on Thu 2026-02-12. Five working days: 13 (Fri), 14 (Sat, 调休 working day), then the
    # Spring Festival holiday 15–23, then 24, 25, 26 -> deadline Thu 2026-02-26.
    # Reported on Mon 2026-03-02: 27 (Fri), 28 (Sat, 调休), 2 Mar -> late by 3 working days.
    await make_staff(sandbox)
    clock.set(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI))
    done = await report_manager_change(sandbox, alice, "2026-02-12")
    assert "Feb 26, 2026" in done and "late by 3 working days" in done
    async with sandbox.services.db.session() as session:
        submission = (await session.exec(select(Submission))).one()
    assert (submission.kind, submission.due_on, submission.late_workdays) == (
        "change_report", dt.date(2026, 2, 26), 3)


async def test_on_time_report_and_staff_review_cycle(sandbox: Sandbox, clock: FixedClock, alice: Seat) -> None:
    await make_staff(sandbox)
    clock.set(dt.datetime(2026, 10, 9, 10, 0, tzinfo=SHANGHAI))
    done = await report_manager_change(sandbox, alice, "2026-09-29")
    assert "reported on time" in done
    # Staff receive the card through the outbox; render what is waiting for them.
    card_calls = await render_pending(sandbox, STAFF.id)
    assert any("Zhang San" in c.text for c in card_calls)
    await sandbox.press(STAFF, "↩️ 退回并附意见")
    returned = joined(await sandbox.send(STAFF, "请补充任命文件。"))
    assert "已附意见退回" in returned
    notice = await render_pending(sandbox, alice.user.id)
    assert any("returned for changes" in c.text and "请补充任命文件" in c.text for c in notice)
    summary = joined(await sandbox.press(alice.user, "✏️ Reopen and edit"))
    assert "Please check your answers" in summary and "Zhang San" in summary
    await sandbox.press(alice.user, "✏️ Name of the new person")
    await sandbox.send(alice.user, "Zhang Sanfeng")
    again = joined(await sandbox.press(alice.user, "Submit"))
    assert "version 2" in again
    async with sandbox.services.db.session() as session:
        versions = (await session.exec(select(SubmissionVersion).order_by(SubmissionVersion.version))).all()
        submission = (await session.exec(select(Submission))).one()
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].answers["new_person_name"] == "Zhang San"
    assert versions[1].answers["new_person_name"] == "Zhang Sanfeng"
    assert all(v.submitted_by_person_id == alice.person.id for v in versions)
    assert submission.status == "submitted"
    await render_pending(sandbox, STAFF.id)
    await sandbox.press(STAFF, "✅ 通过")
    async with sandbox.services.db.session() as session:
        assert (await session.exec(select(Submission))).one().status == "accepted"
    accepted = await render_pending(sandbox, alice.user.id)
    assert any("accepted" in c.text for c in accepted)


async def test_manager_cannot_touch_another_stations_submission(sandbox: Sandbox, clock: FixedClock,
                                                               alice: Seat, bob: Seat) -> None:
    await make_staff(sandbox)
    clock.set(dt.datetime(2026, 10, 9, 10, 0, tzinfo=SHANGHAI))
    await report_manager_change(sandbox, alice, "2026-09-29")
    async with sandbox.services.db.session() as session:
        submission = (await session.exec(select(Submission))).one()
        alice_draft_ids = [1, 2, 3]
    forged = [f"rv:o:{submission.id}", f"rv:a:{submission.id}:1", f"rv:r:{submission.id}:1", f"rv:s:{submission.id}"]
    forged += [f"f:{i}:0:c:0" for i in alice_draft_ids] + [f"fs:d:{i}:log" for i in alice_draft_ids]
    for data in forged:
        calls = await sandbox.press_data(bob.user, data)
        seen = " ".join(str(c.params) for c in calls)
        assert "Foshan" not in seen and "Zhang San" not in seen, data
    async with sandbox.services.db.session() as session:
        submission = (await session.exec(select(Submission))).one()
    assert submission.status == "submitted"


async def test_stranger_and_contact_cannot_open_forms(sandbox: Sandbox) -> None:
    async with sandbox.services.db.session() as session:
        session.add(Person(telegram_user_id=3001, chat_id=3001, role=Role.demand_contact, language="en"))
        await session.commit()
    for user in (User(3001, "Contact", "en"), User(3002, "Nobody", "en")):
        reply = joined(await sandbox.send(user, "/report"))
        assert "cannot do that" in reply or "invitation only" in reply


async def test_2027_deadline_uses_the_loaded_schedule_or_says_it_guessed(sandbox: Sandbox, clock: FixedClock,
                                                                         alice: Seat, bob: Seat) -> None:
    from rules.calendar import parse_holiday_file
    from storage.holidays import store_holidays

    clock.set(dt.datetime(2027, 2, 3, 10, 0, tzinfo=SHANGHAI))
    guessed = await report_manager_change(sandbox, bob, "2027-02-01")
    assert "Feb 8, 2027" in guessed and "not loaded" in guessed, "Mon–Fri fallback, said out loud"
    schedule = "date,kind,name\n2027-02-05,holiday,春节\n2027-02-08,holiday,春节\n2027-02-06,workday,调休\n"
    async with sandbox.services.db.session() as session:
        await store_holidays(session, parse_holiday_file(schedule, "csv"))
        await session.commit()
    loaded = await report_manager_change(sandbox, alice, "2027-02-01")
    # 2 (Tue), 3, 4, 6 (Sat, 调休), then 5 and 8 are holidays -> 9 Feb.
    assert "Feb 9, 2027" in loaded and "not loaded" not in loaded


async def test_change_report_in_chinese_with_evidence_and_staff_card(sandbox: Sandbox, clock: FixedClock,
                                                                    li: Seat) -> None:
    await make_staff(sandbox)
    clock.set(dt.datetime(2026, 10, 9, 10, 0, tzinfo=SHANGHAI))
    await sandbox.send(li.user, "/report")
    await sandbox.press(li.user, "站长变更")
    await sandbox.send(li.user, "2026年9月29日")
    await sandbox.send(li.user, "张三")
    await sandbox.send(li.user, "技术部副主任")
    await sandbox.send(li.user, "139 1234 5678")
    await sandbox.press(li.user, "跳过")
    await sandbox.send(li.user, "原站长退休。")
    await sandbox.send_document(li.user, "任命文件.pdf")
    summary = joined(await sandbox.press(li.user, "完成"))
    assert "请核对" in summary and "任命文件.pdf" in summary and "2026年9月29日" in summary
    done = joined(await sandbox.press(li.user, "提交"))
    # 29 Sep + 5 working days: 30 Sep, then the National Day holiday 1–8 Oct, then 9, 10 (Sat, 调休), 11 Oct (Sun, 调休).
    assert "已提交" in done and "按时报告" in done
    async with sandbox.services.db.session() as session:
        version = (await session.exec(select(SubmissionVersion))).one()
    assert version.answers["new_person_phone"] == "13912345678"
    assert version.answers["attachments"][0]["file_id"].startswith("doc-")
    card = await render_pending(sandbox, STAFF.id)
    assert any("变更报告" in c.text and "张三" in c.text and "截止日期" in c.text for c in card)
