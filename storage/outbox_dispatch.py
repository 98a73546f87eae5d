"""The dispatcher's statements on the outbox: the sender's lease, claiming due rows and recording results.

Why each is one statement is said in ``bot/outbox.py`` (the dispatcher, which owns the sessions and commits).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, exists, select, update
from sqlalchemy import or_ as sql_or
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col
from sqlmodel import select as sqlmodel_select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import db_time
from storage.models import DispatcherLock, OutboxMessage, OutboxStatus, Person
from storage.outbox import UNCONFIRMED

LOCK_NAME = "outbox"  # the one lease row: one process sends
OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
LOCK = DispatcherLock.__table__  # type: ignore[attr-defined]
PEOPLE = Person.__table__  # type: ignore[attr-defined]


async def take_lease(session: AsyncSession, name: str, holder: str, now: dt.datetime, expires: dt.datetime) -> bool:
    """Renew our lease, take over an expired one, or create it; True when ``holder`` holds it now."""
    connection = await session.connection()
    result: Any = await connection.execute(
        update(LOCK).where(LOCK.c.name == name, sql_or(LOCK.c.holder == holder, LOCK.c.expires_at <= db_time(now)))
        .values(holder=holder, expires_at=db_time(expires)))
    if result.rowcount:
        return True
    insert: Any = pg_insert(LOCK) if connection.dialect.name == "postgresql" else sqlite_insert(LOCK)
    result = await connection.execute(insert.values(name=name, holder=holder, expires_at=db_time(expires))
                                      .on_conflict_do_nothing(index_elements=["name"]))
    return bool(result.rowcount)


async def end_lease(session: AsyncSession, name: str, holder: str, expired_at: dt.datetime) -> None:
    connection = await session.connection()
    await connection.execute(update(LOCK).where(LOCK.c.name == name, LOCK.c.holder == holder)
                             .values(expires_at=db_time(expired_at)))


def lease_held(name: str, holder: str, now: dt.datetime) -> Any:
    """A condition true while ``holder`` holds the lease, checked inside the claiming statement."""
    return exists().where(LOCK.c.name == name, LOCK.c.holder == holder, LOCK.c.expires_at > db_time(now))


async def mark_interrupted(session: AsyncSession, keep: set[int], reason: str) -> int:
    """Rows left ``sending`` (except ``keep``, ours in flight) become unconfirmed; returns how many."""
    condition = OUTBOX.c.status == OutboxStatus.sending.value
    if keep:
        condition = and_(condition, OUTBOX.c.id.notin_(sorted(keep)))
    connection = await session.connection()
    result: Any = await connection.execute(update(OUTBOX).where(condition).values(status=UNCONFIRMED,
                                                                                  last_error=reason))
    return int(result.rowcount or 0)


async def due_rows(session: AsyncSession, now: dt.datetime, *, quiet: bool, limit: int) -> list[Any]:
    """Pending rows due by ``now``, oldest first; during quiet hours only those that ignore them."""
    query = (select(OUTBOX.c.id, OUTBOX.c.chat_id, OUTBOX.c.person_id, OUTBOX.c.kind, OUTBOX.c.payload,
                    OUTBOX.c.attempts)
             .where(OUTBOX.c.status == OutboxStatus.pending.value, OUTBOX.c.not_before <= db_time(now))
             .order_by(OUTBOX.c.not_before, OUTBOX.c.id).limit(limit))
    if quiet:
        query = query.where(OUTBOX.c.respect_quiet_hours.is_(False))
    connection = await session.connection()
    return list((await connection.execute(query)).all())


async def has_pending(session: AsyncSession) -> bool:
    connection = await session.connection()
    found = (await connection.execute(select(OUTBOX.c.id).where(
        OUTBOX.c.status.in_([OutboxStatus.pending.value, OutboxStatus.sending.value])).limit(1))).first()
    return found is not None


async def claim(session: AsyncSession, row_id: int, held: Any) -> bool:
    """Pending -> sending, only while the lease condition ``held`` is true (one statement)."""
    connection = await session.connection()
    result: Any = await connection.execute(
        update(OUTBOX).where(OUTBOX.c.id == row_id, OUTBOX.c.status == OutboxStatus.pending.value, held)
        .values(status=OutboxStatus.sending.value, attempts=OUTBOX.c.attempts + 1))
    return bool(result.rowcount)


async def languages(session: AsyncSession, person_ids: set[int]) -> dict[int | None, str]:
    if not person_ids:
        return {}
    connection = await session.connection()
    rows = (await connection.execute(select(PEOPLE.c.id, PEOPLE.c.language)
                                     .where(PEOPLE.c.id.in_(sorted(person_ids))))).all()
    return {r.id: r.language for r in rows}


async def finish(session: AsyncSession, row_id: int, **values: Any) -> None:
    """Record a send's result; a late ``sent`` also corrects a row another holder marked unconfirmed."""
    connection = await session.connection()
    await connection.execute(update(OUTBOX).where(
        OUTBOX.c.id == row_id, OUTBOX.c.status.in_([OutboxStatus.sending.value, UNCONFIRMED])).values(**values))


async def fail_blocked(session: AsyncSession, row_id: int, chat_id: int, error: str) -> None:
    """The chat blocked the bot: fail the row and mark every binding of that chat unreachable."""
    connection = await session.connection()
    await connection.execute(update(OUTBOX).where(OUTBOX.c.id == row_id).values(
        status=OutboxStatus.failed.value, last_error=f"Forbidden: {error}"[:500]))
    await connection.execute(update(PEOPLE).where(PEOPLE.c.chat_id == chat_id).values(reachable=False))


async def person_of_chat(session: AsyncSession, chat_id: int) -> Any:
    """``(id, name, role, station_id)`` of the person behind a chat, or None."""
    connection = await session.connection()
    return (await connection.execute(select(PEOPLE.c.id, PEOPLE.c.name, PEOPLE.c.role, PEOPLE.c.station_id)
                                     .where(PEOPLE.c.chat_id == chat_id))).first()


async def pending_for_chat(session: AsyncSession, chat_id: int) -> list[OutboxMessage]:
    """A chat's pending rows in order (tests and the demo deliver them at once, without the dispatcher)."""
    query = (sqlmodel_select(OutboxMessage)
             .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == OutboxStatus.pending)
             .order_by(col(OutboxMessage.id)))
    return list((await session.exec(query)).all())
