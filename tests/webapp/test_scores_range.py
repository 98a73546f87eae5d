"""The API and the score sheet show quzhou's estimate as a range with the rows awaiting staff (seed 004 annex)."""

from __future__ import annotations

import io

import httpx
import openpyxl

from bot.exports import export_year
from locales import translator
from storage.db import Database
from storage.manual_scores import set_manual_points
from tests.conftest import SHANGHAI
from tests.webapp.seed import QUZHOU_NAME, seed


async def scored(db: Database, station_id: int) -> None:
    import datetime as dt

    async with db.session() as session:
        await set_manual_points(session, station_id=station_id, year=2027, points={"facilities": 7, "radiation": 4},
                                person_id=None, now=dt.datetime(2027, 5, 1, tzinfo=dt.UTC))
        await session.commit()


async def test_api_scores_give_the_range_and_the_rows_awaiting_staff_seed004_annex(
        client: httpx.AsyncClient, db: Database, api_token: str) -> None:
    seeded = await seed(db)
    await scored(db, seeded.quzhou_id)
    body = (await client.get("/api/v1/scores/2027", headers={"Authorization": f"Bearer {api_token}"})).json()
    estimate = next(s for s in body["items"] if s["station_id"] == seeded.quzhou_id)["quzhou_estimate"]
    assert estimate["manual_scored"] == 11
    assert estimate["low"] == estimate["automatic"] + 11
    assert estimate["awaiting_staff"] == ["funding_systems", "project_planning", "coordination"]
    assert estimate["high"] == estimate["low"] + 10 + 5 + 4
    if estimate["high"] < 60:
        assert estimate["passes"] is False
    elif estimate["low"] >= 60:
        assert estimate["passes"] is True
    else:
        assert estimate["passes"] is None


async def test_score_sheet_gives_the_range_and_marks_rows_awaiting_staff_seed004_annex(db: Database) -> None:
    seeded = await seed(db)
    await scored(db, seeded.quzhou_id)
    async with db.session() as session:
        content = await export_year(session, 2027, translator("en"), tz=SHANGHAI)
    sheet = [list(r) for r in openpyxl.load_workbook(io.BytesIO(content))["Scores quzhou"].iter_rows(values_only=True)]
    body = [r for r in sheet[1:] if r[0] == QUZHOU_NAME]
    items = {str(r[2]): r for r in body}
    assert items["Facilities (scored by staff)"][4] == 7
    assert items["Funding and systems (awaiting staff score)"][4] is None
    assert items["Points scored by staff"][4] == 11
    automatic = items["Points from the ledger"][4]
    awaiting = next(r for r in body if str(r[2]).startswith("Rows awaiting staff:"))
    assert awaiting[2] == "Rows awaiting staff: Funding and systems、Project planning、Coordination"
    assert awaiting[5] == 19
    low, high = items["Estimated total, lowest (points)"], items["Estimated total, highest (points)"]
    assert low[4] == automatic + 11 and high[4] == low[4] + 19 and low[6] == 60
