"""Consequences of a round (rectification, revocation, re-examination) and station status changes, audited."""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import db_time
from storage.models import AuditLog, Consequence, Station

OPEN_STATUSES = ("proposed", "confirmed", "reported")


async def set_station_status(session: AsyncSession, station: Station, status: str, *, reason: str, article: str,
                             person_id: int | None, now: dt.datetime) -> None:
    """Change a station's status (active → rectifying → revoked / exited) and write why to the audit log.

    History stays: a revoked station keeps its ledger, submissions and rounds; it only drops out of
    reminders and broadcasts (which read live stations).
    """
    old = station.status
    station.status = status
    session.add(station)
    session.add(AuditLog(at=db_time(now), person_id=person_id, action="station_status", subject=f"station:{station.id}",
                         detail={"from": old, "to": status, "reason": reason, "article": article}))
    await session.flush()


async def decide(session: AsyncSession, consequence: Consequence, status: str, *, person_id: int | None,
                 now: dt.datetime) -> None:
    old = consequence.status
    consequence.status = status
    consequence.decided_by_person_id = person_id
    consequence.decided_at = db_time(now)
    session.add(consequence)
    session.add(AuditLog(at=db_time(now), person_id=person_id, action="consequence",
                         subject=f"station:{consequence.station_id}",
                         detail={"consequence": consequence.id, "action": consequence.action, "from": old,
                                 "to": status, "article": consequence.article}))
    await session.flush()


async def of_resubmission(session: AsyncSession, submission_id: int) -> Consequence | None:
    """The consequence whose rectification report is this submission (a report filed again)."""
    return (await session.exec(select(Consequence).where(Consequence.report_submission_id == submission_id))).first()


async def report_submission_ids(session: AsyncSession, round_id: int) -> list[int]:
    """The rectification reports filed for this round's consequences (their submissions), in any year."""
    query = select(Consequence.report_submission_id).where(Consequence.round_id == round_id,
                                                           col(Consequence.report_submission_id).is_not(None))
    return [number for number in (await session.exec(query)).all() if number is not None]


async def open_items(session: AsyncSession, station_id: int) -> list[Consequence]:
    """Confirmed items still running for a station (its /status shows them)."""
    query = (select(Consequence).where(Consequence.station_id == station_id,
                                       col(Consequence.status).in_(["confirmed", "reported"]))
             .order_by(col(Consequence.id)))
    return list((await session.exec(query)).all())


async def due_rectifications(session: AsyncSession) -> list[Consequence]:
    """Confirmed rectifications without a report yet (the reminders job walks them)."""
    query = select(Consequence).where(Consequence.action == "rectification", Consequence.status == "confirmed")
    return list((await session.exec(query.order_by(col(Consequence.id)))).all())
