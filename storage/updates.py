"""Telegram update ids already handled: recorded once, pruned once Telegram can no longer resend them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import db_time
from storage.models import ProcessedUpdate

# Telegram keeps an undelivered update for 24 hours; two days of ids is ample for de-duplication.
KEEP_PROCESSED_UPDATES = dt.timedelta(days=2)

_TABLE = ProcessedUpdate.__table__  # type: ignore[attr-defined]
# Built once per dialect (every update runs it): SQLAlchemy's compiled cache then serves it
# without building, coercing and hashing a new expression each time.
_RECORD = {
    name: insert(_TABLE)
    .values(update_id=bindparam("update_id", type_=_TABLE.c.update_id.type),
            at=bindparam("at", type_=_TABLE.c.at.type))
    .on_conflict_do_nothing(index_elements=["update_id"])
    for name, insert in (("sqlite", sqlite_insert), ("postgresql", pg_insert))
}


def _insert_new(session: Session, update_id: int, at: dt.datetime) -> int:
    connection = session.connection()
    return int(connection.execute(_RECORD[connection.dialect.name], {"update_id": update_id, "at": at}).rowcount)


async def record_update(session: AsyncSession, update_id: int, now: dt.datetime) -> bool:
    """True when this update is new; False when another worker (or a resend) already has it.

    One ``INSERT … ON CONFLICT DO NOTHING``: a concurrent insert of the same id waits for the
    other transaction and then inserts nothing, on SQLite and PostgreSQL alike. It runs on the
    session's connection (same transaction), past the ORM: there is no entity to track.
    """
    return bool(await session.run_sync(_insert_new, update_id, db_time(now)))


async def prune_processed_updates(session: AsyncSession, now: dt.datetime) -> int:
    """Forget ids older than Telegram's resend window so the table stays bounded."""
    cutoff = db_time(now - KEEP_PROCESSED_UPDATES)
    result = await session.exec(
        delete(ProcessedUpdate).where(col(ProcessedUpdate.at) < cutoff))
    return int(result.rowcount or 0)
