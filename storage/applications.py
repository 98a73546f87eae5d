"""Station applications: the versioned submission, staff's checklist ticks, caps, and the station approval creates.

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
from storage.documents import link_to_station
from storage.models import (
    LIVE_STATUSES,
    AuditLog,
    Person,
    Society,
    Station,
    StationApplication,
    Submission,
)
from storage.stations import add_station
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


def _text(answers: dict[str, Any], name: str) -> str:
    value = answers.get(name)
    return str(value) if value not in (None, "") else ""


async def approve(session: AsyncSession, application: StationApplication, *, answers: dict[str, Any],
                  applicant: Person, staff_person_id: int, now: dt.datetime, approval_number: str,
                  plaque_name: str) -> tuple[Station, Person]:
    """Create the station from the application's answers and bind the applicant to it (no invite needed)."""
    values = {
        "name": _text(answers, "station_name") or _text(answers, "host_name"),
        "plaque_name": plaque_name, "approval_number": approval_number,
        "station_type": _text(answers, "station_type"), "host_unit_name": _text(answers, "host_name"),
        "host_unit_credit_code": _text(answers, "host_credit_code"), "region": _text(answers, "region"),
        "society": _text(answers, "society_name"), "society_level": _text(answers, "society_level") or "provincial",
        "policy_profile": application.policy_profile, "founded_on": now.date().isoformat(),
        "agreement_start": _text(answers, "agreement_start"), "agreement_end": _text(answers, "agreement_end"),
    }
    station = await add_station(session, values, [application.policy_profile])
    role = _text(answers, "applicant_role") or "manager"
    binding = Person(telegram_user_id=applicant.telegram_user_id, chat_id=applicant.chat_id, name=applicant.name,
                     phone=_text(answers, "contact_phone") if role == "manager" else "", language=applicant.language,
                     language_chosen=applicant.language_chosen, role=role, station_id=station.id)
    session.add(binding)
    when = db_time(now)
    application.stage = "approved"
    application.station_id = station.id
    application.approval_number = approval_number
    application.plaque_name = plaque_name
    application.decided_by_person_id = staff_person_id
    application.decided_at = when
    session.add(application)
    submission = await session.get(Submission, application.submission_id)
    if submission is not None:
        submission.station_id = station.id  # the application becomes the new station's first record
        session.add(submission)
        assert station.id is not None
        await link_to_station(session, submission.id or 0, station.id)  # its 申请书 (and 备案表) too
    await session.flush()
    session.add(AuditLog(at=when, person_id=staff_person_id, action="application_approved",
                         subject=f"application:{application.id}",
                         detail={"station_id": station.id, "approval_number": approval_number, "role": role}))
    await session.flush()
    return station, binding


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
