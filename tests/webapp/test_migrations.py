"""The one migration chain on both databases: up from empty, down to base, up again; no model drift."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from storage.db import Database, downgrade, migrate


def _diff(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


def _tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names()) - {"alembic_version"}


async def test_upgrade_downgrade_upgrade_and_no_drift(db: Database) -> None:
    # the fixture has already upgraded an empty database to head
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_tables) == set(SQLModel.metadata.tables)
        assert await conn.run_sync(_diff) == []
    await downgrade(db.engine, "base")
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_tables) == set()
    await migrate(db.engine)
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_tables) == set(SQLModel.metadata.tables)
        assert await conn.run_sync(_diff) == []
