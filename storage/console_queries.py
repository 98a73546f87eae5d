"""Read queries behind the staff web console's pages: stations by filter, overview counts, a station's history.

What the chat and the API also show (overdue items, satisfaction, submissions and ledger counts) comes from
their own queries in ``storage.dashboard``, ``storage.listings`` and ``storage.rating_aggregates``; only what the console alone
shows is queried here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.deadlines import PastDue
from storage.dashboard import missing_items
from storage.models import (
    AuditLog,
    Consequence,
    DemandUnit,
    Person,
    RatingRequest,
    Society,
    Station,
    SubmissionVersion,
)
from storage.rating_aggregates import StationSatisfaction
from storage.station_search import cleaned, matching

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


async def find_stations(session: AsyncSession, wanted: StationFilter,
                        past_due: Mapping[str, Sequence[PastDue]]) -> tuple[list[tuple[Station, str]], int]:
    """One page of (station, society name) matching ``wanted`` and the total count; ``past_due`` (per profile,
    ``services.dashboard.past_due_by_profile``) decides "has overdue items" exactly as the dashboard counts them.
    The search is a substring of a name, the host unit, region, credit code or approval number
    (``storage.station_search``: from a trigram index from three characters on)."""
    where: list[Any] = []
    if wanted.profile:
        where.append(Station.policy_profile == wanted.profile)
    if wanted.region:
        where.append(Station.region == wanted.region)
    if wanted.society_id is not None:
        where.append(Station.society_id == wanted.society_id)
    if wanted.status:
        where.append(Station.status == wanted.status)
    search = cleaned(wanted.search)
    if search:
        where.append(matching(search, (await session.connection()).dialect.name))
    if wanted.overdue:
        missing = missing_items(past_due)
        if missing is None:
            return [], 0
        where.append(col(Station.id).in_(sa_select(missing.subquery().c.station_id)))
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


@dataclass(frozen=True)
class ProfileSatisfaction:
    """One profile's stations against its satisfaction target (figures from ``rating_aggregates``)."""

    profile: str
    rated: int  # stations with service ratings this year
    shown: int  # of those, with enough ratings for an aggregate (the anonymity minimum)
    met: int  # of those, meeting the target
    ratings: int  # service ratings counted


def satisfaction_by_profile(found: Sequence[StationSatisfaction]) -> dict[str, ProfileSatisfaction]:
    """Per profile: the same per-station aggregates /dashboard draws and the API lists, counted."""
    grouped: dict[str, list[StationSatisfaction]] = {}
    for item in found:
        grouped.setdefault(item.profile, []).append(item)
    return {profile: ProfileSatisfaction(profile, len(items), sum(1 for i in items if i.aggregate.shown),
                                         sum(1 for i in items if i.aggregate.met), sum(i.count for i in items))
            for profile, items in grouped.items()}


async def consequence_counts(session: AsyncSession, round_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """``{round id: {status: n}}`` of the verdicts' consequences (proposed, confirmed, dismissed ...)."""
    if not round_ids:
        return {}
    query = (select(Consequence.round_id, Consequence.status, func.count())
             .where(col(Consequence.round_id).in_(list(round_ids)))
             .group_by(col(Consequence.round_id), col(Consequence.status)))
    found: dict[int, dict[str, int]] = {}
    for round_id, status, n in (await session.exec(query)).all():
        found.setdefault(round_id or 0, {})[status] = int(n)
    return found


async def status_history(session: AsyncSession, station_id: int) -> list[tuple[AuditLog, str | None]]:
    """The station's status changes, newest first, with their reasons (``storage.consequences.set_station_status``
    audits each one) and the name of the staff member who made it."""
    query = (select(AuditLog, Person.name).outerjoin(Person, col(Person.id) == col(AuditLog.person_id))
             .where(AuditLog.action == "station_status", AuditLog.subject == f"station:{station_id}")
             .order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc()))
    return [(entry, name) for entry, name in (await session.exec(query)).all()]


async def units_of_requests(session: AsyncSession, request_ids: Sequence[int]) -> dict[int, str]:
    """``{rating request id: demand unit name}`` for a page of ratings, in one query."""
    if not request_ids:
        return {}
    query = (select(RatingRequest.id, DemandUnit.name)
             .join(DemandUnit, col(DemandUnit.id) == col(RatingRequest.demand_unit_id))
             .where(col(RatingRequest.id).in_(list(request_ids))))
    return {int(i or 0): name for i, name in (await session.exec(query)).all()}


@dataclass(frozen=True)
class VersionRow:
    version: int
    submitted_at: dt.datetime
    by: str


async def versions_of(session: AsyncSession, submission_ids: Sequence[int]) -> dict[int, list[VersionRow]]:
    """Every version of these submissions, oldest first, with who submitted it (one query)."""
    if not submission_ids:
        return {}
    query = (select(col(SubmissionVersion.submission_id), col(SubmissionVersion.version),
                       col(SubmissionVersion.submitted_at), col(Person.name))
             .join(Person, col(Person.id) == col(SubmissionVersion.submitted_by_person_id), isouter=True)
             .where(col(SubmissionVersion.submission_id).in_(list(submission_ids)))
             .order_by(col(SubmissionVersion.submission_id), col(SubmissionVersion.version)))
    found: dict[int, list[VersionRow]] = {}
    for submission_id, version, at, name in (await session.exec(query)).all():
        found.setdefault(int(submission_id), []).append(VersionRow(int(version), at, name or ""))
    return found
