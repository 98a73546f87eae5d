"""The export reads the ledger and ratings through the driver: each value equals what SQLAlchemy's types gave.

``storage.export_streams`` skips SQLAlchemy's per-value result processing (a million ledger rows in a
network's year) and converts each column once per partition; the attachments are counted in SQL. These
tests read the same rows both ways, on both databases, over the values that differ by database: dates
(ISO text on SQLite), a NULL date, times (UTC), JSON counters (numbers, a boolean, text, an empty
object), attachment lists (two files, none, a JSON ``null``), a float score and a comment.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlmodel import col, select

from bot.workbook import local_time
from storage import export_streams
from storage.db import Database
from storage.listings import rated_in
from storage.models import Activity, Rating
from tests.conftest import SHANGHAI
from tests.webapp.seed import seed

COLUMNS = ["id", "station_id", "activity_type", "title", "started_on", "ended_on", "participants", "outcomes",
           "attachments", "experts", "experts_count", "demand_unit_id", "created_at"]


def _utc(value: Any) -> Any:
    """A time read from SQLite's text is naive, in UTC as stored; SQLAlchemy's type gave it aware."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    return value


async def _edge_rows(db: Database) -> None:
    seeded = await seed(db, activities=3)
    async with db.session() as session:
        rows = (await session.exec(select(Activity).order_by(col(Activity.id)))).all()
        first, second, third = rows[0], rows[1], rows[2]
        assert first.id == seeded.first_activity_id
        first.ended_on = dt.date(2027, 1, 12)
        first.attachments = [{"file_id": "a", "name": "签到表.pdf"}, {"file_id": "b", "name": "照片.jpg"}]
        first.outcomes = {"problems_solved": 2, "reports_written": 1.5, "flag": True, "text": "3"}
        second.outcomes = {}
        second.demand_unit_id = None
        third.attachments = None  # type: ignore[assignment]  # stored as JSON null: counted as no files
        session.add_all([first, second, third])
        await session.commit()


async def test_ledger_read_through_the_driver_equals_sqlalchemys_values(db: Database) -> None:
    """Dates, a NULL date, UTC times and JSON counters equal the ORM types' values; attachments are their count."""
    await _edge_rows(db)
    async with db.session() as session:
        old = [tuple(r) for r in (await (await session.connection()).execute(
            sa_select(*(export_streams.ledger_column(name) for name in COLUMNS))
            .where(col(Activity.started_on) >= dt.date(2027, 1, 1), col(Activity.started_on) <= dt.date(2027, 12, 31))
            .order_by(col(Activity.station_id), col(Activity.started_on), col(Activity.id)))).all()]
        new = [row async for partition in export_streams.stream_ledger(session, None, 2027, COLUMNS, chunk=2,
                                                                        counted={"attachments"})
               for row in partition]
    assert len(new) == len(old) == 4, "every row, across partitions of two"
    files = COLUMNS.index("attachments")
    for before, after in zip(old, new, strict=True):
        expected = [_utc(v) for v in before]
        expected[files] = len(before[files] or ())
        assert [_utc(v) for v in after] == expected
    by_id = {row[0]: row for row in new}
    first = by_id[min(by_id)]
    assert first[COLUMNS.index("ended_on")] == dt.date(2027, 1, 12) and type(first[COLUMNS.index("started_on")]) is dt.date
    assert first[COLUMNS.index("outcomes")] == {"problems_solved": 2, "reports_written": 1.5, "flag": True, "text": "3"}
    assert first[files] == 2
    assert sorted(row[files] for row in new) == [0, 0, 0, 2], "no files, and a JSON null, count as 0"
    assert any(row[COLUMNS.index("ended_on")] is None for row in new), "a NULL date stays empty"
    assert any(row[COLUMNS.index("demand_unit_id")] is None for row in new)


async def test_ratings_read_through_the_driver_equal_sqlalchemys_values(db: Database) -> None:
    """A rating's time (UTC), float score, JSON scores and comment equal the ORM types' values."""
    await seed(db)
    async with db.session() as session:
        old = [tuple(r) for r in (await (await session.connection()).execute(
            sa_select(*(Rating.__table__.columns[name] for name in export_streams.RATING_COLUMNS))  # type: ignore[attr-defined]
            .where(*rated_in(2027, SHANGHAI)).order_by(col(Rating.id)))).all()]
        new = [row async for partition in export_streams.stream_ratings(session, None, 2027, 1, tz=SHANGHAI)
               for row in partition]
    assert old and len(new) == len(old)
    assert [[_utc(v) for v in row] for row in new] == [[_utc(v) for v in row] for row in old]
    assert all(isinstance(row[3], dict) and isinstance(row[2], float) for row in new)


def test_local_time_equals_astimezone_across_daylight_saving_changes() -> None:
    """The sheet's times add an hour's cached offset: every minute around New York's two changes, and Shanghai's
    year, equals converting each value through the zone (aware values too)."""
    for zone, starts in ((ZoneInfo("America/New_York"), (dt.datetime(2026, 3, 8, 5), dt.datetime(2026, 11, 1, 4))),
                         (SHANGHAI, (dt.datetime(2026, 1, 1), dt.datetime(2026, 12, 31, 15)))):
        local = local_time(zone)
        for start in starts:
            for minute in range(0, 4 * 60, 7):
                utc = start + dt.timedelta(minutes=minute, microseconds=minute)
                expected = utc.replace(tzinfo=dt.UTC).astimezone(zone).replace(tzinfo=None)
                assert local(utc) == expected, utc
                assert local(utc.replace(tzinfo=dt.UTC)) == expected
    assert local(None) is None and local(dt.date(2026, 1, 1)) == dt.date(2026, 1, 1)
