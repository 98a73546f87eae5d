"""Versioned submissions: every submit or resubmit adds a version; nothing is overwritten."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import db_time
from storage.models import (
    AuditLog,
    Person,
    Station,
    StationApplication,
    Submission,
    SubmissionDocument,
    SubmissionStatus,
    SubmissionVersion,
)

ONE_PER_YEAR = ("plan", "summary", "efficiency_report", "self_check")


class SubmissionLocked(Exception):
    """An accepted submission (or one awaiting review) cannot be changed by its station."""

    def __init__(self, submission: Submission) -> None:
        super().__init__(f"submission {submission.id} is {submission.status}")
        self.submission = submission


async def existing_for_year(session: AsyncSession, station_id: int, kind: str, year: int) -> Submission | None:
    query = select(Submission).where(Submission.station_id == station_id, Submission.kind == kind,
                                     Submission.year == year)
    return (await session.exec(query)).first()


async def submit(
    session: AsyncSession,
    *,
    station_id: int | None,
    kind: str,
    answers: dict[str, Any],
    person_id: int,
    now: dt.datetime,
    year: int | None = None,
    due_on: dt.date | None = None,
    event_on: dt.date | None = None,
    late_workdays: int = 0,
    resubmit_id: int | None = None,
    one_per_year: bool | None = None,
) -> Submission:
    """First submission, or a new version of a returned one (yearly duties: one per covered year).

    ``one_per_year`` defaults to the kinds known here; callers filing a profile's duty pass True.
    ``station_id`` is None only for a station application, whose station does not exist yet.
    """
    now = db_time(now)
    submission: Submission | None = None
    if resubmit_id is not None:
        submission = await session.get(Submission, resubmit_id)
    elif (kind in ONE_PER_YEAR if one_per_year is None else one_per_year) and year is not None \
            and station_id is not None:
        submission = await existing_for_year(session, station_id, kind, year)
    if submission is not None:
        if submission.station_id != station_id or submission.status != SubmissionStatus.returned:
            raise SubmissionLocked(submission)
        submission.current_version += 1
        submission.status = SubmissionStatus.submitted
        submission.submitted_at = now
        submission.late_workdays = late_workdays
        submission.event_on = event_on or submission.event_on
    else:
        submission = Submission(station_id=station_id, kind=kind, year=year, due_on=due_on, event_on=event_on,
                                late_workdays=late_workdays, submitted_at=now)
    session.add(submission)
    await session.flush()
    assert submission.id is not None
    session.add(SubmissionVersion(submission_id=submission.id, version=submission.current_version, answers=answers,
                                  submitted_by_person_id=person_id, submitted_at=now))
    session.add(AuditLog(at=now, person_id=person_id, action="submitted", subject=f"submission:{submission.id}",
                         detail={"kind": kind, "version": submission.current_version}))
    await session.flush()
    return submission


async def decide(session: AsyncSession, submission_id: int, version: int, *, accept: bool, staff_person_id: int,
                 now: dt.datetime, comment: str = "") -> bool:
    """Accept or return one version, at most once: a conditional UPDATE, so of two staff members (or a
    chat tap and a console click) deciding at the same moment exactly one wins; False for the other.
    """
    now = db_time(now)
    connection = await session.connection()
    changed = await connection.execute(
        update(Submission)
        .where(col(Submission.id) == submission_id, col(Submission.status) == SubmissionStatus.submitted.value,
               col(Submission.current_version) == version)
        .values(status=(SubmissionStatus.accepted if accept else SubmissionStatus.returned).value,
                review_comment=comment, reviewed_by_person_id=staff_person_id, reviewed_at=now))
    if changed.rowcount != 1:
        return False
    session.add(AuditLog(at=now, person_id=staff_person_id, action="accepted" if accept else "returned",
                         subject=f"submission:{submission_id}", detail={"version": version}))
    await session.flush()
    loaded = await session.get(Submission, submission_id)
    if loaded is not None:
        await session.refresh(loaded)  # the identity map still holds the row as it was before the UPDATE
    return True


async def versions(session: AsyncSession, submission_id: int) -> list[SubmissionVersion]:
    query = (select(SubmissionVersion).where(SubmissionVersion.submission_id == submission_id)
             .order_by(col(SubmissionVersion.version)))
    return list((await session.exec(query)).all())


async def version_of(session: AsyncSession, submission_id: int, version: int) -> SubmissionVersion | None:
    query = select(SubmissionVersion).where(SubmissionVersion.submission_id == submission_id,
                                            SubmissionVersion.version == version)
    return (await session.exec(query)).first()


async def answers_of(session: AsyncSession, submission_id: int, version: int) -> dict[str, Any] | None:
    """One version's answers (None when there is no such version)."""
    found = await version_of(session, submission_id, version)
    return dict(found.answers) if found else None


