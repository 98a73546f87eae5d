"""Objections raised during a public notice (公示) and the staff's answers; generic by ``subject``.

A subject is "<kind>:<id>" (``assessment_entry:12``; an application's notice can use ``application:3``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.clock import db_time
from storage.models import Objection


async def file_objection(session: AsyncSession, *, subject: str, station_id: int | None, person_id: int,
                         reason: str, now: dt.datetime) -> Objection:
    row = Objection(subject=subject, station_id=station_id, person_id=person_id, reason=reason, filed_at=db_time(now))
    session.add(row)
    await session.flush()
    return row


async def answer_objection(session: AsyncSession, objection: Objection, *, answer: str, upheld: bool,
                           person_id: int, now: dt.datetime) -> None:
    objection.answer = answer
    objection.upheld = upheld
    objection.answered_by_person_id = person_id
    objection.answered_at = db_time(now)
    session.add(objection)
    await session.flush()


async def objections_for(session: AsyncSession, subjects: list[str]) -> list[Objection]:
    if not subjects:
        return []
    query = select(Objection).where(col(Objection.subject).in_(subjects)).order_by(col(Objection.id))
    return list((await session.exec(query)).all())


async def unanswered_count(session: AsyncSession, subjects: list[str]) -> int:
    if not subjects:
        return 0
    query = select(func.count()).select_from(Objection).where(col(Objection.subject).in_(subjects),
                                                             col(Objection.answered_at).is_(None))
    return int((await session.exec(query)).one())
