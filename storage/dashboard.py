"""Counts by region for the staff dashboard."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import LIVE_STATUSES, Station, Submission


async def submission_status_by_region(session: AsyncSession, year: int) -> dict[str, dict[str, int]]:
    """``{region: {status: count}}`` of the year's submissions."""
    query = (select(Station.region, Submission.status, func.count())
             .join(Station, col(Station.id) == col(Submission.station_id))
             .where(Submission.year == year).group_by(col(Station.region), col(Submission.status)))
    found: dict[str, dict[str, int]] = {}
    for region, status, n in (await session.exec(query)).all():
        found.setdefault(region or "", {})[status] = int(n)
    return found



async def late_by_region(session: AsyncSession, year: int) -> dict[str, int]:
    """``{region: n}`` of the year's submissions that came in late (``late_workdays`` > 0) from live stations."""
    late = (select(Station.region, func.count()).select_from(Submission)
            .join(Station, col(Station.id) == col(Submission.station_id))
            .where(Submission.year == year, col(Submission.late_workdays) > 0,
                   col(Station.status).in_(LIVE_STATUSES)).group_by(col(Station.region)))
    return {region or "": int(n) for region, n in (await session.exec(late)).all()}


async def live_stations(session: AsyncSession) -> list[Station]:
    return list((await session.exec(select(Station).where(col(Station.status).in_(LIVE_STATUSES)))).all())


async def submitted_triples(session: AsyncSession) -> set[tuple[int, str, int]]:
    """Every ``(station_id, kind, year)`` filed, to check duties against."""
    rows = (await session.exec(select(Submission.station_id, Submission.kind, Submission.year))).all()
    return {(station_id, kind, year) for station_id, kind, year in rows if station_id is not None and year is not None}
