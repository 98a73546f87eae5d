"""Telegram update ids already handled: recorded once, pruned once Telegram can no longer resend them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import db_time
from storage.models import ProcessedUpdate

# Telegram keeps an undelivered update for 24 hours; two days of ids is ample for de-duplication.
KEEP_PROCESSED_UPDATES = dt.timedelta(days=2)


async def record_update(session: AsyncSession, update_id: int, now: dt.datetime) -> bool:
    """True when this update is new; False when another worker (or a resend) already has it.

    One ``INSERT … ON CONFLICT DO NOTHING``: a concurrent insert of the same id waits for the
    other transaction and then inserts nothing, on SQLite and PostgreSQL alike.
    """
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (insert(ProcessedUpdate).values(update_id=update_id, at=db_time(now))
                 .on_conflict_do_nothing(index_elements=["update_id"]))
    result = await session.exec(statement)
    return bool(result.rowcount)


async def prune_processed_updates(session: AsyncSession, now: dt.datetime) -> int:
    """Forget ids older than Telegram's resend window so the table stays bounded."""
    cutoff = db_time(now - KEEP_PROCESSED_UPDATES)
    result = await session.exec(
        delete(ProcessedUpdate).where(col(ProcessedUpdate.at) < cutoff))
    return int(result.rowcount or 0)
