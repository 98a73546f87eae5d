"""Files staff asked for in the web console, prepared off the request (``PreparedDownload``).

A row is added when staff press "prepare"; the background worker fills it (``finish``/``fail``).
A row still preparing after ``STALLED_AFTER`` was lost with a restart: the page offers to start again.
The bytes go after a week (``storage.prepared_files``); the row stays ``KEEP_DOWNLOAD_ROWS`` so the page can
still say "no longer kept", then the daily bookkeeping job removes it with anything left of its file.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import db_time
from storage.models import PreparedDownload, PreparedFile
from storage.prepared_files import keep_file

PREPARING, READY, FAILED = "preparing", "ready", "failed"
STALLED_AFTER = dt.timedelta(minutes=30)
# A month of history on the exports page; the file itself is pruned after KEEP_PREPARED_FILES (a week).
KEEP_DOWNLOAD_ROWS = dt.timedelta(days=30)


async def start_download(session: AsyncSession, *, kind: str, year: int, detail: str, language: str,
                         person_id: int | None, now: dt.datetime) -> PreparedDownload:
    row = PreparedDownload(kind=kind, year=year, detail=detail, language=language,
                           requested_by_person_id=person_id, created_at=db_time(now))
    session.add(row)
    await session.flush()
    return row


async def finish(session: AsyncSession, row: PreparedDownload, filename: str, content: bytes, now: dt.datetime,
                 *, count: int = 0, note: str = "") -> None:
    row.prepared_file_id = await keep_file(session, filename, content, now)
    row.filename, row.size, row.count, row.note = filename[:200], len(content), count, note[:300]
    row.status, row.finished_at = READY, db_time(now)
    session.add(row)
    await session.flush()


async def fail(session: AsyncSession, row: PreparedDownload, why: str, now: dt.datetime) -> None:
    row.status, row.note, row.finished_at = FAILED, why[:300], db_time(now)
    session.add(row)
    await session.flush()


def stalled(row: PreparedDownload, now: dt.datetime) -> bool:
    return row.status == PREPARING and db_time(row.created_at) + STALLED_AFTER <= db_time(now)


async def recent_downloads(session: AsyncSession, limit: int = 20) -> list[PreparedDownload]:
    return list((await session.exec(select(PreparedDownload).order_by(col(PreparedDownload.id).desc())
                                    .limit(limit))).all())


async def preparing_like(session: AsyncSession, *, kind: str, year: int, detail: str, language: str,
                         now: dt.datetime) -> PreparedDownload | None:
    """The same file already being made (a second press, or a colleague's): wait for it instead of a second run."""
    query = (select(PreparedDownload)
             .where(PreparedDownload.kind == kind, PreparedDownload.year == year, PreparedDownload.detail == detail,
                    PreparedDownload.language == language, PreparedDownload.status == PREPARING,
                    col(PreparedDownload.created_at) > db_time(now) - STALLED_AFTER)
             .order_by(col(PreparedDownload.id).desc()))
    return (await session.exec(query)).first()


async def prune_downloads(session: AsyncSession, now: dt.datetime) -> int:
    """Remove download rows older than ``KEEP_DOWNLOAD_ROWS`` and their files if still kept; the rows removed."""
    old = col(PreparedDownload.created_at) < db_time(now - KEEP_DOWNLOAD_ROWS)
    files = select(PreparedDownload.prepared_file_id).where(old, col(PreparedDownload.prepared_file_id).is_not(None))
    await session.exec(delete(PreparedFile).where(col(PreparedFile.id).in_(files)))
    result = await session.exec(delete(PreparedDownload).where(old))
    return int(result.rowcount or 0)
