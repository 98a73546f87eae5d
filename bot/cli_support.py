"""What every ``stationbot`` subcommand shares: one-line localized output, quiet logging, opening the database."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.settings import Settings
from locales import T, Text, normalise_locale, render, translator
from storage.db import Database, alembic_config

QUIET_LOGGERS = ("httpx", "apscheduler", "alembic")


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and the URL contains the bot token; alembic's INFO
    # lines ("Context impl SQLiteImpl") drown the one line a command prints.
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def say(settings: Settings, text: Text) -> None:
    """Print one line in the command line's language (``CLI_LANGUAGE``, English by default)."""
    print(render(text, translator(normalise_locale(settings.cli_language))))


def fail(settings: Settings, text: Text) -> int:
    """Print ``error: …`` and return the exit code 2."""
    say(settings, T("error: {problem}", problem=text))
    return 2


def _revisions(connection: Connection) -> tuple[str | None, str | None]:
    current = MigrationContext.configure(connection).get_current_revision()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return current, head


async def open_read_only(settings: Settings) -> Database | None:
    """The database for a command that only reads: never migrated, so it works on a read-only copy.

    None (after one sentence) when its schema is not the current one.
    """
    db = Database(settings.database_url)
    try:
        async with db.engine.connect() as conn:
            current, head = await conn.run_sync(_revisions)
    except Exception as exc:  # an unreachable or unreadable database: one sentence, not a traceback
        await db.dispose()
        fail(settings, T("the database cannot be read ({problem})", problem=type(exc).__name__))
        return None
    if current != head:
        await db.dispose()
        fail(settings, T("the database is not up to date: run `stationbot db upgrade` first"))
        return None
    return db


@asynccontextmanager
async def _session_then_close(db: Database) -> AsyncIterator[AsyncSession]:
    try:
        async with db.session() as session:
            yield session
    finally:
        await db.dispose()


@asynccontextmanager
async def migrated_session(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A session for a command that writes: the database is brought up to date first, and closed after."""
    db = Database(settings.database_url)
    await db.upgrade()
    async with _session_then_close(db) as session:
        yield session


@asynccontextmanager
async def read_only_session(settings: Settings) -> AsyncIterator[AsyncSession | None]:
    """A session for a command that only reads (see ``open_read_only``); None, after one sentence, when it cannot."""
    db = await open_read_only(settings)
    if db is None:
        yield None
        return
    async with _session_then_close(db) as session:
        yield session
