"""guiyang-kczg progress notes (1 July, 1 October): the ledger is added up on a note date, or on the first
sweep after it when the bot was down, and not on the daily sweeps in between (they read no ledger)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlmodel import select

from bot.jobs import enqueue_due
from services.stations import society_named
from storage.db import Database
from storage.models import Activity, AuditLog, Person
from tests.conftest import SHANGHAI
from tests.helpers import add_station
from tests.outbox.support import add_person, rows


@contextmanager
def ledger_sums(db: Database) -> Iterator[list[str]]:
    """The statements that add up the ledger (the distinct needs of the minimums), as they run."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "count(DISTINCT activity.need_id)" in statement:
            seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8, 30), tzinfo=SHANGHAI)


async def test_progress_totals_are_read_on_the_note_date_or_when_catching_up_only(db: Database) -> None:
    async with db.session() as session:
        society = await society_named(session, "Municipal society", "municipal")
        await session.commit()
    behind = await add_station(db, "Behind station", profile="guiyang-kczg", society_id=society.id)
    # No founding society: no minimum applies to it, so it never gets a note; its totals were read every day.
    await add_station(db, "Free station", profile="guiyang-kczg")
    await add_person(db, 7101, station_id=behind.id, language="en")

    with ledger_sums(db) as sums:
        await enqueue_due(db, at(dt.date(2027, 7, 3)))  # the bot was down on 1 July: catching up
    assert len(sums) == 1
    keys = {r.idempotency_key for r in await rows(db)}
    assert f"minimums:2027-07-01:station-{behind.id}:person-1" in keys
    async with db.session() as session:
        checks = (await session.exec(select(AuditLog).where(AuditLog.action == "progress_notes"))).all()
    assert [(c.subject, c.detail) for c in checks] == [("progress:guiyang-kczg:2027-07-01", {"behind": [behind.id]})]

    for day in (dt.date(2027, 7, 4), dt.date(2027, 9, 30)):
        with ledger_sums(db) as sums:
            await enqueue_due(db, at(day))
        assert sums == [], f"{day}: no note date has come since the last check"
    with ledger_sums(db) as sums:
        await enqueue_due(db, at(dt.date(2027, 10, 1)))
    assert len(sums) == 1
    assert f"minimums:2027-10-01:station-{behind.id}:person-1" in {r.idempotency_key for r in await rows(db)}


async def test_inactivity_warning_asks_the_ledger_only_for_stations_in_their_window(db: Database) -> None:
    """Seed 004 第十八条（四） (no progress within a year of founding), warned at 9 months: not a station that logged."""
    idle = await add_station(db, "Idle station", profile="quzhou", founded_on=dt.date(2026, 10, 1))
    busy = await add_station(db, "Busy station", profile="quzhou", founded_on=dt.date(2026, 10, 1))
    await add_person(db, 7201, station_id=idle.id)
    await add_person(db, 7202, station_id=busy.id)
    async with db.session() as session:
        logger = (await session.exec(select(Person).where(Person.station_id == busy.id))).one()
        session.add(Activity(station_id=busy.id or 0, activity_type="tackling", title="t",
                             started_on=dt.date(2026, 11, 2), logged_by_person_id=logger.id or 0))
        await session.commit()
    await enqueue_due(db, at(dt.date(2027, 7, 1)))
    keys = {r.idempotency_key for r in await rows(db)}
    assert any(k.startswith(f"no-activity:station-{idle.id}:M-9") for k in keys)
    assert not any(k.startswith(f"no-activity:station-{busy.id}:") for k in keys)
