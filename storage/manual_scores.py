"""Staff scores of the manual rows of a station's assessment table, per station and year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditLog, ManualScore, Station, StationStatus


async def manual_points(session: AsyncSession, year: int,
                        station_ids: Sequence[int] | None = None) -> dict[int, dict[str, float]]:
    """``{station_id: {item_id: points}}`` of the rows staff have scored for ``year``.

    A row absent here is not scored yet (not 0): the estimate shows it as a range.
    This is the ``extra_inputs`` of ``rules.scoring.estimate_score``.
    """
    query = select(ManualScore).where(ManualScore.year == year)
    if station_ids is not None:
        query = query.where(col(ManualScore.station_id).in_(list(station_ids)))
    found: dict[int, dict[str, float]] = {}
    for row in (await session.exec(query)).all():
        found.setdefault(row.station_id, {})[row.item_id] = row.points
    return found


async def set_manual_points(session: AsyncSession, *, station_id: int, year: int, points: Mapping[str, float],
                            person_id: int | None, now: dt.datetime, source: str = "chat") -> None:
    """Store (or replace) the points of some rows; the caller has checked them against the maxima.

    Every change goes to the audit log with the old and new points: a station's title depends on them.
    """
    await set_many(session, year=year, values={station_id: points}, person_id=person_id, now=now, source=source)


async def set_many(session: AsyncSession, *, year: int, values: Mapping[int, Mapping[str, float]],
                   person_id: int | None, now: dt.datetime, source: str) -> int:
    """Store checked points of many stations in the caller's transaction (one read, one flush); rows written."""
    if not values:
        return 0
    existing = {(row.station_id, row.item_id): row for row in (await session.exec(select(ManualScore).where(
        ManualScore.year == year, col(ManualScore.station_id).in_(list(values))))).all()}
    written = 0
    for station_id, points in values.items():
        for item_id, value in points.items():
            row = existing.get((station_id, item_id))
            old = row.points if row is not None else None
            if row is None:
                row = ManualScore(station_id=station_id, year=year, item_id=item_id, points=value)
            row.points = value
            row.source = source
            row.scored_by_person_id = person_id
            row.scored_at = now
            session.add(row)
            written += 1
            if old != value:
                session.add(AuditLog(at=now, person_id=person_id, action="manual_score",
                                     subject=f"station:{station_id}",
                                     detail={"year": year, "item": item_id, "old": old, "new": value,
                                             "source": source}))
    await session.flush()
    return written


async def scorable_stations(session: AsyncSession, profile_ids: Sequence[str]) -> list[Station]:
    """Live stations (active or rectifying) of the profiles whose table has rows scored by staff."""
    if not profile_ids:
        return []
    query = (select(Station).where(col(Station.policy_profile).in_(list(profile_ids)),
                                   col(Station.status).in_([StationStatus.active.value, StationStatus.rectifying.value]))
             .order_by(col(Station.id)))
    return list((await session.exec(query)).all())