async def latest_answers(session: AsyncSession, submission: Submission) -> dict[str, Any]:
    assert submission.id is not None
    return await answers_of(session, submission.id, submission.current_version) or {}


async def submitter_name(session: AsyncSession, submission: Submission) -> str:
    """The name of the person who submitted the current version (the staff card shows it)."""
    query = (select(Person.name).join(SubmissionVersion, col(SubmissionVersion.submitted_by_person_id) == Person.id)
             .where(SubmissionVersion.submission_id == submission.id,
                    SubmissionVersion.version == submission.current_version))
    return (await session.exec(query)).first() or ""


async def reviewer_name(session: AsyncSession, submission: Submission) -> str:
    if submission.reviewed_by_person_id is None:
        return ""
    reviewer = await session.get(Person, submission.reviewed_by_person_id)
    return reviewer.name if reviewer is not None else ""


@dataclass(frozen=True)
class Queued:
    """A submission awaiting review, with what the queue shows beside it (an application has no station)."""

    submission: Submission
    station_name: str
    profile: str
    stamped: bool | None = None  # the newest version's printed documents all back stamped; None: no document



def _queue_where(profile: str, kind: str) -> list[Any]:
    """Awaiting review, of a kind, of a profile (a station's, or an application's when there is no station yet)."""
    where: list[Any] = [Submission.status == SubmissionStatus.submitted.value]
    if kind:
        where.append(Submission.kind == kind)
    if profile:
        where.append(or_(col(Submission.station_id).in_(select(Station.id).where(Station.policy_profile == profile)),
                         col(Submission.id).in_(select(StationApplication.submission_id)
                                                .where(StationApplication.policy_profile == profile))))
    return where


async def review_queue(session: AsyncSession, *, profile: str = "", kind: str = "", limit: int = 50,
                       offset: int = 0) -> tuple[list[Queued], int]:
    """Submissions awaiting review, oldest first, one page of them and how many there are in all.

    The page is chosen from the submission table alone; names and profiles are then read for its rows
    only (a join before the sort would touch every waiting submission, thousands in February).
    """
    where = _queue_where(profile, kind)
    total = (await session.exec(select(func.count()).select_from(Submission).where(*where))).one()
    page = list((await session.exec(select(Submission).where(*where)
                                    .order_by(col(Submission.submitted_at), col(Submission.id))
                                    .limit(limit).offset(offset))).all())
    station_ids = {s.station_id for s in page if s.station_id is not None}
    stations = {i: (name, profile_id) for i, name, profile_id in (await session.exec(
        select(Station.id, Station.name, Station.policy_profile).where(col(Station.id).in_(station_ids)))).all()
        } if station_ids else {}
    stationless = [s.id for s in page if s.station_id is None and s.id is not None]
    applications = dict((await session.exec(
        select(StationApplication.submission_id, StationApplication.policy_profile)
        .where(col(StationApplication.submission_id).in_(stationless)))).all()) if stationless else {}
    stamps = await _stamps(session, [s.id for s in page if s.id is not None])
    rows = []
    for sub in page:
        name, profile_id = stations.get(sub.station_id or 0, ("", applications.get(sub.id or 0, "")))
        rows.append(Queued(sub, name, profile_id, stamps.get(sub.id or 0)))
    return rows, int(total)


async def _stamps(session: AsyncSession, submission_ids: list[int]) -> dict[int, bool]:
    """Per submission of one queue page (one statement): are its newest version's documents back stamped?"""
    if not submission_ids:
        return {}
    query = (select(SubmissionDocument.submission_id, SubmissionDocument.version, SubmissionDocument.scan_received_at)
             .where(col(SubmissionDocument.submission_id).in_(submission_ids))
             .order_by(col(SubmissionDocument.submission_id), col(SubmissionDocument.version)))
    newest: dict[int, tuple[int, bool]] = {}
    for submission_id, version, stamped_at in (await session.exec(query)).all():
        seen = newest.get(submission_id)
        if seen is None or version > seen[0]:
            newest[submission_id] = (version, stamped_at is not None)
        else:
            newest[submission_id] = (version, seen[1] and stamped_at is not None)
    return {submission_id: stamped for submission_id, (_, stamped) in newest.items()}


async def queue_kinds(session: AsyncSession) -> list[str]:
    """The kinds that have something awaiting review (the queue's kind filter offers these)."""
    query = (select(Submission.kind).where(Submission.status == SubmissionStatus.submitted.value)
             .distinct().order_by(col(Submission.kind)))
    return list((await session.exec(query)).all())


async def station_submissions(session: AsyncSession, station_id: int, year: int | None = None) -> list[Submission]:
    query = select(Submission).where(Submission.station_id == station_id)
    if year is not None:
        query = query.where(Submission.year == year)
    return list((await session.exec(query.order_by(col(Submission.submitted_at)))).all())
