"""A round's frozen snapshot keeps the distinct demand units per activity type (seed 002 annex "为200家以上企业
提供培训" counts enterprises, not visits); JSON has no sets, so they are stored as lists and read back as sets."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from bot.services import FixedClock
from rules.assessment import totals_from_snapshot
from storage.models import Activity, AssessmentEntry, DemandUnit
from testing.client import Sandbox, joined
from tests.assessment.support import station
from tests.conftest import SHANGHAI, STAFF


async def test_a_round_opens_when_the_ledger_names_demand_units(sandbox: Sandbox, clock: FixedClock) -> None:
    clock.set(dt.datetime(2027, 3, 10, 10, 0, tzinfo=SHANGHAI))
    wuhan = await station(sandbox, 51, "武汉一站", "wuhan-qis")
    async with sandbox.services.db.session() as session:
        units = [DemandUnit(name=f"企业{n}", created_by_station_id=wuhan.id) for n in range(2)]
        session.add_all(units)
        await session.flush()
        session.add_all([Activity(station_id=wuhan.id, activity_type="training", title="培训",
                                  started_on=dt.date(2026, 5, day), demand_unit_id=units[day % 2].id,
                                  logged_by_person_id=wuhan.seat.person.id or 0) for day in (1, 2, 3)])
        await session.commit()
    await sandbox.send(STAFF, "/start")
    opened = joined(await sandbox.send(STAFF, "/assess wuhan-qis 2026 2027-03-31"))
    async with sandbox.services.db.session() as session:
        entry = (await session.exec(select(AssessmentEntry).where(AssessmentEntry.station_id == wuhan.id))).one()
    assert "武汉一站" in opened or "#" in opened
    frozen = entry.snapshot["totals"]["2026"]
    assert sorted(frozen["units_by_type"]["training"]) == sorted(u.id for u in units)
    totals = totals_from_snapshot(frozen, 2026)
    assert totals.metric("units:training") == 2.0 and totals.by_type == {"training": 3}
