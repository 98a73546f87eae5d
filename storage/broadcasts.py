"""Broadcast rows, the chat composer's draft, and the delivery rows a report is made of (queries and writes only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import db_time
from storage.models import Broadcast, Draft, OutboxMessage, OutboxStatus, Person, Station

FORM_ID = "broadcast"


async def composer_draft(session: AsyncSession, person_id: int) -> Draft | None:
    """The staff member's broadcast being composed in chat (one per person)."""
    query = select(Draft).where(Draft.person_id == person_id, Draft.form_id == FORM_ID, Draft.subject_key == "")
    return (await session.exec(query)).first()


async def save_draft(session: AsyncSession, draft: Draft, now: dt.datetime, **changes: Any) -> None:
    draft.state = {**draft.state, **changes}
    draft.rev += 1
    draft.updated_at = db_time(now)
    session.add(draft)
    await session.flush()


async def recent_broadcasts(session: AsyncSession, limit: int = 10, offset: int = 0) -> list[Broadcast]:
    query = select(Broadcast).order_by(col(Broadcast.id).desc()).offset(offset).limit(limit)
    return list((await session.exec(query)).all())


async def cancel_waiting(session: AsyncSession, broadcast_id: int) -> int:
    """Mark the broadcast's waiting rows cancelled; returns how many."""
    result: Any = await session.exec(update(OutboxMessage).where(
        col(OutboxMessage.broadcast_id) == broadcast_id, col(OutboxMessage.status) == OutboxStatus.pending.value)
        .values(status=OutboxStatus.cancelled.value))
    return int(result.rowcount or 0)


@dataclass(frozen=True)
class Delivery:
    """One recipient's outbox row of a broadcast, with who they are."""

    person_id: int | None
    name: str
    role: str
    station: str
    chat_id: int
    status: str
    last_error: str
    not_before: dt.datetime
    respect_quiet_hours: bool
    sent_at: dt.datetime | None


async def deliveries(session: AsyncSession, broadcast_ids: list[int]) -> dict[int, list[Delivery]]:
    """Every outbox row of the broadcasts, by broadcast, in recipient order."""
    if not broadcast_ids:
        return {}
    # Bare columns, not the rows' payloads: a broadcast to a whole network is 10,000 rows.
    query = (sa_select(*(col(c) for c in (
        OutboxMessage.broadcast_id, OutboxMessage.person_id, Person.name, Person.role, Station.name,
        OutboxMessage.chat_id, OutboxMessage.status, OutboxMessage.last_error, OutboxMessage.not_before,
        OutboxMessage.respect_quiet_hours, OutboxMessage.sent_at)))
             .outerjoin(Person, col(Person.id) == col(OutboxMessage.person_id))
             .outerjoin(Station, col(Station.id) == col(Person.station_id))
             .where(col(OutboxMessage.broadcast_id).in_(broadcast_ids)).order_by(col(OutboxMessage.id)))
    found: dict[int, list[Delivery]] = {i: [] for i in broadcast_ids}
    connection = await session.connection()
    rows: Any = (await connection.execute(query)).all()
    for broadcast_id, person_id, name, role, station, chat_id, status, last_error, not_before, respect, sent_at in rows:
        found[int(broadcast_id)].append(Delivery(person_id, name or "", role or "", station or "", chat_id, status,
                                                 last_error, not_before, respect, sent_at))
    return found


async def status_counts(session: AsyncSession, broadcast_ids: list[int]) -> dict[int, dict[str, int]]:
    """Outbox rows by status for each broadcast (the list page; a report reads every row)."""
    if not broadcast_ids:
        return {}
    query = (select(OutboxMessage.broadcast_id, OutboxMessage.status, func.count())
             .where(col(OutboxMessage.broadcast_id).in_(broadcast_ids))
             .group_by(col(OutboxMessage.broadcast_id), col(OutboxMessage.status)))
    found: dict[int, dict[str, int]] = {i: {} for i in broadcast_ids}
    for broadcast_id, status, n in (await session.exec(query)).all():
        found[int(broadcast_id or 0)][status] = int(n)
    return found


async def by_form_token(session: AsyncSession, token: str) -> Broadcast | None:
    """The broadcast a console form already created (its one-time token), if any."""
    return (await session.exec(select(Broadcast).where(Broadcast.form_token == token))).first()
