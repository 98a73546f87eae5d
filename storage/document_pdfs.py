"""PDFs LibreOffice already made, by the DOCX content they were made from (``bot.documents.docx_key``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import db_time
from storage.models import DocumentPdf

# A submission's document never changes, but an open round's tables do with every score: old PDFs go.
KEEP_DOCUMENT_PDFS = dt.timedelta(days=180)


async def kept_pdfs(session: AsyncSession, keys: Collection[str]) -> dict[str, bytes]:
    """The PDFs already made for these keys (a round's zip asks for thousands: read in chunks)."""
    found: dict[str, bytes] = {}
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), 500):
        query = select(DocumentPdf.key, DocumentPdf.content).where(col(DocumentPdf.key).in_(wanted[start:start + 500]))
        found.update({key: content for key, content in (await session.exec(query)).all()})
    return found


async def keep_pdfs(session: AsyncSession, pdfs: Mapping[str, bytes], now: dt.datetime) -> int:
    """Keep newly made PDFs (commits); one another process kept meanwhile is left as it is."""
    fresh = {k: v for k, v in pdfs.items() if k not in await kept_keys(session, pdfs)}
    for key, content in fresh.items():
        session.add(DocumentPdf(key=key, content=content, created_at=db_time(now)))
    try:
        await session.commit()
    except IntegrityError:  # the same document converted by two processes at once: either copy will do
        await session.rollback()
        return 0
    return len(fresh)


async def kept_keys(session: AsyncSession, keys: Collection[str]) -> set[str]:
    query = select(DocumentPdf.key).where(col(DocumentPdf.key).in_(list(keys)))
    return set((await session.exec(query)).all())


async def prune_document_pdfs(session: AsyncSession, now: dt.datetime) -> int:
    result = await session.exec(delete(DocumentPdf).where(
        col(DocumentPdf.created_at) < db_time(now - KEEP_DOCUMENT_PDFS)))
    return int(result.rowcount or 0)
