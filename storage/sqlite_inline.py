"""SQLite for the async engine without a thread hop per call: statements run on the event loop.

Why: aiosqlite sends every cursor call (open, execute, fetch, close, commit) to its own thread and
back, about fifteen round trips a form step; on two shared cores those hops and the GIL hand-overs
cost more than the statements themselves (bench/RESULTS.md, 2026-11-27 session 2). SQLite in WAL
mode answers a keyed read or a one-row write in microseconds, so it is cheaper to run them inline.

The one thing that must never happen inline is waiting: a statement that finds another connection
(another process, a worker thread) holding the write lock fails at once here (busy timeout 0) and
is retried in a worker thread with the configured patience, so the event loop never sleeps on a
lock. ``SQLITE_BUSY`` means the statement changed nothing, so the retry is safe.

Nor may a long read hold the loop (an export's sorted year of ledger, the daily sweep's scans): a
SELECT gets ``INLINE_BUDGET_S`` on the loop, after which SQLite's progress handler interrupts it and
it starts again in a worker thread. Only reads are interrupted: interrupting a write inside a
transaction would roll the whole transaction back.

Plugged in as the ``module`` of SQLAlchemy's own aiosqlite dialect: SQL, types, pooling and the
async API stay SQLAlchemy's; only the object that talks to ``sqlite3`` is ours.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_dbapi

R = TypeVar("R")

DEFAULT_PATIENCE_S = 30.0
INLINE_BUDGET_S = 0.002  # a read still running after this goes to a worker thread
_PROGRESS_EVERY = 1000  # SQLite VM instructions between looks at the clock
_READS = ("SELECT", "WITH")


def _busy(error: sqlite3.OperationalError) -> bool:
    """Plain SQLITE_BUSY: a lock another connection holds (not BUSY_SNAPSHOT, which waiting can't mend)."""
    return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY


class InlineConnection:
    """The slice of ``aiosqlite.Connection`` SQLAlchemy's adapter uses, running calls on the caller's thread."""

    def __init__(self, conn: sqlite3.Connection, patience_s: float) -> None:
        self._conn = conn
        self._connection: sqlite3.Connection | None = conn  # aiosqlite's "still open" marker
        self._patience_ms = int(patience_s * 1000)
        self._tx = _ImmediateQueue()

    async def run(self, fn: Callable[..., R], *args: Any) -> R:
        """``fn(*args)`` at once; on a lock held elsewhere, again in a worker thread that may wait for it."""
        try:
            return fn(*args)
        except sqlite3.OperationalError as error:
            if not _busy(error):
                raise
        return await asyncio.to_thread(self._patiently, fn, *args)

    async def run_read(self, fn: Callable[..., R], *args: Any) -> R:
        """Like :meth:`run`, and a read still running after ``INLINE_BUDGET_S`` goes on in a worker thread."""
        deadline = time.perf_counter() + INLINE_BUDGET_S
        self._conn.set_progress_handler(lambda: time.perf_counter() > deadline, _PROGRESS_EVERY)
        try:
            return fn(*args)
        except sqlite3.OperationalError as error:
            if not _busy(error) and getattr(error, "sqlite_errorcode", None) != sqlite3.SQLITE_INTERRUPT:
                raise
        finally:
            self._conn.set_progress_handler(None, 0)
        return await asyncio.to_thread(self._patiently, fn, *args)

    def _patiently(self, fn: Callable[..., R], *args: Any) -> R:
        self._conn.execute(f"PRAGMA busy_timeout={self._patience_ms}")
        try:
            return fn(*args)
        finally:
            self._conn.execute("PRAGMA busy_timeout=0")

    def cursor(self) -> _CursorContext:
        return _CursorContext(self)

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        cursor = InlineCursor(self, self._conn.cursor())
        await cursor.execute(sql, parameters)
        return cursor

    async def commit(self) -> None:
        await self.run(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    def stop(self) -> None:
        """Terminate (SQLAlchemy's forced close): nothing runs elsewhere, so closing is enough."""
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._conn.isolation_level = value  # type: ignore[assignment]  # sqlite3 accepts "" too


class _ImmediateQueue:
    """Stands in for aiosqlite's request queue, which SQLAlchemy uses to set the isolation level."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:  # handed to the awaiting caller, as aiosqlite does
            future.set_exception(error)


class _CursorContext:
    def __init__(self, connection: InlineConnection) -> None:
        self._connection = connection

    async def __aenter__(self) -> InlineCursor:
        return InlineCursor(self._connection, self._connection._conn.cursor())

    def __await__(self) -> Any:
        return self.__aenter__().__await__()


class InlineCursor:
    """The slice of ``aiosqlite.Cursor`` SQLAlchemy's adapter uses."""

    def __init__(self, connection: InlineConnection, cursor: sqlite3.Cursor) -> None:
        self._connection = connection
        self._cursor = cursor

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        if sql.lstrip()[:6].upper().startswith(_READS):
            await self._connection.run_read(self._cursor.execute, sql, parameters)
        else:
            await self._connection.run(self._cursor.execute, sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        rows = parameters if isinstance(parameters, list) else list(parameters)  # a retry must see them all
        await self._connection.run(self._cursor.executemany, sql, rows)
        return self

    async def fetchone(self) -> Any:
        return await self._connection.run(self._cursor.fetchone)

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return await self._connection.run(self._cursor.fetchmany, size or self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return await self._connection.run(self._cursor.fetchall)

    async def close(self) -> None:
        self._cursor.close()

    async def setinputsizes(self, *sizes: Any) -> None:
        """sqlite3 ignores input sizes."""

    async def nextset(self) -> None:
        return None

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class InlineSqliteDbapi(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite DBAPI shim, connecting to :class:`InlineConnection` instead of a thread."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)
        self.has_stop = True

    def connect(self, *args: Any, **kwargs: Any) -> AsyncAdapt_aiosqlite_connection:
        kwargs.pop("async_creator_fn", None)
        patience = float(kwargs.pop("timeout", DEFAULT_PATIENCE_S))
        kwargs["check_same_thread"] = False  # a lock-wait retry runs in a worker thread
        conn = sqlite3.connect(*args, timeout=0, **kwargs)  # type: ignore[call-overload]
        return AsyncAdapt_aiosqlite_connection(self, InlineConnection(conn, patience))  # type: ignore[arg-type]
