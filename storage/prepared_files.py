"""Files made off the update path, kept until the outbox has sent them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import db_time
from storage.models import PreparedFile

# A prepared file is sent within seconds; a week covers a long outage of Telegram or the bot.
KEEP_PREPARED_FILES = dt.timedelta(days=7)


async def keep_file(session: AsyncSession, filename: str, content: bytes, now: dt.datetime) -> int:
    item = PreparedFile(filename=filename, content=content, created_at=db_time(now))
    session.add(item)
    await session.flush()
    assert item.id is not None
    return item.id


async def prepared_content(session: AsyncSession, file_id: int) -> bytes | None:
    item = await session.get(PreparedFile, file_id)
    return item.content if item is not None else None


async def prepared_stamp(session: AsyncSession, file_id: int) -> dt.datetime | None:
    """When the file was kept (None: gone), without its bytes: with the id it names one file for good,
    as a pruned file's id may be given again to a new one (SQLite reuses the highest rowid)."""
    return (await session.exec(select(PreparedFile.created_at).where(PreparedFile.id == file_id))).first()


async def prune_prepared_files(session: AsyncSession, now: dt.datetime) -> int:
    result = await session.exec(delete(PreparedFile).where(
        col(PreparedFile.created_at) < db_time(now - KEEP_PREPARED_FILES)))
    return int(result.rowcount or 0)
