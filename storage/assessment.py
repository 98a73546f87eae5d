"""Read-only queries shared by the staff API and the exports: stations, submissions, ledger, ratings, scores."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, union_all
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.deadlines import annual_due_date, covered_year, latest_owing_start
from rules.profile import load_profile
from rules.scoring import LedgerTotals, ScoreLine, estimate_score, minimums_status
from storage.ledger import totals_by_station, year_totals
from storage.manual_scores import manual_points
from storage.models import LIVE_STATUSES, Activity, Rating, Society, Station, Submission
from storage.policy import effective_profiles


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


def _activity_filters(station_ids: Sequence[int] | None, year: int | None, activity_type: str | None,
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
    query = select(func.count()).select_from(Activity).where(*_activity_filters(station_ids, year, activity_type,
                                                                                days))
    return int((await session.exec(query)).one())


async def list_activities(session: AsyncSession, station_ids: Sequence[int] | None = None, year: int | None = None,
                          activity_type: str | None = None, limit: int | None = None,
                          offset: int = 0) -> list[Activity]:
    query = (select(Activity).where(*_activity_filters(station_ids, year, activity_type))
             .order_by(col(Activity.id)).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    return list((await session.exec(query)).all())


LEDGER_COLUMNS = (Activity.id, Activity.station_id, Activity.started_on, Activity.ended_on, Activity.activity_type,
                  Activity.title, Activity.experts, Activity.experts_count, Activity.experts_outside_province,
                  Activity.expert_days, Activity.participants, Activity.demand_unit_id, Activity.outcomes,
                  Activity.attachments, Activity.created_at)


async def stream_ledger(session: AsyncSession, station_ids: Sequence[int] | None, year: int,
                        chunk: int = 500) -> AsyncIterator[Sequence[Any]]:
    """The year's ledger in station/date order, ``chunk`` rows per partition, as plain column rows.

    Columns (``LEDGER_COLUMNS``), not ORM objects: building an ``Activity`` per row was a large part of a
    million-row export, and the session's identity map need not see rows that are only written out.
    Everything but the person who logged the row and the raw form answers, which the columns already hold.
    """
    query = (sa_select(*(col(c) for c in LEDGER_COLUMNS)).where(*_activity_filters(station_ids, year, None))
             .order_by(col(Activity.station_id), col(Activity.started_on), col(Activity.id)))
    result = await session.stream(query.execution_options(yield_per=chunk))
    # A partition per await: iterating row by row costs a greenlet switch for every ledger row.
    async for partition in result.partitions(chunk):
        yield partition


def _created_in(year: int | None) -> list[Any]:
    if year is None:
        return []
    return [Rating.created_at >= dt.datetime(year, 1, 1, tzinfo=dt.UTC),
            Rating.created_at < dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)]


async def stream_ratings(session: AsyncSession, station_ids: Sequence[int] | None, year: int,
                         chunk: int = 500) -> AsyncIterator[Sequence[Any]]:
    """The year's ratings as ``(station_id, created_at, score, scores, comment)`` rows, a partition at a time.

    A network's year holds hundreds of thousands of ratings: as ORM objects in one list they were the
    export's largest allocation.
    """
    where = _created_in(year)
    if station_ids is not None:
        where.append(col(Rating.station_id).in_(list(station_ids)))
    query = (sa_select(col(Rating.station_id), col(Rating.created_at), col(Rating.score), col(Rating.scores),
                       col(Rating.comment)).where(*where).order_by(col(Rating.id)))
    result = await session.stream(query.execution_options(yield_per=chunk))
    async for partition in result.partitions(chunk):
        yield partition


async def count_ratings(session: AsyncSession, station_ids: Sequence[int] | None = None,
                        year: int | None = None) -> int:
    where = _created_in(year)
    if station_ids is not None:
        where.append(col(Rating.station_id).in_(list(station_ids)))
    return int((await session.exec(select(func.count()).select_from(Rating).where(*where))).one())


async def list_ratings(session: AsyncSession, station_ids: Sequence[int] | None = None, year: int | None = None,
                       limit: int | None = None, offset: int = 0) -> list[Rating]:
    where = _created_in(year)
    if station_ids is not None:
        where.append(col(Rating.station_id).in_(list(station_ids)))
    query = select(Rating).where(*where).order_by(col(Rating.id)).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list((await session.exec(query)).all())


@dataclass(frozen=True)
class MinimumLine:
    id: str
    label: str
    required: int
    actual: int
    met: bool


@dataclass(frozen=True)
class CounterLine:
    id: str
    label: str
    actual: float
    target: int


@dataclass
class StationScore:
    """One station's year against its profile: minimums, the points estimate, the counters."""

    station_id: int
    station_name: str
    profile: str
    minimums: list[MinimumLine] = field(default_factory=list)
    score_kind: str | None = None
    score_total: float | None = None  # the low end of the range: points known so far
    score_high: float | None = None  # low + the maxima of the rows awaiting staff
    score_automatic: float | None = None
    score_manual: float | None = None
    awaiting_staff: list[ScoreLine] = field(default_factory=list)
    score_passes: bool | None = None  # None while the range straddles the pass mark
    counters: list[CounterLine] = field(default_factory=list)
    lines: list[ScoreLine] = field(default_factory=list)  # the profile's whole table, row by row (exports)

    @property
    def minimums_met(self) -> bool:
        return all(m.met for m in self.minimums)


async def staff_scored(session: AsyncSession, station_id: int, year: int) -> Mapping[str, float]:
    """Points staff gave to the manual rows of a station's year (row id -> points; absent = not scored)."""
    return (await manual_points(session, year, [station_id])).get(station_id, {})


