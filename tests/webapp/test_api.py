"""Staff API: every route refuses without a valid token and answers with one; pages and filters."""

from __future__ import annotations

import httpx
import pytest

from bot.services import FixedClock
from storage.api_tokens import revoke_api_token
from storage.db import Database
from storage.models import ApiToken
from tests.webapp.seed import QUZHOU_NAME, WUHAN_NAME, seed

ROUTES = ["/api/v1/stations", "/api/v1/stations/1", "/api/v1/submissions?year=2027",
          "/api/v1/activities?station_id=1&year=2027&type=tackling", "/api/v1/ratings/summary?year=2027",
          "/api/v1/ratings?station_id=1", "/api/v1/scores/2027", "/api/v1/exports/2027.xlsx"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("route", ROUTES)
async def test_every_route_needs_a_token(client: httpx.AsyncClient, db: Database, api_token: str,
                                         route: str) -> None:
    await seed(db)
    for headers in ({}, bearer("sbt_not-a-real-token"), {"Authorization": f"Basic {api_token}"}):
        response = await client.get(route, headers=headers)
        assert response.status_code == 401, (route, headers)
        assert QUZHOU_NAME not in response.text and "items" not in response.text
    response = await client.get(route, headers=bearer(api_token))
    assert response.status_code == 200, response.text


async def test_revoked_token_is_refused(client: httpx.AsyncClient, db: Database, api_token: str,
                                        clock: FixedClock) -> None:
    await seed(db)
    assert (await client.get("/api/v1/stations", headers=bearer(api_token))).status_code == 200
    async with db.session() as session:
        from sqlmodel import select

        row = (await session.exec(select(ApiToken))).one()
        assert row.id is not None and row.token_hash != api_token and len(row.token_hash) == 64
        assert await revoke_api_token(session, row.id, clock())
        await session.commit()
    assert (await client.get("/api/v1/stations", headers=bearer(api_token))).status_code == 401


async def test_stations_filter_and_detail(client: httpx.AsyncClient, db: Database, api_token: str) -> None:
    seeded = await seed(db)
    body = (await client.get("/api/v1/stations", params={"region": "武汉"}, headers=bearer(api_token))).json()
    assert body["total"] == 1 and body["items"][0]["name"] == WUHAN_NAME
    body = (await client.get("/api/v1/stations", params={"status": "active", "profile": "quzhou"},
                             headers=bearer(api_token))).json()
    assert [s["id"] for s in body["items"]] == [seeded.quzhou_id]
    detail = await client.get(f"/api/v1/stations/{seeded.wuhan_id}", headers=bearer(api_token))
    assert detail.json()["policy_profile"] == "wuhan-qis"
    assert (await client.get("/api/v1/stations/9999", headers=bearer(api_token))).status_code == 404


async def test_pagination(client: httpx.AsyncClient, db: Database, api_token: str) -> None:
    seeded = await seed(db, activities=7)
    seen: list[int] = []
    for offset in (0, 3, 6):
        page = (await client.get("/api/v1/activities", params={"station_id": seeded.quzhou_id, "limit": 3,
                                                                "offset": offset}, headers=bearer(api_token))).json()
        assert page["total"] == 7 and page["limit"] == 3 and page["offset"] == offset
        seen.extend(item["id"] for item in page["items"])
    assert len(seen) == 7 == len(set(seen))
    default = (await client.get("/api/v1/activities", headers=bearer(api_token))).json()
    assert default["limit"] == 100 and default["total"] == 8
    for bad in (0, 501):
        response = await client.get("/api/v1/activities", params={"limit": bad}, headers=bearer(api_token))
        assert response.status_code == 422


async def test_lists_and_scores(client: httpx.AsyncClient, db: Database, api_token: str) -> None:
    seeded = await seed(db)
    headers = bearer(api_token)
    submissions = (await client.get("/api/v1/submissions", params={"year": 2027}, headers=headers)).json()
    assert submissions["total"] == 2
    assert {s["late_workdays"] for s in submissions["items"]} == {0, 3}
    activities = (await client.get("/api/v1/activities", params={"type": "training"}, headers=headers)).json()
    assert activities["total"] == 1 and activities["items"][0]["outcomes"]["diagnoses"] == 5
    assert "answers" not in activities["items"][0]
    summary = (await client.get("/api/v1/ratings/summary", params={"year": 2027}, headers=headers)).json()
    by_station = {s["station_id"]: s for s in summary["items"]}
    # Two ratings: no average (the 3-rating minimum), only the count.
    assert by_station[seeded.quzhou_id]["average"] is None and by_station[seeded.quzhou_id]["count"] == 2
    ratings = (await client.get("/api/v1/ratings", params={"station_id": seeded.wuhan_id}, headers=headers)).json()
    assert ratings["total"] == 1 and ratings["items"][0]["score"] == 50.0 and "person_id" not in ratings["items"][0]
    scores = (await client.get("/api/v1/scores/2027", headers=headers)).json()
    items = {s["station_id"]: s for s in scores["items"]}
    quzhou, wuhan = items[seeded.quzhou_id], items[seeded.wuhan_id]
    estimate = quzhou["quzhou_estimate"]
    assert estimate["low"] is not None and quzhou["wuhan_counters"] is None
    lines = estimate["lines"]
    assert sum(line["points"] or 0 for line in lines) == pytest.approx(estimate["low"])
    assert estimate["high"] == pytest.approx(estimate["low"] + 35), "seed 004 annex: 35 points await staff"
    assert estimate["awaiting_staff"] == ["facilities", "funding_systems", "project_planning", "coordination",
                                          "radiation"]
    assert {line["group"] for line in lines} == {"building", "operation", "output"}
    assert wuhan["quzhou_estimate"] is None
    trained = next(c for c in wuhan["wuhan_counters"] if c["id"] == "enterprises_trained")
    assert trained["actual"] == 1 and trained["target"] == 200, "seed 002 annex: 200 家 counts enterprises"
    visits = next(c for c in wuhan["wuhan_counters"] if c["id"] == "enterprise_visits")
    assert visits["actual"] == 40 and visits["target"] == 500, "the form's 家次 question feeds the 500-家次 target"
    assert wuhan["minimums_met"] is False


async def test_openapi_lists_the_routes(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert "/api/v1/stations" in schema["paths"] and "/api/v1/scores/{year}" in schema["paths"]
    assert (await client.get("/docs")).status_code == 200
