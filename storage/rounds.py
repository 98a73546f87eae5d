"""Assessment rounds: opening with a frozen snapshot of each station's inputs, entries, history of verdicts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.assessment import new_station, period_of, snapshot_of
from rules.profile import load_profile
from storage.datetimes import db_time, zone_of
from storage.ledger import totals_by_station
from storage.models import (
    LIVE_STATUSES,
    AssessmentEntry,
    AssessmentRound,
    Rating,
    RatingRequest,
    Society,
    Station,
    Submission,
)
from storage.rating_aggregates import rating_aggregates

OPEN, PUBLICITY, PUBLISHED = "open", "publicity", "published"


class RoundExists(ValueError):
    """A round of this profile and period is already open or published."""

    def __init__(self, existing: AssessmentRound) -> None:
        super().__init__(f"round {existing.id} exists")
        self.existing = existing


async def round_for(session: AsyncSession, profile_id: str, period_end: int) -> AssessmentRound | None:
    query = select(AssessmentRound).where(AssessmentRound.profile == profile_id,
                                          AssessmentRound.period_end == period_end)
    return (await session.exec(query)).first()


async def live_stations(session: AsyncSession, profile_id: str) -> list[Station]:
    query = (select(Station).where(Station.policy_profile == profile_id, col(Station.status).in_(LIVE_STATUSES))
             .order_by(col(Station.id)))
    return list((await session.exec(query)).all())


async def snapshots(session: AsyncSession, stations: Sequence[Station], period: tuple[int, int],
                    tz: dt.tzinfo) -> dict[int, dict[str, Any]]:
    """Each station's inputs now: ledger totals per year, ratings per year, the period's submissions."""
    ids = [s.id for s in stations if s.id is not None]
    first, last = period
    found: dict[int, dict[str, Any]] = {
        s.id: {"totals": {}, "ratings": {}, "submissions": [], "founded_on": s.founded_on.isoformat()
               if s.founded_on else None, "new": new_station(s.founded_on, last), "name": s.name,
               "region": s.region, "society_level": "provincial",
               "certificate_expiry": s.manager_certificate_expiry.isoformat() if s.manager_certificate_expiry else None} for s in stations if s.id is not None}
    for year in range(first, last + 1):
        for station_id, totals in (await totals_by_station(session, year, ids)).items():
            found[station_id]["totals"][str(year)] = snapshot_of(totals)
        for summary in await rating_aggregates(session, year, ids, tz=tz):  # the anonymity minimum applies here too
            found[summary.station_id]["ratings"][str(year)] = {"average": summary.average, "count": summary.count}
    query = (select(Submission).where(col(Submission.station_id).in_(ids), col(Submission.year) >= first,
                                      col(Submission.year) <= last).order_by(col(Submission.id)))
    for sub in (await session.exec(query)).all():
        if sub.station_id is None:
            continue
        found[sub.station_id]["submissions"].append({
            "kind": sub.kind, "year": sub.year, "status": sub.status, "late_workdays": sub.late_workdays,
            "submitted_at": sub.submitted_at.isoformat(), "due_on": sub.due_on.isoformat() if sub.due_on else None})
    evaluations = (select(RatingRequest.station_id, RatingRequest.year, func.avg(Rating.score), func.count())
                   .join(Rating, col(Rating.request_id) == col(RatingRequest.id))
                   .where(RatingRequest.kind == "yearly", col(RatingRequest.station_id).in_(ids),
                          col(RatingRequest.year) >= first, col(RatingRequest.year) <= last)
                   .group_by(col(RatingRequest.station_id), col(RatingRequest.year)))
    for station_id, covered, average, count in (await session.exec(evaluations)).all():
        # The demand side's yearly evaluation (guiyang-kczg 四（三）3), shown to staff beside the grade.
        found[station_id].setdefault("evaluations", {})[str(covered)] = {"average": round(float(average), 2),
                                                                      "count": int(count)}
    for station in stations:
        if station.society_id and station.id is not None:
            society = await session.get(Society, station.society_id)
            found[station.id]["society_level"] = society.level if society else "provincial"
    return found


async def open_round(session: AsyncSession, *, profile_id: str, period_end: int, deadline: dt.date,
                     person_id: int | None, now: dt.datetime) -> tuple[AssessmentRound, list[AssessmentEntry]]:
    """Open a round and freeze every live station's inputs; refuses a second round of the same period."""
    existing = await round_for(session, profile_id, period_end)
    if existing is not None:
        raise RoundExists(existing)
    spec = load_profile(profile_id).assessment
    assert spec is not None
    period = period_of(spec, period_end)
    row = AssessmentRound(profile=profile_id, period_start=period[0], period_end=period[1],
                          material_deadline=deadline, opened_by_person_id=person_id, opened_at=db_time(now))
    session.add(row)
    await session.flush()
    assert row.id is not None
    stations = await live_stations(session, profile_id)
    frozen = await snapshots(session, stations, period, zone_of(now))
    entries = [AssessmentEntry(round_id=row.id, station_id=sid, snapshot=data) for sid, data in frozen.items()]
    session.add_all(entries)
    await session.flush()
    return row, entries


