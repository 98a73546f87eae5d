"""Ledger queries shared by /status, reminders and exports."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.scoring import LedgerTotals, totals_from_rows
from storage.models import Activity, Rating, Submission


async def year_totals(session: AsyncSession, station_id: int, year: int) -> LedgerTotals:
    """One station's year, added up (rows are streamed, not held: a busy station has thousands)."""
    query = select(Activity).where(Activity.station_id == station_id, Activity.started_on >= dt.date(year, 1, 1),
                                   Activity.started_on <= dt.date(year, 12, 31))
    result = await session.stream_scalars(query.execution_options(yield_per=500))
    rows = [row async for row in result]
    return totals_from_rows(rows)


async def submitted_pairs(session: AsyncSession, station_id: int) -> set[tuple[str, int]]:
    """``(kind, covered year)`` of every yearly submission the station has made."""
    query = select(Submission.kind, Submission.year).where(Submission.station_id == station_id,
                                                           col(Submission.year).is_not(None))
    return {(kind, int(year)) for kind, year in (await session.exec(query)).all() if year is not None}


async def satisfaction(session: AsyncSession, station_id: int, year: int) -> tuple[float | None, int]:
    start = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
    query = select(func.avg(Rating.score), func.count()).where(Rating.station_id == station_id,
                                                               Rating.created_at >= start, Rating.created_at < end)
    average, count = (await session.exec(query)).one()
    return (float(average) if average is not None else None), int(count)


async def month_counts(session: AsyncSession, station_id: int, year: int) -> dict[int, int]:
    """Activities per month of one station's year (for the manager's chart)."""
    month = func.extract("month", col(Activity.started_on))
    query = (select(month, func.count())
             .where(Activity.station_id == station_id, Activity.started_on >= dt.date(year, 1, 1),
                    Activity.started_on <= dt.date(year, 12, 31))
             .group_by(month))
    return {int(m): int(n) for m, n in (await session.exec(query)).all()}
