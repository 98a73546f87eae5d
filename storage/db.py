"""Engines, sessions and migrations for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import clock_scope
from storage.sqlite_inline import InlineSqliteDbapi

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def normalise_url(url: str) -> str:
    """Accept the URLs people paste (``postgres://``, ``sqlite:///``) and pick the async drivers."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgresql+psycopg2", "postgresql+psycopg"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(normalise_url(url)).get_backend_name() == "sqlite"


def _ensure_sqlite_folder(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)


# How long a statement waits for a lock another connection holds (in a worker thread, never on the loop).
SQLITE_LOCK_PATIENCE_S = 10.0


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers and the one writer work side by side; foreign keys are off by default.

    synchronous=NORMAL is safe in WAL mode (a power cut may lose the last commits, never corrupt).
    No busy timeout here: ``storage.sqlite_inline`` fails fast on the loop and waits in a thread.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """SQL parameters are hidden from error messages: they carry phone numbers and comments."""
    url = normalise_url(url)
    kwargs.setdefault("hide_parameters", True)
    if is_sqlite(url):
        _ensure_sqlite_folder(url)
        # Statements run on the event loop (no aiosqlite thread hop); see storage/sqlite_inline.py.
        engine = create_async_engine(url, module=InlineSqliteDbapi(),
                                     connect_args={"timeout": SQLITE_LOCK_PATIENCE_S}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    return create_async_engine(url, **kwargs)


class Database:
    """One engine and its session factory; passed explicitly, never a module global."""

    def __init__(self, url: str, clock: Callable[[], dt.datetime] | None = None, **engine_kwargs: Any) -> None:
        self.url = normalise_url(url)
        self.clock = clock  # row defaults read it inside sessions (``storage.datetimes.utcnow``); the bot sets it
        self.engine = create_engine(self.url, **engine_kwargs)
        self._is_sqlite = is_sqlite(self.url)  # asked on every update (``serial``): parse the URL once
        self.sessionmaker = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self._writer = asyncio.Lock()

    @asynccontextmanager
    async def serial(self) -> AsyncIterator[None]:
        """Hold while running a read-then-write transaction of a chat update.

        SQLite has one writer; a transaction that read first and then finds another writer has
        committed fails at once ("database is locked"), whatever the busy timeout. Updates of
        different chats therefore take turns for their transaction on SQLite (their Telegram
        calls still overlap); PostgreSQL's row locks need no such turn.
        """
        if not self.is_sqlite:
            yield
            return
        async with self._writer:
            yield

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A write transaction: the writer's turn (``serial``), a session, and a commit when the block ends.

        Every in-process write takes it, not only those that read first: a writer that skips the turn
        can commit between a chat update's read and its write and so fail that update on SQLite.
        An exception rolls back (the session closes uncommitted); leaving the block any other way,
        ``return`` included, commits.
        """
        async with self.serial(), self.session() as session:
            yield session
            await session.commit()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        with clock_scope(self.clock):
            async with self.sessionmaker() as session:
                yield session

    @property
    def is_sqlite(self) -> bool:
        return self._is_sqlite

    async def upgrade(self, revision: str = "head") -> None:
        await migrate(self.engine, revision)

    async def dispose(self) -> None:
        await self.engine.dispose()


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def _run(sync_connection: Connection, action: str, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = sync_connection
    if action == "upgrade":
        command.upgrade(cfg, revision)
    else:
        command.downgrade(cfg, revision)


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade inside the running event loop (the bot migrates on start)."""
    async with engine.begin() as conn:
        await conn.run_sync(_run, "upgrade", revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_run, "downgrade", revision)
