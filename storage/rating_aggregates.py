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

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.profile import RatingSpec, load_profile
from rules.satisfaction import SatisfactionAggregate, aggregate, summarise
from storage.listings import rated_in
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


async def rating_aggregates(session: AsyncSession, year: int, station_ids: Sequence[int] | None = None, *,
                            tz: dt.tzinfo, per_dimension: bool = False, chunk: int = 2000) -> list[StationSatisfaction]:
    """Per station with service ratings in ``year``: the count, and the aggregates when there are enough.

    The mean is taken in SQL over the stored scores (each computed with the profile's level points when
    the rating was given; the 3a9c1e5b7d20 migration re-scored older ones): a network's year is
    hundreds of thousands of ratings. ``per_dimension`` (mean stars per question) streams the stars,
    one station at a time in memory: asked for by the views of one station or a manager's export.
    """
    where: list[Any] = [*rated_in(year, tz), col(RatingRequest.kind) == "service"]
    if station_ids is not None:
        where.append(col(Rating.station_id).in_(list(station_ids)))
    query = (sa_select(col(Rating.station_id), col(Station.name), col(Station.policy_profile), func.count(),
                       func.avg(col(Rating.score)))
             .join(RatingRequest, col(RatingRequest.id) == col(Rating.request_id))
             .join(Station, col(Station.id) == col(Rating.station_id))
             .where(*where).group_by(col(Rating.station_id), col(Station.name), col(Station.policy_profile))
             .order_by(col(Rating.station_id)))
    # One buffered fetch: a stream (a server-side cursor on PostgreSQL, an await per row everywhere) was most
    # of the time for a network's year of thousands of stations.
    rows = (await (await session.connection()).execute(query)).all()
    stars: dict[int, dict[str, float]] = {}
    if per_dimension and rows:
        stars = await _mean_stars(session, where, chunk)
    found: list[StationSatisfaction] = []
    specs: dict[str, RatingSpec] = {}  # thousands of rows, a handful of profiles
    for station_id, name, profile, count, average in rows:
        spec = specs.get(profile) or specs.setdefault(profile, load_profile(profile).rating)
        mean_stars = stars.get(int(station_id))
        summary = summarise(int(count), float(average) if average is not None else None,
                            {d.id: mean_stars[d.id] for d in spec.dimensions if d.id in mean_stars}
                            if mean_stars else {}, spec)
        found.append(StationSatisfaction(int(station_id), name, profile, spec.target, summary))
    return found


async def _mean_stars(session: AsyncSession, where: list[Any], chunk: int) -> dict[int, dict[str, float]]:
    """Mean stars per question and station (answers outside 1..10 or not whole numbers are ignored)."""
    query = (sa_select(col(Rating.station_id), col(Rating.scores))
             .join(RatingRequest, col(RatingRequest.id) == col(Rating.request_id))
             .where(*where).order_by(col(Rating.station_id)))
    sums: dict[int, dict[str, list[int]]] = {}
    result = await session.stream(query.execution_options(yield_per=chunk))
    async for partition in result.partitions(chunk):
        for station_id, scores in partition:
            station = sums.setdefault(int(station_id), {})
            for key, value in (scores or {}).items():
                if type(value) is int and 1 <= value <= 10:
                    pair = station.setdefault(key, [0, 0])
                    pair[0] += value
                    pair[1] += 1
    return {sid: {key: total / n for key, (total, n) in keys.items()} for sid, keys in sums.items()}


async def station_satisfaction(session: AsyncSession, station: Station, year: int, *,
                               tz: dt.tzinfo) -> StationSatisfaction:
    """One station's year, also when it has no ratings (count 0, nothing shown)."""
    assert station.id is not None
    found = await rating_aggregates(session, year, [station.id], tz=tz, per_dimension=True)
    if found:
        return found[0]
    spec = load_profile(station.policy_profile).rating
    return StationSatisfaction(station.id, station.name, station.policy_profile, spec.target,
                               aggregate([], spec))
