"""A small, known data set: two stations (quzhou and wuhan-qis), submissions, a ledger and ratings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from storage.db import Database
from storage.models import Activity, DemandUnit, Person, Rating, RatingRequest, Station, Submission

QUZHOU_NAME = "衢州市柯城区科技服务站"
WUHAN_NAME = "武汉市质量基础设施服务站"


@dataclass(frozen=True)
class Seeded:
    quzhou_id: int
    wuhan_id: int
    first_activity_id: int


async def seed(db: Database, year: int = 2027, activities: int = 3) -> Seeded:
    async with db.session() as session:
        quzhou = Station(name=QUZHOU_NAME, policy_profile="quzhou", region="衢州", status="active")
        wuhan = Station(name=WUHAN_NAME, policy_profile="wuhan-qis", region="武汉", status="rectifying")
        session.add_all([quzhou, wuhan])
        await session.flush()
        assert quzhou.id is not None and wuhan.id is not None
        manager = Person(telegram_user_id=800001, role="manager", station_id=quzhou.id, name="Manager")
        unit = DemandUnit(name="衢州某企业", created_by_station_id=quzhou.id)
        session.add_all([manager, unit])
        await session.flush()
        assert manager.id is not None and unit.id is not None
        session.add_all([
            Submission(station_id=quzhou.id, kind="plan", year=year, status="accepted",
                       due_on=dt.date(year, 1, 31), late_workdays=0,
                       submitted_at=dt.datetime(year, 1, 20, 2, tzinfo=dt.UTC)),
            Submission(station_id=wuhan.id, kind="plan", year=year, status="submitted",
                       due_on=dt.date(year, 1, 31), late_workdays=3,
                       submitted_at=dt.datetime(year, 2, 5, 2, tzinfo=dt.UTC)),
            Submission(station_id=wuhan.id, kind="summary", year=year - 1, status="returned"),
        ])
        rows = []
        for n in range(activities):
            rows.append(Activity(station_id=quzhou.id, activity_type="tackling", title=f"技术攻关 {n + 1}",
                                 started_on=dt.date(year, 1 + n % 12, 10), demand_unit_id=unit.id,
                                 experts="张三，李四", experts_count=2, expert_days=2, participants=10,
                                 outcomes={"problems_solved": 2, "reports_written": 1},
                                 logged_by_person_id=manager.id))
        rows.append(Activity(station_id=wuhan.id, activity_type="training", title="质量技术培训",
                             started_on=dt.date(year, 3, 1), demand_unit_id=unit.id, participants=40,
                             outcomes={"diagnoses": 5}, logged_by_person_id=manager.id))
        session.add_all(rows)
        await session.flush()
        first_activity_id = rows[0].id
        assert first_activity_id is not None
        for score, station_id in ((90.0, quzhou.id), (70.0, quzhou.id), (50.0, wuhan.id)):
            request = RatingRequest(station_id=station_id, demand_unit_id=unit.id, year=year, status="answered",
                                    expires_at=dt.datetime(year, 12, 1, tzinfo=dt.UTC))
            session.add(request)
            await session.flush()
            assert request.id is not None
            dims = {"venue": 5, "response": 4, "expertise": 4, "integrity": 5, "expectations": 4}
            session.add(Rating(request_id=request.id, station_id=station_id, person_id=manager.id, scores=dims,
                               score=score, created_at=dt.datetime(year, 3, 5, tzinfo=dt.UTC)))
        await session.commit()
    return Seeded(quzhou.id, wuhan.id, first_activity_id)
