"""The roster data migration: expert names typed into old activities become the station's roster."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.sql.sqltypes import UTCDateTime

from bot.services import FixedClock
from bot.settings import Settings
from storage.db import Database, downgrade, migrate
from storage.models import Activity, ActivityExpert, DemandUnit, Expert, Need, Person, Society, Station
from testing.client import Sandbox, User, joined
from tests.conftest import SHANGHAI

ROSTER_REVISION = "77eb8a8a3ed8"
LEGACY = sa.table("activity", *(sa.column(name) for name in (
    "station_id", "activity_type", "title", "demand_unit_id", "experts", "experts_count",
    "experts_outside_province", "expert_days", "participants", "logged_by_person_id")),
    sa.column("started_on", sa.Date), sa.column("outcomes", sa.JSON), sa.column("attachments", sa.JSON),
    sa.column("answers", sa.JSON), sa.column("created_at", UTCDateTime()))


async def legacy_ledger(db: Database) -> tuple[int, int, int]:
    """Stations, a manager and units at head; then the ledger written as the pre-roster schema had it."""
    async with db.session() as session:
        society = Society(name="贵州省有色金属学会", level="national")
        session.add(society)
        await session.flush()
        station = Station(name="贵阳铝业工作站", policy_profile="guiyang-kczg", society_id=society.id)
        other = Station(name="贵阳种业工作站", policy_profile="guiyang-kczg")
        session.add_all([station, other])
        await session.flush()
        manager = Person(telegram_user_id=5401, chat_id=5401, name="Wang", role="manager", station_id=station.id,
                         language="en")
        units = [DemandUnit(name="贵阳某铝业公司"), DemandUnit(name="贵阳某铝材厂")]
        session.add_all([manager, *units])
        await session.commit()
        ids = (station.id or 0, other.id or 0, manager.id or 0, units[0].id or 0, units[1].id or 0)
    station_id, other_id, manager_id, unit_a, unit_b = ids
    await downgrade(db.engine, f"{ROSTER_REVISION}-1")
    now = dt.datetime(2027, 1, 5, tzinfo=dt.UTC)
    legacy = [
        (station_id, "2027-01-10", unit_a, "张三，李四", 2, 2, 5),   # both from outside: 5 days over 2 experts
        (station_id, "2027-01-20", unit_a, "张三、王五", 2, 1, 4),   # one of two outside: unknown which
        (station_id, "2027-02-01", unit_b, "李四", 1, 0, 3),
        (station_id, "2027-02-05", None, "", 0, 0, 0),
        (other_id, "2027-01-15", unit_a, "张三", 1, 0, 2),          # another station's 张三 is its own expert
    ]
    async with db.engine.begin() as conn:
        for sid, day, unit, names, count, outside, days in legacy:
            await conn.execute(sa.insert(LEGACY).values(
                station_id=sid, activity_type="tackling", title=f"攻关 {day}", started_on=dt.date.fromisoformat(day),
                demand_unit_id=unit, experts=names, experts_count=count, experts_outside_province=outside,
                expert_days=days, participants=0, outcomes={}, attachments=[], answers={},
                logged_by_person_id=manager_id, created_at=now))
    await migrate(db.engine)
    return station_id, other_id, manager_id


async def test_free_text_experts_migrate_into_the_roster_seed003_3_3_7(db: Database) -> None:
    station_id, other_id, _ = await legacy_ledger(db)
    async with db.session() as session:
        experts = (await session.exec(select(Expert).order_by(col(Expert.id)))).all()
        links = (await session.exec(select(ActivityExpert))).all()
        needs = (await session.exec(select(Need))).all()
        activities = (await session.exec(select(Activity).order_by(col(Activity.started_on)))).all()
    roster = {(e.station_id, e.name): e for e in experts}
    assert sorted(name for sid, name in roster if sid == station_id) == ["张三", "李四", "王五"]
    assert [name for sid, name in roster if sid == other_id] == ["张三"]
    assert roster[(station_id, "张三")].outside_province and roster[(station_id, "李四")].outside_province
    assert not roster[(station_id, "王五")].outside_province, "1 of 2 outside: which one is unknown"
    days = {}
    for link in links:
        days[link.expert_id] = days.get(link.expert_id, 0) + link.days
    assert days[roster[(station_id, "张三")].id] == 3 + 2 and days[roster[(station_id, "李四")].id] == 2 + 3
    assert sum(link.days for link in links) == 5 + 4 + 3 + 2, "no day is lost in the split"
    assert len(needs) == 3, "one need per station and demand unit"
    ours = [a for a in activities if a.station_id == station_id]
    assert ours[0].need_id == ours[1].need_id != ours[2].need_id and ours[3].need_id is None


async def test_migrated_roster_is_what_status_counts_seed003_3_3_7(db: Database, clock: FixedClock,
                                                                    settings: Settings) -> None:
    """After the migration /status counts people, not names per activity: 3 experts, 2 from outside."""
    await legacy_ledger(db)
    clock.set(dt.datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI))
    box = Sandbox(settings, db, clock)
    box.services.background_jobs = False
    async with box:
        status = joined(await box.send(User(5401, "Wang", "en"), "/status"))
    assert "Experts who served the station: 3 of 10" in status
    assert "Experts from outside the province: 2 of 5" in status
    assert "Technical needs served: 2 of 10" in status
