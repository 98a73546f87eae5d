"""A rating belongs to the year in which people there gave it (``TIMEZONE``), not the UTC year.

At 07:00 on 1 January in Shanghai it is still 31 December in UTC: counted by UTC, the first morning's
ratings went to last year's satisfaction figure and assessment.
"""

from __future__ import annotations

import datetime as dt

from storage.db import Database
from storage.listings import count_ratings
from storage.models import DemandUnit, Person, Rating, RatingRequest, Role, Station
from storage.rating_aggregates import rating_aggregates
from tests.conftest import SHANGHAI


async def test_a_rating_on_new_years_morning_in_shanghai_counts_in_the_new_year(db: Database) -> None:
    given = dt.datetime(2027, 1, 1, 7, 0, tzinfo=SHANGHAI)  # 2026-12-31 23:00 UTC
    async with db.session() as session:
        station = Station(name="武汉质量服务站", policy_profile="wuhan-qis", region="武汉", founded_on=dt.date(2025, 1, 1))
        session.add(station)
        await session.flush()
        assert station.id is not None
        for k in range(3):  # three, so the anonymity minimum lets the average through
            unit, contact = DemandUnit(name=f"单位{k}"), Person(role=Role.demand_contact, name=f"联系人{k}")
            session.add_all([unit, contact])
            await session.flush()
            request = RatingRequest(kind="service", station_id=station.id, demand_unit_id=unit.id or 0, year=2027,
                                    status="answered", expires_at=given + dt.timedelta(days=30))
            session.add(request)
            await session.flush()
            session.add(Rating(request_id=request.id or 0, station_id=station.id, person_id=contact.id or 0,
                               score=80.0, created_at=given + dt.timedelta(minutes=k)))
        await session.commit()
        assert await count_ratings(session, [station.id], 2027, tz=SHANGHAI) == 3
        assert await count_ratings(session, [station.id], 2026, tz=SHANGHAI) == 0
        new_year = await rating_aggregates(session, 2027, [station.id], tz=SHANGHAI)
        assert [(s.count, s.average) for s in new_year] == [(3, 80.0)]
        assert await rating_aggregates(session, 2026, [station.id], tz=SHANGHAI) == []
        assert await count_ratings(session, [station.id], 2026, tz=dt.UTC) == 3, "the UTC year differs: the zone matters"
