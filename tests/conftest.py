"""Shared fixtures: a fresh, migrated database per test (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox_client import Sandbox, User
from bot.services import FixedClock
from bot.settings import Settings
from storage.db import Database

SHANGHAI = ZoneInfo("Asia/Shanghai")
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgres"]


def pytest_report_header(config: pytest.Config) -> list[str]:
    from tests.documents.support import pdf_tools_header

    if POSTGRES_URL:
        return ["PostgreSQL leg: ON (TEST_POSTGRES_URL is set)", pdf_tools_header()]
    return ["PostgreSQL leg: *** OFF *** — TEST_POSTGRES_URL is not set; postgres-parametrised tests are SKIPPED",
            pdf_tools_header()]


async def _postgres_database() -> tuple[str, str]:
    import asyncpg  # type: ignore[import-untyped]

    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base, _, _ = POSTGRES_URL.rpartition("/")
    return name, f"{base}/{name}"


async def _drop_postgres_database(name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(params=BACKENDS)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database of its own for each test: isolation without deleting tables."""
    if request.param == "postgres":
        if not POSTGRES_URL:
            pytest.skip("PostgreSQL leg skipped: TEST_POSTGRES_URL is not set")
        name, url = await _postgres_database()
        database = Database(url)
        await database.upgrade()
        yield database
        await database.dispose()
        await _drop_postgres_database(name)
    else:
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
        await database.upgrade()
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
    # (bot.outbox_preview.render_pending); the outbox tests run the jobs themselves.
    box.services.extras["background_jobs"] = False
    async with box:
        yield box
