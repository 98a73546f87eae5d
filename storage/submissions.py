"""Versioned submissions: every submit or resubmit adds a version; nothing is overwritten."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import db_time
from storage.models import AuditLog, Person, Submission, SubmissionStatus, SubmissionVersion

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


async def review(session: AsyncSession, submission: Submission, *, accept: bool, staff_person_id: int,
                 now: dt.datetime, comment: str = "") -> Submission:
    now = db_time(now)
    submission.status = SubmissionStatus.accepted if accept else SubmissionStatus.returned
    submission.review_comment = comment
    submission.reviewed_by_person_id = staff_person_id
    submission.reviewed_at = now
    session.add(submission)
    session.add(AuditLog(at=now, person_id=staff_person_id, action="accepted" if accept else "returned",
                         subject=f"submission:{submission.id}", detail={"version": submission.current_version}))
    await session.flush()
    return submission


async def versions(session: AsyncSession, submission_id: int) -> list[SubmissionVersion]:
    query = (select(SubmissionVersion).where(SubmissionVersion.submission_id == submission_id)
             .order_by(col(SubmissionVersion.version)))
    return list((await session.exec(query)).all())


async def latest_answers(session: AsyncSession, submission: Submission) -> dict[str, Any]:
    query = select(SubmissionVersion).where(SubmissionVersion.submission_id == submission.id,
                                            SubmissionVersion.version == submission.current_version)
    version = (await session.exec(query)).first()
    return dict(version.answers) if version else {}


async def submitter_name(session: AsyncSession, submission: Submission) -> str:
    """The name of the person who submitted the current version (the staff card shows it)."""
    query = (select(Person.name).join(SubmissionVersion, col(SubmissionVersion.submitted_by_person_id) == Person.id)
             .where(SubmissionVersion.submission_id == submission.id,
                    SubmissionVersion.version == submission.current_version))
    return (await session.exec(query)).first() or ""


async def pending_review(session: AsyncSession, limit: int = 50) -> tuple[list[Submission], int]:
    base = select(Submission).where(Submission.status == SubmissionStatus.submitted)
    total = (await session.exec(select(func.count()).select_from(base.subquery()))).one()
    rows = (await session.exec(base.order_by(col(Submission.submitted_at)).limit(limit))).all()
    return list(rows), int(total)


async def station_submissions(session: AsyncSession, station_id: int, year: int | None = None) -> list[Submission]:
    query = select(Submission).where(Submission.station_id == station_id)
    if year is not None:
        query = query.where(Submission.year == year)
    return list((await session.exec(query.order_by(col(Submission.submitted_at)))).all())
