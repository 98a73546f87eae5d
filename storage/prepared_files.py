"""Files made off the update path, kept until the outbox has sent them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlmodel import col
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


async def prune_prepared_files(session: AsyncSession, now: dt.datetime) -> int:
    result = await session.exec(delete(PreparedFile).where(
        col(PreparedFile.created_at) < db_time(now - KEEP_PREPARED_FILES)))
    return int(result.rowcount or 0)
