"""Station applications: the versioned submission, staff's checklist ticks, caps and refusal (approval, which
creates the station, is the use case ``services.applications``).

The answers live in an ordinary ``Submission`` of kind "application" (no station yet), so review,
versions and document rendering treat an application like any other submission.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import db_time
from storage.models import (
    LIVE_STATUSES,
    AuditLog,
    Society,
    Station,
    StationApplication,
    Submission,
)
from storage.submissions import submit

KIND = "application"
SUBJECT = "station_application"
OPEN_STAGES = ("review", "notice", "decision")


async def submit_application(session: AsyncSession, *, profile_id: str, answers: dict[str, Any], person_id: int,
                             now: dt.datetime, resubmit_id: int | None = None) -> tuple[StationApplication, Submission]:
    """A new application, or the next version of a returned one (the checklist is kept for re-ticking)."""
    submission = await submit(session, station_id=None, kind=KIND, answers=answers, person_id=person_id, now=now,
                              resubmit_id=resubmit_id)
    assert submission.id is not None
    application = await for_submission(session, submission.id)
    if application is None:
        application = StationApplication(policy_profile=profile_id, submission_id=submission.id,
                                         applicant_person_id=person_id, created_at=db_time(now))
    application.stage = "review"
    session.add(application)
    await session.flush()
    return application, submission


async def for_submission(session: AsyncSession, submission_id: int) -> StationApplication | None:
    query = select(StationApplication).where(StationApplication.submission_id == submission_id)
    return (await session.exec(query)).first()


async def of_applicant(session: AsyncSession, person_ids: list[int]) -> list[StationApplication]:
    query = (select(StationApplication).where(col(StationApplication.applicant_person_id).in_(person_ids))
             .order_by(col(StationApplication.id)))
    return list((await session.exec(query)).all())


async def open_applications(session: AsyncSession, limit: int = 30) -> list[StationApplication]:
    query = (select(StationApplication).where(col(StationApplication.stage).in_(OPEN_STAGES))
             .order_by(col(StationApplication.id)).limit(limit))
    return list((await session.exec(query)).all())


async def tick(session: AsyncSession, application: StationApplication, item_id: str, *, ok: bool, person_id: int,
               now: dt.datetime) -> None:
    checklist = dict(application.checklist)
    checklist[item_id] = {"ok": ok, "by": person_id, "at": db_time(now).isoformat()}
    application.checklist = checklist  # a new dict: JSON columns notice reassignment, not mutation
    session.add(application)
    session.add(AuditLog(at=db_time(now), person_id=person_id, action="precondition_ticked",
                         subject=f"application:{application.id}", detail={"item": item_id, "ok": ok}))
    await session.flush()


async def live_stations(session: AsyncSession, profile_id: str) -> int:
    query = (select(func.count()).select_from(Station)
             .where(Station.policy_profile == profile_id, col(Station.status).in_(LIVE_STATUSES)))
    return int((await session.exec(query)).one())


async def live_stations_of_society(session: AsyncSession, profile_id: str, society_name: str) -> int:
    query = (select(func.count()).select_from(Station).join(Society, col(Society.id) == col(Station.society_id))
             .where(Station.policy_profile == profile_id, col(Station.status).in_(LIVE_STATUSES),
                    Society.name == society_name))
    return int((await session.exec(query)).one())


async def refuse(session: AsyncSession, application: StationApplication, *, reason: str, staff_person_id: int,
                 now: dt.datetime) -> None:
    application.stage = "refused"
    application.refusal_reason = reason
    application.decided_by_person_id = staff_person_id
    application.decided_at = db_time(now)
    session.add(application)
    session.add(AuditLog(at=db_time(now), person_id=staff_person_id, action="application_refused",
                         subject=f"application:{application.id}", detail={}))
    await session.flush()
