"""The console's overview (issue 13 §1): this month, satisfaction against target and the open round's progress,
each number checked against seeded data and against what the API says for the same data."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlmodel import select

from bot.services import FixedClock
from storage.api_tokens import create_api_token
from storage.models import Activity, Person, Rating, RatingRequest, Submission
from testing.client import Sandbox
from tests.assessment.support import material, station
from tests.conftest import SHANGHAI, STAFF
from tests.security.support import MANAGER_A, STAFF_EN, seed
from tests.webapp.console_html import row_of, table_rows
from tests.webapp.console_support import browser_like, sign_in, web_link

__all__ = ["browser_like"]


async def rate(web_box: Sandbox, station_id: int, unit_id: int, person_id: int, *scores: float) -> None:
    async with web_box.services.db.session() as session:
        for score in scores:
            request = RatingRequest(station_id=station_id, demand_unit_id=unit_id, status="answered",
                                    expires_at=dt.datetime(2027, 12, 1, tzinfo=dt.UTC))
            session.add(request)
            await session.flush()
            assert request.id is not None
            session.add(Rating(request_id=request.id, station_id=station_id, person_id=person_id, score=score,
                               created_at=dt.datetime(2027, 2, 5, tzinfo=dt.UTC)))
        await session.commit()


async def test_this_month_counts_use_the_shanghai_month(web_box: Sandbox, clock: FixedClock,
                                                        browser_like: httpx.AsyncClient) -> None:
    """On 10 March 2027 (Asia/Shanghai) a plan sent at 00:30 on 1 March local time (still 28 February in UTC)
    is this month's; one sent at 23:30 on 28 February local time is not. Ledger rows count by their date."""
    clock.set(dt.datetime(2027, 3, 10, 10, 0, tzinfo=SHANGHAI))
    world = await seed(web_box.services.db)
    a = world.station_a.id
    async with web_box.services.db.session() as session:
        manager = (await session.exec(select(Person).where(Person.telegram_user_id == MANAGER_A.id))).one()
        assert manager.id is not None and a is not None
        for local in (dt.datetime(2027, 3, 1, 0, 30), dt.datetime(2027, 2, 28, 23, 30), dt.datetime(2027, 3, 9, 12)):
            session.add(Submission(station_id=a, kind="plan", year=2027,
                                   submitted_at=local.replace(tzinfo=SHANGHAI).astimezone(dt.UTC)))
        for day in (dt.date(2027, 3, 1), dt.date(2027, 3, 31), dt.date(2027, 2, 28), dt.date(2027, 4, 1)):
            session.add(Activity(station_id=a, activity_type="training", title=f"class {day}", started_on=day,
                                 logged_by_person_id=manager.id))
        await session.commit()
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    page = (await browser_like.get("/console/")).text
    assert row_of(page, "this-month", "Submissions received")[1] == "2"
    assert row_of(page, "this-month", "Ledger entries")[1] == "2"


async def test_satisfaction_against_target_per_profile_matches_the_api(web_box: Sandbox, clock: FixedClock,
                                                                       browser_like: httpx.AsyncClient) -> None:
    """seed 002 annex 服务满意度评价: the target is 满意度高于80分, strictly above, so Bravo's 80.0 misses it
    and Alpha's 86.7 meets it; a station with one rating is counted as rated but shows no aggregate (the
    society rule of at least 3 ratings)."""
    clock.set(dt.datetime(2027, 3, 10, 10, 0, tzinfo=SHANGHAI))
    world = await seed(web_box.services.db)
    quzhou = await station(web_box, 41, "衢州一站", "quzhou")
    async with web_box.services.db.session() as session:
        manager = (await session.exec(select(Person).where(Person.telegram_user_id == MANAGER_A.id))).one()
        token, _ = await create_api_token(session, "tests", clock(), scope="aggregates")
        await session.commit()
    assert manager.id is not None and world.unit_a.id is not None
    await rate(web_box, world.station_a.id or 0, world.unit_a.id, manager.id, 100, 80, 80)
    await rate(web_box, world.station_b.id or 0, world.unit_a.id, manager.id, 80, 80, 80)
    await rate(web_box, quzhou.id, world.unit_a.id, manager.id, 100)
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    page = (await browser_like.get("/console/")).text
    header = table_rows(page, "satisfaction")[0]
    assert header[1:] == ["Target", "Source", "Stations rated", "With enough ratings", "Meeting the target", "Ratings"]
    gd = row_of(page, "satisfaction", "Guangdong Quality")
    # gd-quality borrows seed 002's target: named by seed 002's regulation and its annex, not by seed 000
    assert gd[1:] == ["above 80", "the Measures annex", "2", "2", "1", "6"]
    assert row_of(page, "satisfaction", "Quzhou")[3:] == ["1", "0", "0", "1"]
    summary = (await browser_like.get("/api/v1/ratings/summary", params={"year": 2027},
                                      headers={"Authorization": f"Bearer {token}"})).json()
    by_station = {item["station_id"]: item for item in summary["items"]}
    assert by_station[world.station_a.id]["met"] is True and by_station[world.station_b.id]["met"] is False
    assert by_station[quzhou.id]["average"] is None and sum(i["count"] for i in summary["items"]) == 7


async def test_the_open_rounds_progress_counts_what_staff_scored(web_box: Sandbox, clock: FixedClock,
                                                                 browser_like: httpx.AsyncClient) -> None:
    """seed 004 第十条 table: five building rows are scored by staff; after one station's rows are in, the
    overview says 1 of 2 stations and 5 of 10 rows, as the API's round (``unscored``) says."""
    clock.set(dt.datetime(2027, 3, 10, 10, 0, tzinfo=SHANGHAI))
    await seed(web_box.services.db)
    first = await station(web_box, 41, "衢州一站", "quzhou")
    second = await station(web_box, 42, "衢州二站", "quzhou")
    for each in (first, second):
        await material(web_box, each, 2026, "plan", "summary")
    await web_box.send(STAFF, "/start")
    await web_box.send(STAFF, "/assess quzhou 2026 2027-03-20")
    async with web_box.services.db.session() as session:
        token, _ = await create_api_token(session, "tests", clock(), scope="write")
        await session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    before = row_of((await browser_like.get("/console/")).text, "rounds", "quzhou 2026")
    assert before[2:5] == ["0 / 2", "0 / 10", "0"]
    stored = await browser_like.put(f"/api/v1/assessment/manual-scores/2026/{first.id}", headers=bearer,
                                    json={"facilities": 8, "funding_systems": 6, "project_planning": 5,
                                          "coordination": 4, "radiation": 6})
    assert stored.status_code == 200, stored.text
    after = row_of((await browser_like.get("/console/")).text, "rounds", "quzhou 2026")
    assert after[1] == "open" and after[2:4] == ["1 / 2", "5 / 10"] and after[5] == "0 / 0"
    rounds = (await browser_like.get("/api/v1/assessment/rounds", headers=bearer)).json()["items"]
    entries = (await browser_like.get(f"/api/v1/assessment/rounds/{rounds[0]['id']}", headers=bearer)).json()["entries"]
    assert sum(1 for e in entries if not e["unscored"]) == 1 and len(entries) == 2
