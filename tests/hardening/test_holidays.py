"""Loaded holiday files overlay chinese-calendar day by day, say when incomplete, and recompute stored lateness.

Issue 16 (data correctness 1) and issue 10 §5 (loaded holiday schedules recompute stored lateness).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import select

from bot.jobs import enqueue_due
from bot.services import FixedClock
from bot.settings import Settings
from conversations.serialize import reply_from_json
from locales import render, translator
from storage.calendar import workday_calendar
from storage.db import Database
from storage.models import HolidayDay, Role, Submission, SubmissionVersion
from tests.conftest import SHANGHAI
from tests.hardening.support import COMPLETE_2027, count, run_cli
from tests.helpers import add_station
from tests.outbox.support import add_person, rows

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


async def test_one_line_file_overrides_only_its_day(settings: Settings, db: Database, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    one_line = write(tmp_path, "2026.csv", "date,kind,name\n2026-12-31,holiday,x\n")
    code, out = await run_cli(settings, db, capsys, "holidays", "load", one_line)
    assert code == 2
    assert "2026-12-31: the file says holiday, the bundled calendar says working day" in out
    assert "--force" in out and "Traceback" not in out
    assert await count(db, HolidayDay) == 0  # refused: nothing stored
    code, out = await run_cli(settings, db, capsys, "holidays", "load", one_line, "--force")
    assert code == 0, out
    async with db.session() as session:
        cal = await workday_calendar(session)
    assert not cal.is_workday(dt.date(2026, 2, 17))  # Spring Festival stays a holiday
    assert not cal.is_workday(dt.date(2026, 10, 1))  # National Day stays a holiday
    assert not cal.is_workday(dt.date(2026, 12, 31))  # the file's one day
    assert cal.is_workday(dt.date(2026, 12, 30))


async def test_a_bridge_day_of_another_year_changes_only_that_day(settings: Settings, db: Database, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out = await run_cli(settings, db, capsys, "holidays", "load", write(tmp_path, "2027.csv", COMPLETE_2027))
    assert code == 0, out
    bridge = write(tmp_path, "2028.csv", "date,kind,name\n2027-12-31,holiday,元旦\n2028-01-01,holiday,元旦\n"
                                         "2028-01-02,holiday,元旦\n")
    code, out = await run_cli(settings, db, capsys, "holidays", "load", bridge)
    assert code == 0, out
    async with db.session() as session:
        cal = await workday_calendar(session)
        stored = {r.day for r in (await session.exec(select(HolidayDay))).all()}
    assert dt.date(2027, 2, 8) in stored and not cal.is_workday(dt.date(2027, 2, 8))  # 2027 was not wiped
    assert not cal.is_workday(dt.date(2027, 12, 31)) and cal.is_workday(dt.date(2027, 12, 30))


async def test_incomplete_year_is_said_by_load_list_and_digest(settings: Settings, db: Database, clock: FixedClock,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    example = str(ROOT / "rules" / "holidays" / "2027.example.csv")
    code, out = await run_cli(settings, db, capsys, "holidays", "load", example)
    assert code == 0, out
    assert "2027 schedule looks incomplete" in out and "Qingming" in out
    code, out = await run_cli(settings, db, capsys, "holidays", "list")
    assert code == 0 and "2027\t11 days loaded\tINCOMPLETE: no days off for Qingming" in out
    await add_person(db, 8002, role=Role.staff.value, language="en")
    await enqueue_due(db, clock())
    digest = next(r for r in await rows(db) if r.idempotency_key.startswith("digest:"))
    text = render(reply_from_json(digest.payload["reply"]).text, translator("en"))
    assert "Holiday schedule 2027: loaded but INCOMPLETE — no days off for Qingming, Labour Day" in text


async def test_complete_year_is_not_called_incomplete(settings: Settings, db: Database, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, out = await run_cli(settings, db, capsys, "holidays", "load", write(tmp_path, "2027.csv", COMPLETE_2027))
    assert code == 0 and "incomplete" not in out.lower()
    code, out = await run_cli(settings, db, capsys, "holidays", "list")
    assert "2027\t14 days loaded" in out and "INCOMPLETE" not in out


async def test_loading_recomputes_stored_lateness(settings: Settings, db: Database, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 10 §5; seed 000 第十八条 (a manager change is reported within 5 working days).

    Event Monday 2026-12-28, counted Monday–Friday before 2027 was loaded: due 2027-01-04, a report
    made on 5 January is "1 day late". With 1 January a holiday the deadline is 5 January: on time.
    """
    station = await add_station(db, "Foshan station")
    manager = await add_person(db, 8001, station_id=station.id, language="en")
    await add_person(db, 8002, role=Role.staff.value, language="en")
    assert station.id is not None and manager.id is not None
    async with db.session() as session:
        late = Submission(station_id=station.id, kind="change_report", event_on=dt.date(2026, 12, 28),
                          due_on=dt.date(2027, 1, 4), late_workdays=1,
                          submitted_at=dt.datetime(2027, 1, 5, 10, 0, tzinfo=SHANGHAI))
        untouched = Submission(station_id=station.id, kind="change_report", event_on=dt.date(2027, 3, 1),
                               due_on=dt.date(2027, 3, 8), late_workdays=0,
                               submitted_at=dt.datetime(2027, 3, 2, 10, 0, tzinfo=SHANGHAI))
        session.add_all([late, untouched])
        await session.flush()
        assert late.id is not None and untouched.id is not None
        for sub in (late, untouched):
            assert sub.id is not None
            session.add(SubmissionVersion(submission_id=sub.id, version=1, submitted_by_person_id=manager.id,
                                          answers={"kind": "manager_change", "event_date": str(sub.event_on)}))
        await session.commit()
        late_id, untouched_id = late.id, untouched.id
    code, out = await run_cli(settings, db, capsys, "holidays", "load", write(tmp_path, "2027.csv", COMPLETE_2027))
    assert code == 0, out
    assert "change reports whose deadline or lateness changed: 1" in out
    async with db.session() as session:
        fixed = await session.get(Submission, late_id)
        same = await session.get(Submission, untouched_id)
    assert fixed is not None and same is not None
    assert (fixed.due_on, fixed.late_workdays) == (dt.date(2027, 1, 5), 0)
    assert (same.due_on, same.late_workdays) == (dt.date(2027, 3, 8), 0)
    notice = next(r for r in await rows(db) if r.idempotency_key.startswith("holidays-loaded:2027:"))
    text = render(reply_from_json(notice.payload["reply"]).text, translator("en"))
    assert "Change reports whose deadline or lateness changed with it: 1." in text  # staff in chat are told too


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("comments.csv", "# a comment\n\n# another\ndate,kind,name\n2027-01-01,holiday,x\n2027-02-30,holiday,x\n",
     "line 6: expected a date like 2027-02-06, got '2027-02-30'"),
    ("header.csv", "data,kind,name\n2027-01-01,holiday,x\n", "line 1: expected the header date,kind,name"),
    ("days.toml", "year = 2027\ndays = [1, 2]\n", "days must be a list of [[days]] tables"),
    ("year.toml", 'year = "2027"\n[[days]]\ndate = 2027-01-01\nkind = "holiday"\n', "year must be a number"),
    ("old.csv", "date,kind,name\n1999-01-01,holiday,x\n", "the year must be between 2000 and 2100, got 1999"),
    ("far.toml", '[[days]]\ndate = "2101-01-01"\nkind = "holiday"\n', "the year must be between 2000 and 2100"),
    ("gbk.csv", "date,kind,name\n2027-01-01,holiday,元旦\n".encode("gbk"), "is not UTF-8 text"),
    ("nul.csv", "date,kind,name\n2027-01-01,holiday,x\x00\n", "NUL byte"),
    ("long.csv", "date,kind,name\n2027-01-01,holiday," + "节" * 101 + "\n", "line 2: the name is at most 100 characters"),
])
async def test_bad_holiday_files_get_one_clear_line(settings: Settings, db: Database, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str], name: str,
                                                    content: str | bytes, expected: str) -> None:
    code, out = await run_cli(settings, db, capsys, "holidays", "load", write(tmp_path, name, content))
    assert code == 2 and expected in out, out
    assert out.count("\n") == 1 and "Traceback" not in out
    assert await count(db, HolidayDay) == 0


