"""The overview's open-round progress is counted by the database (``services.rounds.progress``), not by evaluating
the round: these tests hold it equal to the round's own evaluation (the chat's /assess card, the grid) on every
step a count can move — scores added, changed and removed, a station accepted as taking part, a station leaving
the round — and on the edges of the rules it counts (seed 004 第十条 staff-scored rows; material by the deadline
in TIMEZONE; seed 000 第十四条 three-year period where years before founding are not owed)."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy import delete

from bot.services import FixedClock
from bot.webapp.console.rounds import GridFilter, Refused, grid_context
from locales import translator
from services import round_steps
from services import rounds as round_cases
from storage.models import AssessmentEntry, AssessmentRound, ManualScore, Submission
from storage.rounds import rounds
from testing.client import Sandbox
from tests.assessment.support import Station, station
from tests.conftest import SHANGHAI, STAFF
from tests.security.support import STAFF_EN, seed
from tests.webapp.console_html import row_of
from tests.webapp.console_support import browser_like, csrf_of, sign_in, web_link

__all__ = ["browser_like"]

QUZHOU_ROWS = ("facilities", "funding_systems", "project_planning", "coordination", "radiation")


async def submit(box: Sandbox, st: Station, kind: str, year: int, local: dt.datetime) -> None:
    async with box.services.db.session() as session:
        session.add(Submission(station_id=st.id, kind=kind, year=year, status="accepted",
                               submitted_at=local.replace(tzinfo=SHANGHAI).astimezone(dt.UTC)))
        await session.commit()


async def the_round(box: Sandbox) -> AssessmentRound:
    async with box.services.db.session() as session:
        return (await rounds(session))[0]


async def agreed(box: Sandbox) -> tuple[int, int, int, int, int, int]:
    """(stations, stations scored, rows scored, rows, grades chosen, material missing) counted by the database,
    after checking they equal the round's evaluation, its /assess card's summary and its grid."""
    rnd = await the_round(box)
    async with box.services.db.session() as session:
        counts = await round_cases.progress(session, rnd, tz=SHANGHAI)
        ev = await round_cases.evaluate(session, rnd, tz=SHANGHAI)
        card = await round_cases.summary(session, rnd, box.services.now(), ev)
        grid = await grid_context(session, rnd, translator("en"), GridFilter(), Refused(), SHANGHAI)
    counted = (counts.stations, counts.stations - counts.unscored_stations, counts.rows_scored, counts.rows_total,
               counts.graded, counts.missing_material)
    evaluated = (card.stations, card.stations - len(ev.unscored), card.manual_scored, card.manual_total, card.graded,
                 card.missing_material)
    assert counted == evaluated, (counted, evaluated)
    assert grid["unscored"] == counts.rows_total - counts.rows_scored and grid["stations"] == counts.stations
    return counted


async def overview_row(client: httpx.AsyncClient, label: str) -> list[str]:
    return row_of((await client.get("/console/")).text, "rounds", label)


async def grid_save(client: httpx.AsyncClient, round_id: int, cells: dict[str, str]) -> None:
    saved = await client.post(f"/console/rounds/{round_id}/scores", data={"csrf": csrf_of(client), **cells})
    assert saved.status_code == 200, saved.text[:500]


async def test_seed004_art10_progress_equals_the_rounds_evaluation_as_scores_move(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    """quzhou (seed 004 第十条: five building rows scored by staff; summary by the deadline = taking part)."""
    clock.set(dt.datetime(2027, 3, 10, 10, 0, tzinfo=SHANGHAI))
    await seed(web_box.services.db)
    s1 = await station(web_box, 41, "衢州一站", "quzhou")
    s2 = await station(web_box, 42, "衢州二站", "quzhou")
    s3 = await station(web_box, 43, "衢州三站", "quzhou")
    s4 = await station(web_box, 44, "衢州四站", "quzhou", founded=dt.date(2027, 1, 5))  # owes nothing for 2026
    s5 = await station(web_box, 45, "衢州五站", "quzhou")
    for st in (s1, s2, s3, s5):
        await submit(web_box, st, "plan", 2026, dt.datetime(2027, 1, 20, 10))
    await submit(web_box, s1, "summary", 2026, dt.datetime(2027, 1, 20, 10))
    await submit(web_box, s2, "summary", 2026, dt.datetime(2027, 3, 20, 23, 30))  # the deadline's last half hour
    await submit(web_box, s5, "summary", 2026, dt.datetime(2027, 3, 21, 0, 30))  # after it (still the 20th in UTC)
    await web_box.send(STAFF, "/start")
    await web_box.send(STAFF, "/assess quzhou 2026 2027-03-20")
    round_id = (await the_round(web_box)).id
    assert round_id is not None
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))

    # s1 and s2 take part and have every row open; s3 (no summary) and s5 (late summary) miss material
    assert await agreed(web_box) == (5, 3, 0, 25, 0, 2)
    assert (await overview_row(browser_like, "quzhou 2026"))[2:5] == ["3 / 5", "0 / 25", "2"]

    await grid_save(browser_like, round_id, {f"p:{s1.id}:{row}": "4" for row in QUZHOU_ROWS})
    await grid_save(browser_like, round_id, {f"p:{s2.id}:facilities": "5", f"p:{s2.id}:radiation": "3"})
    assert await agreed(web_box) == (5, 4, 7, 25, 0, 2)
    await grid_save(browser_like, round_id, {f"p:{s1.id}:facilities": "9.5"})  # changed: no count moves
    await grid_save(browser_like, round_id, {f"p:{s3.id}:facilities": "2"})  # not taking part: a row, not a station
    assert await agreed(web_box) == (5, 4, 8, 25, 0, 2)
    assert (await overview_row(browser_like, "quzhou 2026"))[2:5] == ["4 / 5", "8 / 25", "2"]

    async with web_box.services.db.session() as session:
        # a row removed; another year's score and a row the table does not have count for nothing
        await session.exec(delete(ManualScore).where(ManualScore.station_id == s1.id,  # type: ignore[call-overload]
                                                     ManualScore.item_id == "radiation"))
        session.add(ManualScore(station_id=s4.id, year=2025, item_id="facilities", points=3))
        session.add(ManualScore(station_id=s4.id, year=2026, item_id="no_such_row", points=3))
        await session.commit()
    assert await agreed(web_box) == (5, 3, 7, 25, 0, 2)

    async with web_box.services.db.session() as session:  # staff accept s3's participation: its rows are owed now
        entry = next(e for e in await round_cases.entries_of(session, round_id) if e.station_id == s3.id)
        assert await round_steps.decide_entry(session, entry.id or 0, round_steps.TOOK_PART) is not None
        await session.commit()
    assert await agreed(web_box) == (5, 2, 7, 25, 0, 2)

    async with web_box.services.db.session() as session:  # s2 leaves the round
        await session.exec(delete(AssessmentEntry).where(AssessmentEntry.round_id == round_id,  # type: ignore[call-overload]
                                                         AssessmentEntry.station_id == s2.id))
        await session.commit()
    assert await agreed(web_box) == (4, 2, 5, 20, 0, 2)
    assert (await overview_row(browser_like, "quzhou 2026"))[2:5] == ["2 / 4", "5 / 20", "2"]


async def test_seed000_art14_progress_counts_grades_and_three_years_of_material_from_founding(
        web_box: Sandbox, clock: FixedClock) -> None:
    """gd-quality (seed 000 第十四条: a three-year period, grades chosen by staff): a year before a station was
    founded is not owed; a station missing one year of the three is counted; a chosen grade is counted."""
    clock.set(dt.datetime(2027, 3, 10, 10, 0, tzinfo=SHANGHAI))
    g1 = await station(web_box, 1, "佛山科技服务站", "gd-quality", founded=dt.date(2022, 1, 1))
    g2 = await station(web_box, 2, "韶关科技服务站", "gd-quality", founded=dt.date(2025, 6, 1))
    g3 = await station(web_box, 3, "江门科技服务站", "gd-quality", founded=dt.date(2025, 6, 1))
    g4 = await station(web_box, 4, "珠海科技服务站", "gd-quality", founded=dt.date(2022, 1, 1))
    for st, years in ((g1, (2024, 2025, 2026)), (g2, (2025, 2026)), (g3, (2026,)), (g4, (2025, 2026))):
        for year in years:
            for kind in ("plan", "summary"):
                await submit(web_box, st, kind, year, dt.datetime(year + 1, 1, 20, 10))
    await web_box.send(STAFF, "/start")
    await web_box.send(STAFF, "/assess gd-quality 2026 2027-03-31")
    assert await agreed(web_box) == (4, 4, 0, 0, 0, 2)  # g3 misses 2025, g4 misses 2024; g2 owes no 2024
    rnd = await the_round(web_box)
    async with web_box.services.db.session() as session:
        entry = next(e for e in await round_cases.entries_of(session, rnd.id or 0) if e.station_id == g1.id)
        assert await round_steps.decide_entry(session, entry.id or 0, round_steps.GRADE, "excellent") is not None
        await session.commit()
    assert await agreed(web_box) == (4, 4, 0, 0, 1, 2)
