"""Approving a station application: the station is created from the answers and the applicant bound to it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.stations import add_station
from storage.datetimes import db_time
from storage.documents import link_to_station
from storage.models import AuditLog, Person, Station, StationApplication, Submission


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
