"""Yearly demand-side evaluations: one request per unit a station served in the year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.profile import all_profiles
from storage.datetimes import db_time
from storage.models import Activity, RatingRequest, Station


@dataclass(frozen=True)
class NewRequest:
    request: RatingRequest
    station: Station


async def served_units(session: AsyncSession, station_id: int, year: int) -> list[int]:
    query = (select(Activity.demand_unit_id)
             .where(Activity.station_id == station_id, col(Activity.demand_unit_id).is_not(None),
                    Activity.started_on >= dt.date(year, 1, 1), Activity.started_on <= dt.date(year, 12, 31))
             .distinct())
    return sorted(unit for unit in (await session.exec(query)).all() if unit is not None)


async def create_yearly_requests(session: AsyncSession, year: int, now: dt.datetime) -> list[NewRequest]:
    """Requests for every active station whose profile asks for it; existing ones are not repeated."""
    profiles = {pid for pid, p in all_profiles().items() if p.rating.yearly_evaluation.enabled}
    stations = (await session.exec(select(Station).where(col(Station.policy_profile).in_(sorted(profiles)),
                                                         Station.status == "active"))).all()
    created: list[NewRequest] = []
    for station in stations:
        assert station.id is not None
        days = all_profiles()[station.policy_profile].rating.token_days
        existing = set((await session.exec(select(RatingRequest.demand_unit_id).where(
            RatingRequest.station_id == station.id, RatingRequest.kind == "yearly",
            RatingRequest.year == year))).all())
        for unit_id in await served_units(session, station.id, year):
            if unit_id in existing:
                continue
            request = RatingRequest(kind="yearly", station_id=station.id, demand_unit_id=unit_id, year=year,
                                    status="open", created_at=db_time(now),
                                    expires_at=db_time(now) + dt.timedelta(days=days))
            session.add(request)
            await session.flush()
            created.append(NewRequest(request, station))
    return created
