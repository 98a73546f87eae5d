"""The one place rating aggregates are computed: /status, /ratings, exports, the API and charts call it.

Service ratings of a year (by the day they were given) are summarised per station with
``rules.satisfaction.aggregate``, which applies the anonymity minimum: below 3 ratings a
station's aggregate holds its count and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.profile import load_profile
from rules.satisfaction import SatisfactionAggregate, aggregate
from storage.models import Rating, RatingRequest, Station


@dataclass(frozen=True)
class StationSatisfaction:
    """One station's year; ``aggregate.average`` is None below the minimum (never a single rating's score)."""

    station_id: int
    station_name: str
    profile: str
    target: float
    aggregate: SatisfactionAggregate

    @property
    def count(self) -> int:
        return self.aggregate.count

    @property
    def average(self) -> float | None:
        return self.aggregate.average


def _year(year: int) -> list[Any]:
    return [col(Rating.created_at) >= dt.datetime(year, 1, 1, tzinfo=dt.UTC),
            col(Rating.created_at) < dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)]


async def rating_aggregates(session: AsyncSession, year: int, station_ids: Sequence[int] | None = None,
                            chunk: int = 2000) -> list[StationSatisfaction]:
    """Per station with service ratings in ``year``: the count, and the aggregates when there are enough.

    The ratings are streamed as ``(station_id, stars)`` columns in station order and summarised one
    station at a time, so only one station's ratings are in memory.
    """
    where = [*_year(year), col(RatingRequest.kind) == "service"]
    station_where: list[Any] = []
    if station_ids is not None:
        where.append(col(Rating.station_id).in_(list(station_ids)))
        station_where.append(col(Station.id).in_(list(station_ids)))
    known = {int(sid or 0): (name, profile) for sid, name, profile in (await session.exec(
        select(Station.id, Station.name, Station.policy_profile).where(*station_where))).all()}
    query = (sa_select(col(Rating.station_id), col(Rating.scores))
             .join(RatingRequest, col(RatingRequest.id) == col(Rating.request_id))
             .where(*where).order_by(col(Rating.station_id), col(Rating.id)))
    found: list[StationSatisfaction] = []

    def close(station_id: int, ratings: list[dict[str, Any]]) -> None:
        if station_id not in known:
            return
        name, profile = known[station_id]
        spec = load_profile(profile).rating
        found.append(StationSatisfaction(station_id, name, profile, spec.target, aggregate(ratings, spec)))

    current: int | None = None
    batch: list[dict[str, Any]] = []
    result = await session.stream(query.execution_options(yield_per=chunk))
    async for partition in result.partitions(chunk):
        for station_id, scores in partition:
            if station_id != current and current is not None:
                close(current, batch)
                batch = []
            current = int(station_id)
            batch.append(scores or {})
    if current is not None:
        close(current, batch)
    return found


async def station_satisfaction(session: AsyncSession, station: Station, year: int) -> StationSatisfaction:
    """One station's year, also when it has no ratings (count 0, nothing shown)."""
    assert station.id is not None
    found = await rating_aggregates(session, year, [station.id])
    if found:
        return found[0]
    spec = load_profile(station.policy_profile).rating
    return StationSatisfaction(station.id, station.name, station.policy_profile, spec.target,
                               aggregate([], spec))