async def test_header_with_spaces_is_accepted(settings: Settings, db: Database, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    spaced = write(tmp_path, "spaced.csv", "date , kind , name\n2027-01-01 , holiday , 元旦\n")
    code, out = await run_cli(settings, db, capsys, "holidays", "load", spaced)
    assert code == 0, out
    assert await count(db, HolidayDay) == 1


@pytest.mark.parametrize("target", ["missing.csv", "."])
async def test_missing_file_or_directory(settings: Settings, db: Database, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str], target: str) -> None:
    code, out = await run_cli(settings, db, capsys, "holidays", "load", str(tmp_path / target))
    assert code == 2 and ("no such file" in out or "is a directory" in out) and out.count("\n") == 1


async def test_next_years_file_with_a_known_day_of_this_year_needs_force(settings: Settings, db: Database,
                                                                         tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """A 2027 schedule that marks 2026-12-31 off would shift 2026 deadlines: shown, refused without --force."""
    bridged = write(tmp_path, "2027.csv", COMPLETE_2027 + "2026-12-31,holiday,元旦调休\n")
    code, out = await run_cli(settings, db, capsys, "holidays", "load", bridged)
    assert code == 2 and "2026-12-31: the file says holiday, the bundled calendar says working day" in out
    assert await count(db, HolidayDay) == 0
    code, out = await run_cli(settings, db, capsys, "holidays", "load", bridged, "--force")
    assert code == 0 and "for 2026, 2027" in out
    async with db.session() as session:
        cal = await workday_calendar(session)
    assert not cal.is_workday(dt.date(2026, 12, 31)) and cal.is_workday(dt.date(2026, 12, 30))
    assert not cal.is_workday(dt.date(2026, 10, 1))