async def entries_of(session: AsyncSession, round_id: int) -> list[AssessmentEntry]:
    query = select(AssessmentEntry).where(AssessmentEntry.round_id == round_id).order_by(col(AssessmentEntry.id))
    return list((await session.exec(query)).all())


async def rounds(session: AsyncSession, status: str | None = None, limit: int = 50) -> list[AssessmentRound]:
    query = select(AssessmentRound).order_by(col(AssessmentRound.id).desc()).limit(limit)
    if status is not None:
        query = query.where(AssessmentRound.status == status)
    return list((await session.exec(query)).all())


def material_end(deadline: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """The end of the material deadline's day in ``tz``: material sent before it counts."""
    return dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time(), tz)


async def submitted_by(session: AsyncSession, station_ids: Sequence[int], period: tuple[int, int],
                       deadline: dt.date, tz: dt.tzinfo) -> dict[int, set[tuple[str, int]]]:
    """``(kind, year)`` each station submitted for the period by the end of ``deadline`` (the day in ``tz``)."""
    end = material_end(deadline, tz)
    query = select(Submission.station_id, Submission.kind, Submission.year).where(
        col(Submission.station_id).in_(list(station_ids)), col(Submission.year) >= period[0],
        col(Submission.year) <= period[1], col(Submission.submitted_at) < db_time(end))
    found: dict[int, set[tuple[str, int]]] = {sid: set() for sid in station_ids}
    for station_id, kind, year in (await session.exec(query)).all():
        if year is not None and station_id is not None:
            found[station_id].add((kind, int(year)))
    return found


async def failed_history(session: AsyncSession, profile_id: str, before_period_end: int,
                         station_ids: Sequence[int], fail_grade: str) -> dict[int, list[bool]]:
    """Per station, the earlier published rounds of this profile (oldest first): failed or not.

    A year without a round for the station breaks a streak (it is not a failing year).
    """
    query = (select(AssessmentRound).where(AssessmentRound.profile == profile_id,
                                           AssessmentRound.period_end < before_period_end,
                                           AssessmentRound.status == PUBLISHED)
             .order_by(col(AssessmentRound.period_end)))
    earlier = list((await session.exec(query)).all())
    history: dict[int, list[bool]] = {sid: [] for sid in station_ids}
    expected = before_period_end
    for past in reversed(earlier):
        if past.period_end != expected - (past.period_end - past.period_start + 1):
            break
        expected = past.period_end
        grades = {e.station_id: e.grade for e in await entries_of(session, past.id or 0)}
        for sid in station_ids:
            history[sid].insert(0, grades.get(sid) == fail_grade)
    return history
