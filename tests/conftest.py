"""Shared fixtures: a migrated database of its own per test (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.services import FixedClock
from bot.settings import Settings
from storage.db import Database
from testing.client import Sandbox, User

SHANGHAI = ZoneInfo("Asia/Shanghai")
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgres"]


def pytest_report_header(config: pytest.Config) -> list[str]:
    from tests.browser import browser_status
    from tests.documents.support import pdf_tools_header

    if POSTGRES_URL:
        return ["PostgreSQL leg: ON (TEST_POSTGRES_URL is set)", pdf_tools_header(), browser_status()]
    return ["PostgreSQL leg: *** OFF *** — TEST_POSTGRES_URL is not set; postgres-parametrised tests are SKIPPED",
            pdf_tools_header(), browser_status()]


def _admin_dsn() -> str:
    return POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")


async def _postgres_database(template: str | None = None) -> tuple[str, str]:
    import asyncpg  # type: ignore[import-untyped]

    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(_admin_dsn())
    try:
        await admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    finally:
        await admin.close()
    base, _, _ = POSTGRES_URL.rpartition("/")
    return name, f"{base}/{name}"


async def _drop_postgres_database(name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(_admin_dsn())
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


class MigratedTemplates:
    """One migrated database per test session, built on first use; each test gets its own copy.

    Running the migrations for every test was about 40 % of the time of the suites that drive the
    whole bot. SQLite: a copy of a migrated file. PostgreSQL: ``CREATE DATABASE ... TEMPLATE``.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._sqlite: Path | None = None
        self._postgres: str | None = None

    async def sqlite_copy(self, target: Path) -> None:
        if self._sqlite is None:
            path = self.folder / "migrated.db"
            database = Database(f"sqlite+aiosqlite:///{path}")
            await database.upgrade()
            await database.dispose()
            connection = sqlite3.connect(path)  # fold the WAL into the file, so one file is the whole database
            try:
                connection.execute("PRAGMA journal_mode=DELETE")
            finally:
                connection.close()
            self._sqlite = path
        shutil.copyfile(self._sqlite, target)

    async def postgres_copy(self) -> tuple[str, str]:
        if self._postgres is None:
            name, url = await _postgres_database()
            database = Database(url)
            try:
                await database.upgrade()
            finally:
                await database.dispose()  # a template must have no open connection when it is copied
            self._postgres = name
        return await _postgres_database(template=self._postgres)

    def drop(self) -> None:
        if self._postgres is not None:
            asyncio.run(_drop_postgres_database(self._postgres))


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedTemplates]:
    templates = MigratedTemplates(tmp_path_factory.mktemp("migrated"))
    yield templates
    templates.drop()


@pytest.fixture(params=BACKENDS)
async def db(request: pytest.FixtureRequest, tmp_path: Path,
             migrated_templates: MigratedTemplates) -> AsyncIterator[Database]:
    """A migrated database of its own for each test (a copy of the session's migrated template):
    isolation without deleting tables."""
    if request.param == "postgres":
        if not POSTGRES_URL:
            pytest.skip("PostgreSQL leg skipped: TEST_POSTGRES_URL is not set")
        name, url = await migrated_templates.postgres_copy()
        database = Database(url)
        yield database
        await database.dispose()
        await _drop_postgres_database(name)
    else:
        await migrated_templates.sqlite_copy(tmp_path / "test.db")
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
        yield database
        await database.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2027, 2, 1, 10, 0, tzinfo=SHANGHAI))


STAFF = User(900001, "Staff", "zh-hans")


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None, telegram_bot_token="123456:SANDBOX", staff_telegram_ids=[STAFF.id],
                    database_url="sqlite+aiosqlite:///:memory:")


@pytest.fixture
async def sandbox(settings: Settings, db: Database, clock: FixedClock) -> AsyncIterator[Sandbox]:
    box = Sandbox(settings, db, clock)
    # The real-time dispatcher job would race the tests that deliver the outbox explicitly
    # (testing.outbox_flush.render_pending); the outbox tests run the jobs themselves.
    box.services.background_jobs = False
    async with box:
        yield box
