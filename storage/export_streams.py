"""A year's ledger and ratings streamed a partition at a time as plain rows, read through the driver (the xlsx export).

A network's year is about a million ledger rows. Read through SQLAlchemy's result, each value went
through its type's processor (on SQLite a date parsed by regex, JSON decoded, per value): about 16 s
of the export's CPU. Here the query is still built and its parameters bound by SQLAlchemy, but the
rows come from the driver's own cursor (sqlite3 through aiosqlite, asyncpg) and each column is
converted once per partition with a function chosen once per column (``converter``). A JSON list
that is only counted (a ledger row's attachments) is counted in SQL, never decoded.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from typing import Any, cast

from sqlalchemy import JSON, Date, DateTime, Integer, case, func, literal_column, type_coerce
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.listings import activity_filters, rated_in
from storage.models import Activity, Rating

Convert = Callable[[Any], Any]
RATING_COLUMNS = ("station_id", "created_at", "score", "scores", "comment")


def ledger_column(name: str) -> Any:
    """The Activity column called ``name``; a name the table lacks fails loudly (a form declared it)."""
    column = Activity.__table__.columns.get(name)  # type: ignore[attr-defined]
    if column is None:
        raise LookupError(f"the ledger has no column {name!r}")
    return column


def _json(value: str | bytes) -> Any:
    """Stored JSON to Python; the empty object and list (most ledger rows) without the decoder."""
    if value == "{}":
        return {}
    if value == "[]":
        return []
    return json.loads(value)


def converter(column: Any, dialect: Dialect) -> Convert | None:
    """How a driver's raw value of ``column`` becomes the value SQLAlchemy's type would give (None: as it is).

    SQLite hands dates and times as ISO text (times naive, in UTC as stored) and JSON as text; asyncpg
    hands real dates and times (``timestamptz`` aware) and JSON already decoded (SQLAlchemy's asyncpg
    dialect sets a JSON codec on each connection).
    """
    kind = column.type
    if dialect.name == "sqlite":
        if isinstance(kind, JSON):
            return _json
        if isinstance(kind, DateTime) or isinstance(getattr(kind, "impl", None), DateTime):
            return dt.datetime.fromisoformat
        if isinstance(kind, Date):
            return dt.date.fromisoformat
    return None


def json_length(column: Any, dialect: Dialect) -> Any:
    """The number of items of a JSON list column, counted by the database (0 for anything but a list)."""
    if dialect.name == "sqlite":
        is_list = func.json_type(column) == "array"
    else:
        is_list = func.json_typeof(column) == "array"
    return type_coerce(case((is_list, func.json_array_length(column)), else_=literal_column("0")), Integer)


def convert_partition(rows: Sequence[Sequence[Any]], steps: Sequence[tuple[int, Convert, bool]]) -> list[tuple[Any, ...]]:
    """Apply each column's converter to a partition, column by column (``map`` over a column, not a call per row)."""
    if not steps or not rows:
        return [tuple(row) for row in rows]
    columns = list(zip(*rows, strict=True))
    for index, convert, nullable in steps:
        values = columns[index]
        if nullable:
            columns[index] = tuple(None if v is None else convert(v) for v in values)
        else:
            columns[index] = tuple(map(convert, values))
    return list(zip(*columns, strict=True))


async def driver_partitions(session: AsyncSession, query: Select[Any], columns: Sequence[Any],
                            chunk: int) -> AsyncIterator[list[tuple[Any, ...]]]:
    """Run ``query`` on the session's connection with the driver's cursor; ``chunk`` converted rows at a time.

    ``columns[i]`` is the table column behind the query's i-th result (its type picks the converter),
    or None for a value that needs none (a count made in SQL). The rows are read in the session's
    transaction, so they agree with what the session read before.
    """
    connection = await session.connection()
    dialect = connection.dialect
    compiled = query.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    # The parameters as SQLAlchemy would send them (a date as ISO text on SQLite, an aware time in UTC).
    # (No public accessor for the processors: the tests read rows both ways on both databases.)
    processors = cast(dict[str, Convert], compiled._bind_processors)
    params = [processors[name](compiled.params[name]) if name in processors else compiled.params[name]
              for name in compiled.positiontup or ()]
    steps = []
    for index, column in enumerate(columns):
        convert = converter(column, dialect) if column is not None else None
        if convert is not None:
            steps.append((index, convert, bool(column.nullable)))
    driver: Any = (await connection.get_raw_connection()).driver_connection  # aiosqlite's or asyncpg's
    if dialect.name == "sqlite":
        cursor = await driver.execute(compiled.string, params)
        try:
            while batch := await cursor.fetchmany(chunk):
                yield convert_partition(batch, steps)
        finally:
            await cursor.close()
        return
    if driver.is_in_transaction():  # asyncpg's cursors live in a transaction: the session's, else one of their own
        async for partition in _asyncpg_partitions(driver, compiled.string, params, chunk, steps):
            yield partition
        return
    async with driver.transaction(readonly=True):
        async for partition in _asyncpg_partitions(driver, compiled.string, params, chunk, steps):
            yield partition


async def _asyncpg_partitions(driver: Any, sql: str, params: list[Any], chunk: int,
                              steps: Sequence[tuple[int, Convert, bool]]) -> AsyncIterator[list[tuple[Any, ...]]]:
    cursor = await driver.cursor(sql, *params)
    while batch := await cursor.fetch(chunk):
        yield convert_partition(batch, steps)


async def stream_ledger(session: AsyncSession, station_ids: Sequence[int] | None, year: int, columns: Sequence[str],
                        chunk: int = 500, *, counted: Collection[str] = ()) -> AsyncIterator[Sequence[Any]]:
    """The year's ledger in station/date order, ``chunk`` rows per partition, as plain rows of ``columns``.

    Values are what the ORM would give (dates, aware or UTC-naive times, decoded JSON); a column named in
    ``counted`` (a JSON list, e.g. attachments) gives its number of items, counted in SQL.
    The caller names the columns (the export takes them from the activity form's declarations).
    """
    connection = await session.connection()
    tables = [ledger_column(name) for name in columns]
    exprs = [json_length(column, connection.dialect) if name in counted else column
             for name, column in zip(columns, tables, strict=True)]
    query = (sa_select(*exprs).where(*activity_filters(station_ids, year, None))
             .order_by(col(Activity.station_id), col(Activity.started_on), col(Activity.id)))
    async for partition in driver_partitions(session, query, [None if name in counted else column for name, column
                                                               in zip(columns, tables, strict=True)], chunk):
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
    columns = [Rating.__table__.columns[name] for name in RATING_COLUMNS]  # type: ignore[attr-defined]
    query = sa_select(*columns).where(*where).order_by(col(Rating.id))
    async for partition in driver_partitions(session, query, columns, chunk):
        yield partition
