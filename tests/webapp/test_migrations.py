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
from storage.station_search import hidden_from_alembic


def _diff(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": hidden_from_alembic})
    return list(compare_metadata(context, SQLModel.metadata))


def _tables(conn: Connection) -> set[str]:
    return {t for t in inspect(conn).get_table_names() if hidden_from_alembic(t, "table")} - {"alembic_version"}


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


async def test_stored_rating_scores_are_recomputed_with_level_points_seed002_annex(db: Database) -> None:
    """A rating stored as 75 under the old formula (all 满意) becomes 80; downgrade gives 75 back."""
    import datetime as dt

    from sqlmodel.ext.asyncio.session import AsyncSession

    from storage.models import DemandUnit, Person, Rating, RatingRequest, Station

    await downgrade(db.engine, "3a9c1e5b7d20-1")
    async with AsyncSession(db.engine, expire_on_commit=False) as session:
        station = Station(name="S", policy_profile="wuhan-qis")
        unit = DemandUnit(name="U")
        person = Person(role="demand_contact")
        session.add_all([station, unit, person])
        await session.flush()
        request = RatingRequest(station_id=station.id or 0, demand_unit_id=unit.id or 0,
                                expires_at=dt.datetime(2027, 3, 1, tzinfo=dt.UTC))
        session.add(request)
        await session.flush()
        stars = {"venue": 4, "response": 4, "expertise": 4, "integrity": 4, "expectations": 4}
        session.add(Rating(request_id=request.id or 0, station_id=station.id or 0, person_id=person.id or 0,
                           scores=stars, score=75.0))
        await session.commit()

    async def stored() -> float:
        async with db.engine.connect() as conn:
            return float((await conn.exec_driver_sql("SELECT score FROM rating")).scalar_one())

    await migrate(db.engine)
    assert await stored() == 80.0
    await downgrade(db.engine, "3a9c1e5b7d20-1")
    assert await stored() == 75.0
