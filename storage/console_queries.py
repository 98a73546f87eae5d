"""Read queries behind the staff web console's pages: stations by filter, overview counts, overdue stations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.deadlines import annual_due_date, covered_year, owed
from rules.profile import load_profile
from storage.models import LIVE_STATUSES, Society, Station, Submission
from storage.policy import effective_profiles

SORTS = {"name": col(Station.name), "region": col(Station.region), "profile": col(Station.policy_profile),
         "status": col(Station.status), "id": col(Station.id)}
PAGE_SIZE = 50


@dataclass(frozen=True)
class StationFilter:
    profile: str = ""
    region: str = ""
    society_id: int | None = None
    status: str = ""
    overdue: bool = False
    search: str = ""
    sort: str = "name"
    descending: bool = False
    page: int = 1


async def overdue_station_ids(session: AsyncSession, today: dt.date) -> set[int]:
    """Live stations with a yearly item of this year past due and not in (the rule of ``overdue_by_region``).

    Due dates depend on the profile only, so they are worked out once per profile; stations are read as
    bare columns (10,000 ORM objects per page view would dominate the page's time).
    """
    year = today.year
    profiles = await effective_profiles(session)
    past_due: dict[str, list[tuple[Any, int]]] = {}
    rows = (await session.exec(select(col(Station.id), col(Station.policy_profile), col(Station.founded_on))
                               .where(col(Station.status).in_(LIVE_STATUSES)))).all()
    owing = [(i, p, f) for i, p, f in rows]
    for profile_id in {p for _, p, _ in owing}:
        profile = profiles.get(profile_id) or load_profile(profile_id)
        past_due[profile_id] = [(spec, covered_year(spec, year)) for spec in profile.duties
                                if (due := annual_due_date(spec, year, profile)) is not None and due < today]
    if not any(past_due.values()):
        return set()
    done = set((await session.exec(select(Submission.station_id, Submission.kind, Submission.year)
                                   .where(col(Submission.year).in_({c for v in past_due.values() for _, c in v})))).all())
    found: set[int] = set()
    for station_id, profile_id, founded_on in owing:
        for spec, covered in past_due[profile_id]:
            if owed(spec, covered, founded_on) and (station_id, spec.id, covered) not in done:
                found.add(station_id or 0)
                break
    return found


async def find_stations(session: AsyncSession, wanted: StationFilter,
                        today: dt.date) -> tuple[list[tuple[Station, str]], int]:
    """One page of (station, society name) matching ``wanted`` and the total count."""
    where: list[Any] = []
    if wanted.profile:
        where.append(Station.policy_profile == wanted.profile)
    if wanted.region:
        where.append(Station.region == wanted.region)
    if wanted.society_id is not None:
        where.append(Station.society_id == wanted.society_id)
    if wanted.status:
        where.append(Station.status == wanted.status)
    if wanted.search:
        like = f"%{wanted.search.strip()}%"
        where.append(or_(col(Station.name).ilike(like), col(Station.host_unit_name).ilike(like),
                         col(Station.plaque_name).ilike(like), col(Station.region).ilike(like)))
    if wanted.overdue:
        where.append(col(Station.id).in_(sorted(await overdue_station_ids(session, today))))
    total = int((await session.exec(select(func.count()).select_from(Station).where(*where))).one())
    order = SORTS.get(wanted.sort, SORTS["name"])
    query = (select(Station, Society.name).outerjoin(Society, col(Society.id) == col(Station.society_id))
             .where(*where).order_by(order.desc() if wanted.descending else order.asc(), col(Station.id))
             .offset((max(wanted.page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    rows = [(station, society or "") for station, society in (await session.exec(query)).all()]
    return rows, total


async def stations_by_profile_and_status(session: AsyncSession) -> dict[str, dict[str, int]]:
    query = select(Station.policy_profile, Station.status, func.count()).group_by(
        col(Station.policy_profile), col(Station.status))
    found: dict[str, dict[str, int]] = {}
    for profile, status, n in (await session.exec(query)).all():
        found.setdefault(profile, {})[status] = int(n)
    return found


async def filter_choices(session: AsyncSession) -> dict[str, list[Any]]:
    """The values the stations list offers in its filter menus."""
    regions = (await session.exec(select(Station.region).distinct().order_by(col(Station.region)))).all()
    profiles = (await session.exec(select(Station.policy_profile).distinct().order_by(col(Station.policy_profile)))).all()
    societies = (await session.exec(select(Society.id, Society.name).order_by(col(Society.name)))).all()
    return {"regions": [r for r in regions if r], "profiles": list(profiles), "societies": list(societies)}