async def station_score(session: AsyncSession, station: Station, year: int,
                        totals: LedgerTotals | None = None,
                        manual: Mapping[str, float] | None = None) -> StationScore:
    """``totals`` (``totals_by_station``) and ``manual`` (``manual_points``) precomputed when scoring many
    stations at once; without ``manual`` the station's staff scores are read here."""
    assert station.id is not None
    profile = load_profile(station.policy_profile)
    society = await session.get(Society, station.society_id) if station.society_id else None
    level = society.level if society else "provincial"
    if totals is None:
        totals = await year_totals(session, station.id, year)
    result = StationScore(station.id, station.name, station.policy_profile)
    result.minimums = [MinimumLine(m.id, m.label, m.required, m.actual, m.met)
                       for m in minimums_status(totals, profile, level)]
    if manual is None:
        manual = await staff_scored(session, station.id, year)
    estimate = estimate_score(totals, profile, manual)
    if estimate is not None:
        result.score_kind = estimate.kind
        result.lines = list(estimate.lines)
        if estimate.kind == "table":
            result.score_total = round(estimate.low, 2)
            result.score_high = round(estimate.high, 2)
            result.score_automatic = round(estimate.automatic, 2)
            result.score_manual = round(estimate.manual_scored, 2)
            result.awaiting_staff = list(estimate.awaiting)
            result.score_passes = estimate.passes
        result.counters = [CounterLine(line.id, line.label, line.actual or 0.0, line.target)
                           for line in estimate.lines if line.target is not None]
    return result


async def year_scores(session: AsyncSession, year: int, station_ids: Sequence[int] | None = None,
                      limit: int | None = None, offset: int = 0) -> list[StationScore]:
    stations = await list_stations(session, station_ids=station_ids, limit=limit, offset=offset)
    ids = [s.id for s in stations if s.id is not None]
    totals = await totals_by_station(session, year, ids)
    manual = await manual_points(session, year, ids)
    return [await station_score(session, station, year, totals.get(station.id or 0, LedgerTotals(year=year)),
                                manual.get(station.id or 0, {}))
            for station in stations]


async def submission_status_by_region(session: AsyncSession, year: int) -> dict[str, dict[str, int]]:
    """``{region: {status: count}}`` of the year's submissions."""
    query = (select(Station.region, Submission.status, func.count())
             .join(Station, col(Station.id) == col(Submission.station_id))
             .where(Submission.year == year).group_by(col(Station.region), col(Submission.status)))
    found: dict[str, dict[str, int]] = {}
    for region, status, n in (await session.exec(query)).all():
        found.setdefault(region or "", {})[status] = int(n)
    return found


async def missing_items(session: AsyncSession, today: dt.date) -> Any | None:
    """A query of ``(station_id, region)`` rows, one per yearly item of this year past due and not in at a live
    station (None when nothing is past due yet): the one rule behind "overdue" on the dashboard and the console.

    Items due before a station was founded are not owed (as in the reminders): ``latest_owing_start`` turns
    ``owed`` into a bound on ``founded_on``, so the whole network is answered by the database (one NOT EXISTS
    per due item on the (station, kind, year) index) rather than by testing each station in Python.
    """
    year = today.year
    profiles = await effective_profiles(session)
    used = (await session.exec(select(Station.policy_profile).where(col(Station.status).in_(LIVE_STATUSES))
                                .distinct())).all()
    parts: list[Any] = []
    for profile_id in sorted(used):
        profile = profiles.get(profile_id) or load_profile(profile_id)
        for spec in profile.duties:
            due = annual_due_date(spec, year, profile)
            if due is None or due >= today:
                continue
            covered = covered_year(spec, year)
            filed = (sa_select(col(Submission.id)).where(col(Submission.station_id) == col(Station.id),
                                                         col(Submission.kind) == spec.id,
                                                         col(Submission.year) == covered))
            parts.append(sa_select(col(Station.id).label("station_id"), col(Station.region).label("region"))
                         .where(col(Station.policy_profile) == profile_id, col(Station.status).in_(LIVE_STATUSES),
                                or_(col(Station.founded_on).is_(None),
                                    col(Station.founded_on) <= latest_owing_start(spec, covered)),
                                ~filed.exists()))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else union_all(*parts)


async def overdue_by_region(session: AsyncSession, today: dt.date) -> dict[str, dict[str, int]]:
    """``{region: {"missing": n, "late": m}}``: this year's yearly submissions past due and not in
    (``missing_items``), and this year's submissions that came in late (``late_workdays`` > 0), per region
    of live stations.
    """
    year = today.year
    regions = (await session.exec(select(Station.region).where(col(Station.status).in_(LIVE_STATUSES))
                                  .distinct())).all()
    found: dict[str, dict[str, int]] = {region or "": {"missing": 0, "late": 0} for region in regions}
    missing = await missing_items(session, today)
    if missing is not None:
        items = missing.subquery()
        counted = select(items.c.region, func.count()).group_by(items.c.region)
        for region, n in (await session.exec(counted)).all():
            found.setdefault(region or "", {"missing": 0, "late": 0})["missing"] += int(n)
    late = (select(Station.region, func.count()).select_from(Submission)
            .join(Station, col(Station.id) == col(Submission.station_id))
            .where(Submission.year == year, col(Submission.late_workdays) > 0,
                   col(Station.status).in_(LIVE_STATUSES)).group_by(col(Station.region)))
    for region, n in (await session.exec(late)).all():
        found.setdefault(region or "", {"missing": 0, "late": 0})["late"] = int(n)
    return found
