"""Counts by region for the staff dashboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, or_, union_all
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.deadlines import PastDue, past_due
from rules.profile import load_profile
from storage.models import LIVE_STATUSES, Station, Submission
from storage.policy import effective_profiles


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


async def live_profiles(session: AsyncSession) -> list[str]:
    """The policy profiles live stations are on."""
    query = select(Station.policy_profile).where(col(Station.status).in_(LIVE_STATUSES)).distinct()
    return sorted((await session.exec(query)).all())


async def live_regions(session: AsyncSession) -> list[str]:
    query = select(Station.region).where(col(Station.status).in_(LIVE_STATUSES)).distinct()
    return [region or "" for region in (await session.exec(query)).all()]


def missing_items(past_due: Mapping[str, Sequence[PastDue]]) -> Any | None:
    """A query of ``(station_id, region)`` rows, one per past-due item (``past_due``: per profile) not filed by a
    live station that owes it; None when nothing is past due. The rule ``owed`` arrives as a bound on
    ``founded_on``, so the whole network is answered by the database (a NOT EXISTS per item on the
    (station, kind, year) index) and not by testing each station in Python.
    """
    parts: list[Any] = []
    for profile_id, items in sorted(past_due.items()):
        for item in items:
            filed = sa_select(col(Submission.id)).where(col(Submission.station_id) == col(Station.id),
                                                        col(Submission.kind) == item.kind,
                                                        col(Submission.year) == item.year)
            parts.append(sa_select(col(Station.id).label("station_id"), col(Station.region).label("region"))
                         .where(col(Station.policy_profile) == profile_id, col(Station.status).in_(LIVE_STATUSES),
                                or_(col(Station.founded_on).is_(None), col(Station.founded_on) <= item.latest_start),
                                ~filed.exists()))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else union_all(*parts)


async def missing_by_region(session: AsyncSession, past_due: Mapping[str, Sequence[PastDue]]) -> dict[str, int]:
    """``{region: n}`` of the items ``missing_items`` finds."""
    missing = missing_items(past_due)
    if missing is None:
        return {}
    items = missing.subquery()
    counted = select(items.c.region, func.count()).group_by(items.c.region)
    return {region or "": int(n) for region, n in (await session.exec(counted)).all()}


async def past_due_by_profile(session: AsyncSession, today: dt.date) -> dict[str, list[PastDue]]:
    """Per profile of a live station: this year's yearly items past due on ``today`` (policy overrides applied)."""
    profiles = await effective_profiles(session)
    return {profile_id: past_due(profiles.get(profile_id) or load_profile(profile_id), today)
            for profile_id in await live_profiles(session)}


async def overdue_station_ids(session: AsyncSession, today: dt.date) -> set[int]:
    """Live stations with an item past due and not in (``missing_items``): the broadcast audience "overdue"."""
    missing = missing_items(await past_due_by_profile(session, today))
    if missing is None:
        return set()
    items = missing.subquery()
    return {int(i) for i in (await session.exec(select(items.c.station_id).distinct())).all()}
