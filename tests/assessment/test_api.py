"""The assessment in the staff API: open a round, score manual rows (JSON and score sheet), read the table.

Scores are checked as in chat (seed 004 annex maxima); reading needs ``aggregates``, writing ``write``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import AsyncIterator

import httpx
import pytest
from openpyxl import load_workbook

from bot.services import FixedClock
from bot.webapp.app import create_web_app
from storage.api_tokens import SCOPES, create_api_token
from storage.db import Database
from storage.models import OutboxMessage
from testing.client import Sandbox
from tests.assessment.support import fill, ledger, material, station
from tests.conftest import SHANGHAI
from tests.webapp.conftest import web_box, web_settings  # noqa: F401  (fixtures)

# (method, path) -> the narrowest scope; tests/security/test_api_scopes.py counts these as classified.
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/assessment/rounds"): "aggregates",
    ("POST", "/api/v1/assessment/rounds"): "write",
    ("GET", "/api/v1/assessment/rounds/{round_id}"): "aggregates",
    ("GET", "/api/v1/assessment/rounds/{round_id}/table.xlsx"): "aggregates",
    ("GET", "/api/v1/assessment/manual-scores/{year}"): "aggregates",
    ("PUT", "/api/v1/assessment/manual-scores/{year}/{station_id}"): "write",
    ("GET", "/api/v1/assessment/score-sheet/{year}.xlsx"): "aggregates",
    ("POST", "/api/v1/assessment/score-sheet/{year}"): "write",
}


@pytest.fixture
async def api(web_box: Sandbox, db: Database, clock: FixedClock  # noqa: F811
              ) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, dict[str, str]]]]:
    clock.set(dt.datetime(2027, 3, 5, 10, 0, tzinfo=SHANGHAI))
    async with db.session() as session:
        tokens = {scope: {"Authorization": f"Bearer {(await create_api_token(session, scope, clock(), scope))[0]}"}
                  for scope in SCOPES}
        await session.commit()
    app = create_web_app(web_box.app, web_box.services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as client:
        yield client, tokens


async def test_seed004_annex_round_and_manual_scores_through_the_staff_api(
        web_box: Sandbox, api: tuple[httpx.AsyncClient, dict[str, dict[str, str]]]) -> None:  # noqa: F811
    client, tokens = api
    q1 = await station(web_box, 1, "衢州API站甲", "quzhou")
    q2 = await station(web_box, 2, "衢州API站乙", "quzhou")
    await ledger(web_box, q1, 2026, "strategy_consulting", reports_written=2, big_meetings=1, big_trainings=2)
    for st in (q1, q2):
        await material(web_box, st, 2026, "plan", "summary")
    read, write = tokens["aggregates"], tokens["write"]

    body = {"profile": "quzhou", "year": 2026, "deadline": "2027-03-31"}
    assert (await client.post("/api/v1/assessment/rounds", json=body)).status_code == 401
    assert (await client.post("/api/v1/assessment/rounds", json=body, headers=read)).status_code == 403
    opened = await client.post("/api/v1/assessment/rounds", json=body, headers=write)
    assert opened.status_code == 201 and opened.json()["stations"] == 2 and opened.json()["managers_told"] == 2
    assert (await client.post("/api/v1/assessment/rounds", json=body, headers=write)).status_code == 409
    async with web_box.services.db.session() as session:
        told = (await session.exec(OutboxMessage.__table__.select().where(  # type: ignore[attr-defined]
            OutboxMessage.kind == "assessment"))).all()
    assert len(told) == 2
    round_id = opened.json()["id"]

    url = f"/api/v1/assessment/manual-scores/2026/{q1.id}"
    refused = await client.put(url, json={"facilities": 11, "coordination": 4}, headers=write)
    assert refused.status_code == 422 and refused.json()["detail"] == [
        {"row": "facilities", "kind": "above_max", "maximum": 10.0}]
    assert (await client.get("/api/v1/assessment/manual-scores/2026", headers=read)).json()["scores"] == {}
    assert (await client.put(url, json={"facilities": 9}, headers=read)).status_code == 403
    stored = await client.put(url, json={"facilities": 9, "coordination": 4}, headers=write)
    assert stored.status_code == 200 and stored.json()["scores"] == {"facilities": 9, "coordination": 4}

    sheet = await client.get("/api/v1/assessment/score-sheet/2026.xlsx", headers=read)
    rows = list(load_workbook(io.BytesIO(sheet.content)).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 10 and rows[0][5] == 9
    points = {(line, "F"): 5 if row[4] >= 5 else row[4] for line, row in enumerate(rows, start=2)}
    bad = fill(sheet.content, {**points, (2, "E"): 9, (4, "A"): 77777})
    refused_sheet = await client.post("/api/v1/assessment/score-sheet/2026", content=bad, headers=write)
    assert refused_sheet.status_code == 422
    assert [(p["line"], p["column"], p["kind"]) for p in refused_sheet.json()["detail"]] == [
        (2, "E", "wrong_maximum"), (4, "A", "station_unknown")]
    done = await client.post("/api/v1/assessment/score-sheet/2026", content=fill(sheet.content, points), headers=write)
    assert done.json() == {"year": 2026, "rows": 10, "stations": 2}

    detail = (await client.get(f"/api/v1/assessment/rounds/{round_id}", headers=read)).json()
    totals = {e["station_id"]: (e["total"], e["grade"]) for e in detail["entries"]}
    assert totals == {q1.id: (54.0, "fail"), q2.id: (24.0, "fail")}, "30 + 24 and 0 + 24: below 60 (第十七条)"
    table = await client.get(f"/api/v1/assessment/rounds/{round_id}/table.xlsx", headers=read)
    cells = [row for row in load_workbook(io.BytesIO(table.content)).worksheets[0].iter_rows(values_only=True)]
    assert cells[2][0] == "站点编号" and any(row[1] == "衢州API站甲" and 54 in row for row in cells[3:]), cells
    assert (await client.get("/api/v1/assessment/rounds", headers=read)).json()["items"][0]["id"] == round_id
    for (method, path), needed in ROUTES.items():
        concrete = path.replace("{round_id}", str(round_id)).replace("{year}", "2026").replace(
            "{station_id}", str(q1.id))
        assert (await client.request(method, concrete)).status_code == 401, path
        if needed == "write":
            assert (await client.request(method, concrete, headers=tokens["individual"])).status_code == 403, path
