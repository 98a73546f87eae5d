"""/status tells a quzhou station its score as a range until staff score the building rows (seed 004 annex)."""

from __future__ import annotations

import datetime as dt

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services import FixedClock
from storage.models import Activity, ActivityExpert, Expert
from testing.client import Sandbox, User, joined
from tests.conftest import SHANGHAI
from tests.forms.conftest import Seat, seat


async def one_expert_activity(session: AsyncSession, manager: Seat, days: int, outcomes: dict[str, int]) -> None:
    """One ledger row with one roster expert at the station ``days`` days (seed 004: the average per expert)."""
    activity = Activity(station_id=manager.station.id or 0, activity_type="tackling", title="攻关",
                        started_on=dt.date(2027, 3, 1), expert_days=days, outcomes=outcomes,
                        logged_by_person_id=manager.person.id or 0)
    expert = Expert(station_id=manager.station.id or 0, name="钱教授")
    session.add_all([activity, expert])
    await session.flush()
    session.add(ActivityExpert(activity_id=activity.id or 0, expert_id=expert.id or 0, days=days))


async def test_quzhou_status_shows_a_range_and_no_verdict_while_60_is_within_it_seed004_art17(
        sandbox: Sandbox, clock: FixedClock) -> None:
    """Automatic 35 (experts' days 45 -> 5, 2 reports 10, a big meeting 10, 2 problems 10) + 0..35 from the
    rows staff score (设施, 经费制度, 策划, 协同, 辐射): 35 to 70, so neither 合格 nor 不合格 can be said."""
    clock.set(dt.datetime(2027, 3, 10, 9, 0, tzinfo=SHANGHAI))
    manager = await seat(sandbox.services.db, User(4102, "Qu", "en"), "Quzhou Range Station", "quzhou")
    async with sandbox.services.db.session() as session:
        await one_expert_activity(session, manager, days=45,
                                  outcomes={"problems_solved": 2, "reports_written": 2, "big_meetings": 1})
        await session.commit()
    text = joined(await sandbox.send(manager.user, "/status"))
    assert ("Estimated assessment score: 35 to 70 — 60 lies within this range: no verdict until staff have "
            "scored the rows below") in text
    assert ("Awaiting staff scores (35 points): Facilities、Funding and systems、Project planning、Coordination、"
            "Radiation effect (province 6, city 4, county 2)") in text
    assert "failing" not in text and "passing" not in text


async def test_quzhou_status_counts_the_rows_staff_scored_and_names_the_rest_seed004_annex(
        sandbox: Sandbox, clock: FixedClock) -> None:
    """Staff scored 设施 10 and 经费制度 8 (storage.manual_scores): 35 + 18 = 53 known, up to 53 + 15 = 68."""
    from storage.manual_scores import set_manual_points

    clock.set(dt.datetime(2027, 3, 10, 9, 0, tzinfo=SHANGHAI))
    manager = await seat(sandbox.services.db, User(4103, "Qu2", "en"), "Quzhou Scored Station", "quzhou")
    async with sandbox.services.db.session() as session:
        await one_expert_activity(session, manager, days=45,
                                  outcomes={"problems_solved": 2, "reports_written": 2, "big_meetings": 1})
        await set_manual_points(session, station_id=manager.station.id or 0, year=2027,
                                points={"facilities": 10, "funding_systems": 8}, person_id=None, now=clock())
        await session.commit()
    text = joined(await sandbox.send(manager.user, "/status"))
    assert "Estimated assessment score: 53 to 68 — 60 lies within this range" in text
    assert ("Awaiting staff scores (15 points): Project planning、Coordination、"
            "Radiation effect (province 6, city 4, county 2)") in text
    async with sandbox.services.db.session() as session:
        await set_manual_points(session, station_id=manager.station.id or 0, year=2027,
                                points={"project_planning": 5, "coordination": 4, "radiation": 2}, person_id=None,
                                now=clock())
        await session.commit()
    text = joined(await sandbox.send(manager.user, "/status"))
    assert "Estimated assessment score: 64 — passing (60 or more)" in text and "Awaiting staff" not in text
