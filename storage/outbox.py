"""Enqueueing proactive messages: one row per (idempotency key); the same key twice is a no-op."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.serialize import reply_to_json
from conversations.types import Reply
from locales import Raw, T
from storage.clock import db_time
from storage.models import OutboxMessage, OutboxStatus, Person, Role

# A row whose process died between "sending" and "sent": Telegram cannot tell us whether it
# arrived, so it is reported, never resent automatically (see bot/outbox.py).
UNCONFIRMED = "unconfirmed"


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    chat_id: int,
    reply: Reply,
    kind: str,
    person_id: int | None = None,
    not_before: dt.datetime,
    respect_quiet_hours: bool = True,
    broadcast_id: int | None = None,
    extra: dict[str, Any] | None = None,
) -> bool:
    """Insert unless the key exists (race-safe on SQLite and PostgreSQL). True if a row was added."""
    values = {
        "idempotency_key": key,
        "chat_id": chat_id,
        "person_id": person_id,
        "kind": kind,
        "payload": {"reply": reply_to_json(reply), **(extra or {})},
        "status": OutboxStatus.pending.value,
        "not_before": db_time(not_before),
        "respect_quiet_hours": respect_quiet_hours,
        "attempts": 0,
        "last_error": "",
        "broadcast_id": broadcast_id,
        "created_at": db_time(dt.datetime.now(dt.UTC)),
    }
    connection = await session.connection()
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    if connection.dialect.name == "postgresql":
        statement: Any = pg_insert(table).values(**values).on_conflict_do_nothing(index_elements=["idempotency_key"])
    else:
        statement = sqlite_insert(table).values(**values).on_conflict_do_nothing(index_elements=["idempotency_key"])
    result = await connection.execute(statement)
    return bool(result.rowcount)


async def alert_staff_unreachable(session: AsyncSession, chat_id: int, now: dt.datetime) -> int:
    """One alert per blocked person per day to each staff member (broadcasts report it instead)."""
    people = Person.__table__  # type: ignore[attr-defined]
    connection = await session.connection()
    blocked = (await connection.execute(select(people.c.id, people.c.name, people.c.role, people.c.station_id)
                                        .where(people.c.chat_id == chat_id))).first()
    staff = (await connection.execute(select(people.c.id, people.c.chat_id).where(
        people.c.role == Role.staff.value, people.c.active.is_(True), people.c.reachable.is_(True),
        people.c.chat_id.is_not(None)))).all()
    name = blocked.name if blocked is not None else ""
    person_ref = blocked.id if blocked is not None else f"chat{chat_id}"
    text = T("{name} has blocked the bot, so messages to them (such as reminders) cannot be delivered. "
             "Please contact them another way and ask them to restart the bot.", name=Raw(name or "?"))
    added = 0
    for member in staff:
        added += await enqueue(session, key=f"unreachable:{now.date().isoformat()}:person-{person_ref}:staff-{member.id}",
                               chat_id=member.chat_id, person_id=member.id, reply=Reply(text), kind="staff_alert",
                               not_before=now, respect_quiet_hours=True)
    return added
