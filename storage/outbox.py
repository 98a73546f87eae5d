"""Enqueueing proactive messages: one row per (idempotency key); the same key twice is a no-op."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.serialize import reply_to_json
from conversations.types import Reply
from storage.clock import db_time
from storage.models import OutboxMessage, OutboxStatus

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
