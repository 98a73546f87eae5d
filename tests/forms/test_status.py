"""/status: due items, minimums by society level, score estimate and satisfaction, short enough for a phone."""

from __future__ import annotations

import datetime as dt

from bot.services import FixedClock
from storage.models import (
    Activity,
    ActivityExpert,
    DemandUnit,
    Expert,
    Need,
    Rating,
    RatingRequest,
    Society,
    Submission,
)
from testing.client import Sandbox, User, joined
from testing.outbox_flush import press_and_deliver
from tests.conftest import SHANGHAI
from tests.forms.conftest import seat


async def test_guiyang_manager_sees_minimums_and_due_items(sandbox: Sandbox, clock: FixedClock) -> None:
    clock.set(dt.datetime(2027, 2, 20, 9, 0, tzinfo=SHANGHAI))
    manager = await seat(sandbox.services.db, User(4001, "Wang", "en"), "Guiyang Workstation", "guiyang-kczg")
    async with sandbox.services.db.session() as session:
        society = Society(name="贵州省机械工程学会", level="provincial")
        session.add(society)
        await session.flush()
        station = await session.get(type(manager.station), manager.station.id)
        assert station is not None
        station.society_id = society.id
        unit = DemandUnit(name="贵阳某铝业公司")
        session.add(unit)
        await session.flush()
        need = Need(station_id=station.id or 0, demand_unit_id=unit.id or 0, title="电解槽节能")
        experts = [Expert(station_id=station.id or 0, name=name) for name in ("张三", "李四")]
        session.add_all([need, *experts])
        await session.flush()
        for n in range(2):
            activity = Activity(station_id=station.id, activity_type="tackling", title=f"攻关 {n}",
                                started_on=dt.date(2027, 1, 10 + n), demand_unit_id=unit.id, need_id=need.id,
                                experts="张三、李四", logged_by_person_id=manager.person.id)
            session.add(activity)
            await session.flush()
            session.add_all([ActivityExpert(activity_id=activity.id or 0, expert_id=e.id or 0, days=1) for e in experts])
        request = RatingRequest(station_id=station.id, demand_unit_id=unit.id or 0,
                                expires_at=dt.datetime(2027, 3, 1, tzinfo=dt.UTC))
        session.add(request)
        await session.flush()
        session.add(Rating(request_id=request.id or 0, station_id=station.id, person_id=manager.person.id or 0,
                           score=85.0, created_at=dt.datetime(2027, 2, 1, tzinfo=dt.UTC)))
        session.add(Submission(station_id=station.id, kind="self_check", year=2027))
        await session.commit()
    text = joined(await sandbox.send(manager.user, "/status"))
    assert "Status of Guiyang Workstation — 2027" in text
    assert "Technical needs served: 1 of 5" in text, "two activities for one need: one need (seed 003 三（三）7)"
    assert "Experts who served the station: 2 of 5" in text
    assert "Yearly self-check report: submitted" in text, "seed 003 四（三）3: the yearly self-check report"
    assert "work plan" not in text, "seed 003 asks for no yearly plan: off unless the society turns it on"
    assert "Tackling technical problems: 2" in text
    # One rating: its score would identify the rater, so only the count is shown (the 3-rating minimum).
    assert "Satisfaction: 1 rating so far" in text and "85" not in text
    assert len(text) < 1500, "short enough to read on a phone"


async def test_quzhou_manager_sees_score_and_overdue_summary(sandbox: Sandbox, clock: FixedClock) -> None:
    clock.set(dt.datetime(2027, 3, 10, 9, 0, tzinfo=SHANGHAI))
    manager = await seat(sandbox.services.db, User(4002, "赵站长", "zh-CN"), "衢州某学会服务站", "quzhou")
    async with sandbox.services.db.session() as session:
        activity = Activity(station_id=manager.station.id or 0, activity_type="tackling", title="攻关",
                            started_on=dt.date(2027, 3, 1), expert_days=35,
                            outcomes={"problems_solved": 2}, logged_by_person_id=manager.person.id or 0)
        expert = Expert(station_id=manager.station.id or 0, name="钱教授")
        session.add_all([activity, expert])
        await session.flush()
        session.add(ActivityExpert(activity_id=activity.id or 0, expert_id=expert.id or 0, days=35))
        await session.commit()
    text = joined(await sandbox.send(manager.user, "/status"))
    # seed 004 annex and 第十七条: 13 automatic + at most 35 from the rows staff score = 48 < 60, so
    # failing is certain even before staff score them; the rows awaiting staff are named.
    assert "考核得分估算：13～48" in text and "不合格" in text
    assert "待工作人员评分（共 35 分）" in text
    # Seed 004 第十二条 asks for the summary every year but names no date: owed, never "overdue".
    assert "上年度运行和绩效总结：未规定期限（《办法》第十二条）" in text and "逾期" not in text


async def test_manager_chart_of_activities_by_month_is_one_tap_away(sandbox: Sandbox, clock: FixedClock) -> None:
    import io

    from PIL import Image

    clock.set(dt.datetime(2027, 6, 1, 9, 0, tzinfo=SHANGHAI))
    manager = await seat(sandbox.services.db, User(4003, "Chart", "en"), "Chart Station")
    async with sandbox.services.db.session() as session:
        for month in (1, 1, 3):
            session.add(Activity(station_id=manager.station.id or 0, activity_type="training", title="t",
                                 started_on=dt.date(2027, month, 5), logged_by_person_id=manager.person.id or 0))
        await session.commit()
    await sandbox.send(manager.user, "/status")
    calls = await press_and_deliver(sandbox, manager.user, "📊 Activities by month")
    photos = [c for c in calls if c.method == "sendPhoto"]
    assert len(photos) == 1, [c.method for c in calls]
    photo = photos[0]
    image = Image.open(io.BytesIO(next(iter(photo.files.values()))))
    assert image.size[0] > 300 and image.format == "PNG"
    assert "Activities of Chart Station by month, 2027" in photo.text


async def test_totals_for_all_stations_in_one_pass_match_the_per_station_totals(db) -> None:  # type: ignore[no-untyped-def]
    from storage.ledger import totals_by_station, year_totals
    from storage.models import Person, Station

    async with db.session() as session:
        stations = [Station(name=f"S{n}", policy_profile="guiyang-kczg") for n in range(3)]
        session.add_all(stations)
        await session.flush()
        person = Person(role="manager", station_id=stations[0].id)
        session.add(person)
        await session.flush()
        for n, station in enumerate(stations):
            for k in range(n * 2 + 1):
                session.add(Activity(station_id=station.id or 0, activity_type="tackling", title="t",
                                     started_on=dt.date(2027, 1 + k, 3), experts=f"A{k}, B", expert_days=k,
                                     outcomes={"major_projects": 1}, demand_unit_id=None,
                                     logged_by_person_id=person.id or 0))
        session.add(Activity(station_id=stations[0].id or 0, activity_type="tackling", title="other year",
                             started_on=dt.date(2026, 12, 31), logged_by_person_id=person.id or 0))
        await session.commit()
        together = await totals_by_station(session, 2027)
        for station in stations:
            assert together[station.id or 0] == await year_totals(session, station.id or 0, 2027)
    assert [together[s.id or 0].activities for s in stations] == [1, 3, 5]
