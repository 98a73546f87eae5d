"""Filtered, paged lists of stations, submissions, ledger rows and ratings (the staff API, the console, exports)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import db_time
from storage.models import Activity, Rating, Station, Submission


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _station_filters(profile: str | None, region: str | None, status: str | None,
                     station_ids: Sequence[int] | None) -> list[Any]:
    where: list[Any] = []
    if profile:
        where.append(Station.policy_profile == profile)
    if region:
        where.append(Station.region == region)
    if status:
        where.append(Station.status == status)
    if station_ids is not None:
        where.append(col(Station.id).in_(list(station_ids)))
    return where


async def count_stations(session: AsyncSession, profile: str | None = None, region: str | None = None,
                         status: str | None = None, station_ids: Sequence[int] | None = None) -> int:
    query = select(func.count()).select_from(Station).where(*_station_filters(profile, region, status, station_ids))
    return int((await session.exec(query)).one())


async def list_stations(session: AsyncSession, profile: str | None = None, region: str | None = None,
                        status: str | None = None, station_ids: Sequence[int] | None = None,
                        limit: int | None = None, offset: int = 0) -> list[Station]:
    query = (select(Station).where(*_station_filters(profile, region, status, station_ids))
             .order_by(col(Station.id)).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    return list((await session.exec(query)).all())


def _submission_filters(year: int | None, station_ids: Sequence[int] | None,
                        submitted: tuple[dt.datetime, dt.datetime] | None = None) -> list[Any]:
    where: list[Any] = []
    if year is not None:
        where.append(Submission.year == year)
    if station_ids is not None:
        where.append(col(Submission.station_id).in_(list(station_ids)))
    if submitted is not None:
        where.extend([col(Submission.submitted_at) >= submitted[0], col(Submission.submitted_at) < submitted[1]])
    return where


async def count_submissions(session: AsyncSession, year: int | None = None,
                            station_ids: Sequence[int] | None = None, *,
                            submitted: tuple[dt.datetime, dt.datetime] | None = None) -> int:
    """``submitted``: [start, end) of the time the submission came in (a month, for the console's overview)."""
    query = select(func.count()).select_from(Submission).where(*_submission_filters(year, station_ids, submitted))
    return int((await session.exec(query)).one())


async def list_submissions(session: AsyncSession, year: int | None = None, station_ids: Sequence[int] | None = None,
                           limit: int | None = None, offset: int = 0) -> list[Submission]:
    query = (select(Submission).where(*_submission_filters(year, station_ids))
             .order_by(col(Submission.id)).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    return list((await session.exec(query)).all())


def activity_filters(station_ids: Sequence[int] | None, year: int | None, activity_type: str | None,
                     days: tuple[dt.date, dt.date] | None = None) -> list[Any]:
    where: list[Any] = []
    if station_ids is not None:
        where.append(col(Activity.station_id).in_(list(station_ids)))
    if year is not None:
        start, end = year_bounds(year)
        where.extend([Activity.started_on >= start, Activity.started_on <= end])
    if days is not None:
        where.extend([Activity.started_on >= days[0], Activity.started_on <= days[1]])
    if activity_type:
        where.append(Activity.activity_type == activity_type)
    return where


async def count_activities(session: AsyncSession, station_ids: Sequence[int] | None = None, year: int | None = None,
                           activity_type: str | None = None, *, days: tuple[dt.date, dt.date] | None = None) -> int:
    """``days``: first and last day (inclusive) the ledger row's activity started on (a month, for the overview)."""
    query = select(func.count()).select_from(Activity).where(*activity_filters(station_ids, year, activity_type, days))
    return int((await session.exec(query)).one())


async def list_activities(session: AsyncSession, station_ids: Sequence[int] | None = None, year: int | None = None,
                          activity_type: str | None = None, limit: int | None = None,
                          offset: int = 0) -> list[Activity]:
    query = (select(Activity).where(*activity_filters(station_ids, year, activity_type))
             .order_by(col(Activity.id)).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    return list((await session.exec(query)).all())

def rated_in(year: int | None, tz: dt.tzinfo) -> list[Any]:
    """Ratings given in ``year`` as people there count it: 07:00 on 1 January in Shanghai is the new year."""
    if year is None:
        return []
    return [col(Rating.created_at) >= db_time(dt.datetime(year, 1, 1, tzinfo=tz)),
            col(Rating.created_at) < db_time(dt.datetime(year + 1, 1, 1, tzinfo=tz))]



async def count_ratings(session: AsyncSession, station_ids: Sequence[int] | None = None,
                        year: int | None = None, *, tz: dt.tzinfo) -> int:
    where = rated_in(year, tz)
    if station_ids is not None:
        where.append(col(Rating.station_id).in_(list(station_ids)))
    return int((await session.exec(select(func.count()).select_from(Rating).where(*where))).one())


async def list_ratings(session: AsyncSession, station_ids: Sequence[int] | None = None, year: int | None = None,
                       limit: int | None = None, offset: int = 0, *, tz: dt.tzinfo) -> list[Rating]:
    where = rated_in(year, tz)
    if station_ids is not None:
        where.append(col(Rating.station_id).in_(list(station_ids)))
    query = select(Rating).where(*where).order_by(col(Rating.id)).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list((await session.exec(query)).all())
