"""A round's material deadline ends at midnight where the deployment is (``TIMEZONE``), not at a fixed +08:00."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from storage.db import Database
from storage.models import Station, Submission
from storage.rounds import submitted_by
from tests.conftest import SHANGHAI


async def test_the_deadline_day_ends_at_local_midnight(db: Database) -> None:
    deadline = dt.date(2027, 1, 31)
    filed = dt.datetime(2027, 1, 31, 20, 0, tzinfo=dt.UTC)  # 1 February 04:00 in Shanghai, still 31 January in Chicago
    async with db.session() as session:
        station = Station(name="衢州服务站", policy_profile="quzhou", region="衢州", founded_on=dt.date(2024, 1, 1))
        session.add(station)
        await session.flush()
        assert station.id is not None
        session.add(Submission(station_id=station.id, kind="summary", year=2026, submitted_at=filed))
        await session.commit()
        in_shanghai = await submitted_by(session, [station.id], (2026, 2026), deadline, SHANGHAI)
        in_chicago = await submitted_by(session, [station.id], (2026, 2026), deadline, ZoneInfo("America/Chicago"))
    assert in_shanghai[station.id] == set(), "after midnight in Shanghai: late"
    assert in_chicago[station.id] == {("summary", 2026)}, "before midnight in Chicago: on time"
