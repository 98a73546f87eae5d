"""Enqueueing proactive messages: one row per (idempotency key); the same key twice is a no-op."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.serialize import reply_to_json
from conversations.types import Reply
from storage.datetimes import db_time, utcnow
from storage.models import OutboxMessage, OutboxStatus

# A row whose process died between "sending" and "sent": Telegram cannot tell us whether it
# arrived, so it is reported, never resent automatically (see bot/outbox.py).
UNCONFIRMED = "unconfirmed"


@dataclass(frozen=True)
class Outgoing:
    """One proactive message to enqueue; ``key`` makes it idempotent."""

    key: str
    chat_id: int
    reply: Reply
    kind: str
    person_id: int | None = None
    respect_quiet_hours: bool = True
    broadcast_id: int | None = None
    extra: dict[str, Any] | None = None


# Multi-row INSERTs stay well under SQLite's bound-parameter limit (13 columns a row).
CHUNK_ROWS = 500


def _row(item: Outgoing, not_before: dt.datetime, created_at: dt.datetime) -> dict[str, Any]:
    return {
        "idempotency_key": item.key,
        "chat_id": item.chat_id,
        "person_id": item.person_id,
        "kind": item.kind,
        "payload": {"reply": reply_to_json(item.reply), **(item.extra or {})},
        "status": OutboxStatus.pending.value,
        "not_before": not_before,
        "respect_quiet_hours": item.respect_quiet_hours,
        "attempts": 0,
        "last_error": "",
        "broadcast_id": item.broadcast_id,
        "created_at": created_at,
    }


async def enqueue_many(session: AsyncSession, items: Sequence[Outgoing], *, not_before: dt.datetime) -> int:
    """Insert the rows whose key is new, a chunk per statement (race-safe); returns rows added.

    The daily sweep enqueues tens of thousands of candidate reminders, most already present, and a
    broadcast to the network 10,000 rows: one executemany per chunk (compiled once; rendering a
    500-row VALUES clause per chunk took about 1 s per 1,000 rows), RETURNING counts the rows added.
    """
    if not items:
        return 0
    connection = await session.connection()
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    created_at = utcnow()
    start = db_time(not_before)
    statement: Any = insert(table).on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(table.c.id)
    added = 0
    for offset in range(0, len(items), CHUNK_ROWS):
        rows = [_row(item, start, created_at) for item in items[offset:offset + CHUNK_ROWS]]
        added += len((await connection.execute(statement, rows)).all())
    return added


async def keys_starting(session: AsyncSession, prefix: str) -> list[str]:
    """Idempotency keys already used that start with ``prefix`` (a job checks what it sent this year)."""
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    connection = await session.connection()
    rows = await connection.execute(select(table.c.idempotency_key).where(table.c.idempotency_key.startswith(prefix)))
    return [key for (key,) in rows.all()]


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
    item = Outgoing(key, chat_id, reply, kind, person_id, respect_quiet_hours, broadcast_id, extra)
    return bool(await enqueue_many(session, [item], not_before=not_before))
