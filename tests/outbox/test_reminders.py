"""Reminder rules fire on the right days, stop when the item is done; the sweep enqueues each once."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.jobs import enqueue_due
from bot.services import FixedClock
from conversations.reminders import (
    AnnualItem,
    ChangeDraft,
    Recipient,
    StationFacts,
    digest_key,
    last_digest_moment,
    station_reminders,
)
from conversations.serialize import reply_from_json
from locales import Raw, Text, render, translator
from rules.deadlines import annual_due_date
from rules.profile import load_profile
from storage.db import Database
from storage.models import Role, Submission
from tests.conftest import SHANGHAI
from tests.helpers import add_station
from tests.outbox.support import add_person, rows

WHO = (Recipient(1, 11), Recipient(2, 11), Recipient(3, 12))
PROFILES = ("gd-quality", "gd-scst", "wuhan-qis", "guiyang-kczg", "quzhou")


def facts(profile: str, kind: str = "plan", done: bool = False, **kw: object) -> StationFacts:
    loaded = load_profile(profile)
    due = annual_due_date(loaded, kind, 2027)
    assert due is not None
    return StationFacts(42, "S", loaded, WHO, (AnnualItem(kind, 2027, due, done),), **kw)  # type: ignore[arg-type]


def keys(f: StationFacts, day: dt.date) -> list[str]:
    return [r.key for r in station_reminders(f, day)]


@pytest.mark.parametrize("profile", PROFILES)
def test_annual_reminders_on_the_right_days_and_weekly_when_overdue(profile: str) -> None:
    kinds = [spec.id for spec in load_profile(profile).duties if spec.due is not None]
    # Dated duties by the seeds alone: seed 000 第十二条 (before March), seed 002 第十六条 (end of October);
    # seeds 001, 003 and 004 set no date, so nothing is nagged there unless the society's override sets one.
    assert set(kinds) == {"gd-quality": {"plan", "summary"}, "wuhan-qis": {"efficiency_report"}}.get(profile, set())
    for kind in kinds:
        due = facts(profile, kind).annual[0].due
        fired: dict[str, dt.date] = {}
        day = due - dt.timedelta(days=40)
        while day <= min(due + dt.timedelta(days=20), dt.date(2027, 12, 31)):
            for key in keys(facts(profile, kind), day):
                fired.setdefault(key, day)
            day += dt.timedelta(days=1)
        base = f"{kind}-due:2027:station-42"
        expected = {f"{base}:T-{n}": due - dt.timedelta(days=n) for n in (30, 14, 7, 1)}
        expected |= {f"{base}:overdue-w{w}": due + dt.timedelta(days=7 * w) for w in (1, 2)
                     if due + dt.timedelta(days=7 * w) <= dt.date(2027, 12, 31)}
        assert fired == expected, (profile, kind)
        assert keys(facts(profile, kind, done=True), due + dt.timedelta(days=8)) == []


def test_wuhan_efficiency_report_is_due_end_of_october() -> None:
    assert facts("wuhan-qis", "efficiency_report").annual[0].due == dt.date(2027, 10, 31)
    assert facts("gd-quality", "plan").annual[0].due == dt.date(2027, 2, 28)


def test_texts_say_due_in_or_overdue_by_and_dedupe_chats() -> None:
    en = translator("en")
    before = station_reminders(facts("gd-quality"), dt.date(2027, 2, 21))[0]
    assert "in 7 days" in render(before.reply.text, en)
    assert before.reply.buttons[0][0].action == "du:plan", "the button opens that duty's own form"
    assert [r.chat_id for r in before.recipients] == [11, 12]
    late = station_reminders(facts("gd-quality"), dt.date(2027, 3, 9))[0]
    assert late.key.endswith(":overdue-w1")
    assert "overdue by 9 days" in render(late.reply.text, en)
    assert "逾期 9 天" in render(late.reply.text, translator("zh_Hans"))


def test_change_report_expiry_inactivity_and_progress_rules() -> None:
    draft = ChangeDraft(5, Recipient(1, 11), dt.date(2027, 3, 8), dt.date(2027, 3, 5))
    f = StationFacts(42, "S", load_profile("quzhou"), WHO, change_drafts=(draft,), certificate_expiry=dt.date(2027, 6, 30),
                     agreement_end=dt.date(2027, 12, 31), founded_on=dt.date(2026, 5, 10), has_activity=False)
    assert "change-report:draft-5:W-1" not in keys(f, dt.date(2027, 3, 4))
    assert "change-report:draft-5:W-1" in keys(f, dt.date(2027, 3, 5))
    assert "certificate:2027-06-30:station-42:T-90" in keys(f, dt.date(2027, 4, 1))
    assert "certificate:2027-06-30:station-42:T-30" in keys(f, dt.date(2027, 5, 31))
    assert "no-activity:station-42:M-9" in keys(f, dt.date(2027, 2, 10))
    assert "no-activity:station-42:M-9" not in keys(f, dt.date(2027, 2, 9))
    notes: tuple[Text, ...] = (Raw("needs served: 3 of 10"),)
    g = StationFacts(7, "G", load_profile("guiyang-kczg"), WHO, behind_minimums=notes)
    assert keys(g, dt.date(2027, 6, 30)) == []
    assert keys(g, dt.date(2027, 7, 1)) == ["minimums:2027-07-01:station-7"]
    assert keys(g, dt.date(2027, 10, 2)) == ["minimums:2027-10-01:station-7"]


def test_digest_moment_is_the_latest_monday_nine() -> None:
    sunday = dt.datetime(2027, 2, 7, 20, 0, tzinfo=SHANGHAI)
    assert last_digest_moment(sunday) == dt.datetime(2027, 2, 1, 9, 0, tzinfo=SHANGHAI)
    monday = dt.datetime(2027, 2, 8, 9, 0, tzinfo=SHANGHAI)
    assert digest_key(last_digest_moment(monday), 3) == "digest:2027-W06:staff-3"


async def test_catch_up_sweep_enqueues_only_the_latest_missed_moment_once(db: Database, clock: FixedClock) -> None:
    station = await add_station(db)
    await add_person(db, 5001, station_id=station.id)
    await add_person(db, 5002, role=Role.staff.value)
    clock.set(dt.datetime(2027, 2, 23, 10, 0, tzinfo=SHANGHAI))  # the bot was down over T-30, T-14 and T-7
    assert await enqueue_due(db, clock()) == 3  # plan T-7, summary T-7, the staff digest
    assert await enqueue_due(db, clock()) == 0
    got = sorted(r.idempotency_key for r in await rows(db))
    assert got == ["digest:2027-W08:staff-2", f"plan-due:2027:station-{station.id}:T-7:person-1",
                   f"summary-due:2026:station-{station.id}:T-7:person-1"]
    async with db.session() as session:
        assert station.id is not None
        session.add(Submission(station_id=station.id, kind="plan", year=2027))
        await session.commit()
    clock.set(dt.datetime(2027, 2, 27, 10, 0, tzinfo=SHANGHAI))
    assert await enqueue_due(db, clock()) == 1  # summary T-1 only: the plan is done


async def test_sweep_sends_progress_notes_and_inactivity_warnings_from_the_ledger(db: Database,
                                                                                  clock: FixedClock) -> None:
    from services.stations import society_named

    async with db.session() as session:
        society = await society_named(session, "Municipal society", "municipal")
        await session.commit()
    guiyang = await add_station(db, "Guiyang station", profile="guiyang-kczg", society_id=society.id)
    quzhou = await add_station(db, "Quzhou station", profile="quzhou", founded_on=dt.date(2026, 10, 1))
    await add_person(db, 7001, station_id=guiyang.id, language="en")
    await add_person(db, 7002, station_id=quzhou.id)
    clock.set(dt.datetime(2027, 7, 1, 9, 0, tzinfo=SHANGHAI))
    await enqueue_due(db, clock())
    got = {r.idempotency_key: r for r in await rows(db)}
    note = got[f"minimums:2027-07-01:station-{guiyang.id}:person-1"]
    text = render(reply_from_json(note.payload["reply"]).text, translator("en"))
    assert "Technical needs served: 0 / 3" in text
    assert f"no-activity:station-{quzhou.id}:M-9:person-2" in got


async def test_change_report_draft_and_staff_digest(db: Database, clock: FixedClock) -> None:
    from storage.models import Draft

    # Founded mid-2025: the 2025 plan (due February 2025) and the 2024 summary were never owed.
    station = await add_station(db, "Foshan station", founded_on=dt.date(2025, 6, 1))
    manager = await add_person(db, 8001, station_id=station.id, language="en")
    await add_person(db, 8002, role=Role.staff.value, language="en")
    assert manager.id is not None
    async with db.session() as session:
        # manager changed on Monday 2026-03-02: 5 working days → due Monday 2026-03-09, reminded Friday 03-06
        session.add(Draft(person_id=manager.id, form_id="change_report", station_id=station.id,
                          state={"answers": {"kind": "manager_change", "event_date": "2026-03-02"}}))
        await session.commit()
    clock.set(dt.datetime(2026, 3, 5, 10, 0, tzinfo=SHANGHAI))
    await enqueue_due(db, clock())
    assert not any(r.idempotency_key.startswith("change-report") for r in await rows(db))
    clock.set(dt.datetime(2026, 3, 6, 10, 0, tzinfo=SHANGHAI))
    await enqueue_due(db, clock())
    got = {r.idempotency_key: r for r in await rows(db)}
    change = next(r for k, r in got.items() if k.startswith("change-report:draft-"))
    assert "in 3 days" in render(reply_from_json(change.payload["reply"]).text, translator("en"))
    digest = next(r for k, r in got.items() if k.startswith("digest:2026-W10:"))
    text = render(reply_from_json(digest.payload["reply"]).text, translator("en"))
    assert "Missing after the due date: 2" in text  # the 2026 plan and the 2025 summary
    assert "Holiday schedule 2026: official schedule loaded" in text
    assert "Holiday schedule 2027: NOT loaded" in text
