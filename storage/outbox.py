"""Enqueueing proactive messages: one row per (idempotency key); the same key twice is a no-op."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
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


# SQLite's executemany and PostgreSQL's array parameters take any number of rows; the chunk bounds memory,
# and on PostgreSQL lets the server insert one chunk while the next is serialised.
CHUNK_ROWS = 5000
PG_CHUNK_ROWS = 2000
# The columns every enqueued row sets, in the order of the statements below.
_COLUMNS = ("idempotency_key", "person_id", "chat_id", "kind", "payload", "status", "not_before",
            "respect_quiet_hours", "attempts", "last_error", "broadcast_id", "created_at")
# PostgreSQL: one statement per chunk, the varying columns as arrays (a row per array element, in order).
_PG_INSERT = (
    f"INSERT INTO outbox ({', '.join(_COLUMNS)}) "
    "SELECT k, p, c, kd, pl::json, $6::varchar, $7::timestamptz, q, 0, '', b, $8::timestamptz "
    "FROM unnest($1::varchar[], $2::integer[], $3::bigint[], $4::varchar[], $5::text[], $9::boolean[], "
    "$10::integer[]) WITH ORDINALITY AS t(k, p, c, kd, pl, q, b, n) ORDER BY n "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
)
_SQLITE_INSERT = (
    f"INSERT INTO outbox ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
    "ON CONFLICT (idempotency_key) DO NOTHING"
)


def payload_texts(items: Sequence[Outgoing]) -> list[str]:
    """Each row's payload as JSON text; a reply shared by several rows (one reminder to each of a station's
    managers) is serialised once. The text is what the column's own JSON type would have written."""
    replies: dict[int, str] = {}
    texts = []
    for item in items:
        if item.extra:
            texts.append(json.dumps({"reply": reply_to_json(item.reply), **item.extra}))
            continue
        reply = replies.get(id(item.reply))
        if reply is None:
            reply = replies[id(item.reply)] = json.dumps(reply_to_json(item.reply))
        texts.append('{"reply": ' + reply + "}")
    return texts


async def enqueue_many(session: AsyncSession, items: Sequence[Outgoing], *, not_before: dt.datetime) -> int:
    """Insert the rows whose key is new (race-safe: a key taken meanwhile is skipped); returns rows added.

    The December sweep of a network enqueues ~14,000 reminders and a broadcast 10,000 rows, so rows go
    in bulk past the ORM: on PostgreSQL one ``INSERT … SELECT FROM unnest(arrays)`` per chunk (one round
    trip, RETURNING counts the rows added), on SQLite the driver's executemany (its row count is the rows
    added; ignored conflicts change nothing). Building the same rows through SQLAlchemy's per-row bind
    processing and multi-row VALUES was ~40 % of that sweep.
    """
    if not items:
        return 0
    connection = await session.connection()
    created_at = utcnow()
    start = db_time(not_before)
    added = 0
    if connection.dialect.name != "postgresql":
        for offset in range(0, len(items), CHUNK_ROWS):
            chunk = items[offset:offset + CHUNK_ROWS]
            added += await _sqlite_insert(connection, chunk, payload_texts(chunk), start, created_at)
        return added
    # PostgreSQL is another process: it inserts one chunk while this one serialises the next.
    in_flight: asyncio.Future[Any] | None = None
    try:
        for offset in range(0, len(items), PG_CHUNK_ROWS):
            chunk = items[offset:offset + PG_CHUNK_ROWS]
            parameters = ([i.key for i in chunk], [i.person_id for i in chunk], [i.chat_id for i in chunk],
                          [i.kind for i in chunk], payload_texts(chunk), OutboxStatus.pending.value, start,
                          created_at, [i.respect_quiet_hours for i in chunk], [i.broadcast_id for i in chunk])
            if in_flight is not None:
                added += len((await in_flight).all())
            in_flight = asyncio.ensure_future(connection.exec_driver_sql(_PG_INSERT, parameters))
            await asyncio.sleep(0)  # the statement goes out now, before the next chunk is built
        assert in_flight is not None
        added += len((await in_flight).all())
    except BaseException:
        if in_flight is not None and not in_flight.done():
            with contextlib.suppress(BaseException):
                await in_flight  # never leave a statement running on the connection
        raise
    return added


async def _sqlite_insert(connection: Any, chunk: Sequence[Outgoing], payloads: list[str], start: dt.datetime,
                         created_at: dt.datetime) -> int:
    """executemany with each value as the column's type would bind it (SQLite's datetime text, booleans as 0/1)."""
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    dialect = connection.dialect  # the dialect's own type (SQLite's DATETIME text), not the generic one
    bind = {name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in _COLUMNS}

    def value(name: str, raw: Any) -> Any:
        process = bind[name]
        return raw if process is None or raw is None else process(raw)

    status = value("status", OutboxStatus.pending.value)
    begins, created = value("not_before", start), value("created_at", created_at)
    quiet = {flag: value("respect_quiet_hours", flag) for flag in (True, False)}
    rows = [(item.key, item.person_id, item.chat_id, item.kind, payload, status, begins,
             quiet[bool(item.respect_quiet_hours)], 0, "", item.broadcast_id, created)
            for item, payload in zip(chunk, payloads, strict=True)]
    result = await connection.exec_driver_sql(_SQLITE_INSERT, rows)
    return int(result.rowcount)


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
