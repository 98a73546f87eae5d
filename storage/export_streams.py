"""A year's ledger and ratings streamed a partition at a time as plain column rows (the xlsx export)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.listings import activity_filters, rated_in
from storage.models import Activity, Rating


def ledger_column(name: str) -> Any:
    """The Activity column called ``name``; a name the table lacks fails loudly (a form declared it)."""
    column = Activity.__table__.columns.get(name)  # type: ignore[attr-defined]
    if column is None:
        raise LookupError(f"the ledger has no column {name!r}")
    return column


async def stream_ledger(session: AsyncSession, station_ids: Sequence[int] | None, year: int, columns: Sequence[str],
                        chunk: int = 500) -> AsyncIterator[Sequence[Any]]:
    """The year's ledger in station/date order, ``chunk`` rows per partition, as plain rows of ``columns``.

    Plain column rows, not ORM objects: building an ``Activity`` per row was a large part of a
    million-row export, and the session's identity map need not see rows that are only written out.
    The caller names the columns (the export takes them from the activity form's declarations).
    """
    query = (sa_select(*(ledger_column(name) for name in columns)).where(*activity_filters(station_ids, year, None))
             .order_by(col(Activity.station_id), col(Activity.started_on), col(Activity.id)))
    result = await session.stream(query.execution_options(yield_per=chunk))
    # A partition per await: iterating row by row costs a greenlet switch for every ledger row.
    async for partition in result.partitions(chunk):
        yield partition


async def stream_ratings(session: AsyncSession, station_ids: Sequence[int] | None, year: int,
                         chunk: int = 500, *, tz: dt.tzinfo) -> AsyncIterator[Sequence[Any]]:
    """The year's ratings as ``(station_id, created_at, score, scores, comment)`` rows, a partition at a time.

    A network's year holds hundreds of thousands of ratings: as ORM objects in one list they were the
    export's largest allocation.
    """
    where = rated_in(year, tz)
    if station_ids is not None:
        where.append(col(Rating.station_id).in_(list(station_ids)))
    query = (sa_select(col(Rating.station_id), col(Rating.created_at), col(Rating.score), col(Rating.scores),
                       col(Rating.comment)).where(*where).order_by(col(Rating.id)))
    result = await session.stream(query.execution_options(yield_per=chunk))
    async for partition in result.partitions(chunk):
        yield partition
