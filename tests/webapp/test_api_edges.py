"""Staff API and webhook edges answer a clean 4xx, never 500 (issue 16, "Clean 4xx" and "conventions")."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from storage.db import Database
from storage.models import ProcessedUpdate, Station
from testing.client import Sandbox
from tests.conftest import STAFF
from tests.hardening.support import count
from tests.webapp.conftest import SECRET
from tests.webapp.seed import seed
from tests.webapp.test_webhook import help_update, sent_to_staff

BIG = str(2**63)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("url", [
    "/api/v1/scores/0", "/api/v1/scores/10000", "/api/v1/scores/9999", "/api/v1/exports/10000.xlsx",
    "/api/v1/exports/9999.xlsx", "/api/v1/exports/0.xlsx", "/api/v1/submissions?year=-1",
    "/api/v1/ratings/summary?year=99999", f"/api/v1/scores/{BIG}", f"/api/v1/stations/{BIG}",
    f"/api/v1/stations/{2**31}", f"/api/v1/activities?station_id={BIG}", f"/api/v1/ratings?station_id={BIG}",
    f"/api/v1/activities?offset={BIG}", f"/api/v1/stations?offset={2**62}",
    "/api/v1/stations?region=%00", "/api/v1/stations?profile=a%00b", "/api/v1/stations?status=%00",
    "/api/v1/activities?type=%00", "/api/v1/exports/2027.xlsx?lang=%00",
])
async def test_out_of_range_and_nul_inputs_are_422(client: httpx.AsyncClient, db: Database, api_token: str,
                                                   url: str) -> None:
    await seed(db)
    response = await client.get(url, headers=bearer(api_token))
    assert response.status_code == 422, (url, response.status_code, response.text[:200])
    assert await count(db, Station) == 2


async def test_one_year_range_everywhere(client: httpx.AsyncClient, db: Database, api_token: str) -> None:
    await seed(db)
    for url in ("/api/v1/scores/2100", "/api/v1/scores/2000", "/api/v1/submissions?year=2100"):
        assert (await client.get(url, headers=bearer(api_token))).status_code == 200, url
    scores = await client.get("/api/v1/scores/2101", headers=bearer(api_token))
    export = await client.get("/api/v1/exports/2101.xlsx", headers=bearer(api_token))
    assert scores.status_code == export.status_code == 422


NOT_UPDATES: list[Any] = [[], None, {}, {"message": {}}, {"update_id": 2**63}, {"update_id": -1},
                          {"update_id": "7", "message": {}}, {"update_id": 7}, {"update_id": 7, "message": {}},
                          {"update_id": 7, "message": []}, {"update_id": True, "message": {}}, 1, "update", 1.5,
                          {"update_id": 7, "callback_query": {"id": 1}}]


@pytest.mark.parametrize("body", NOT_UPDATES)
async def test_json_that_is_not_an_update_is_400(client: httpx.AsyncClient, web_box: Sandbox, db: Database,
                                                 caplog: pytest.LogCaptureFixture, body: Any) -> None:
    caplog.set_level(logging.INFO)
    response = await client.post("/telegram/hook", json=body, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status_code == 400, (body, response.text)
    assert "database unavailable" not in caplog.text and "Traceback" not in caplog.text
    assert await count(db, ProcessedUpdate) == 0 and sent_to_staff(web_box) == 0


async def test_deep_nesting_is_400(client: httpx.AsyncClient, web_box: Sandbox, db: Database) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    response = await client.post("/telegram/hook", content=deep, headers=headers)
    assert response.status_code == 400
    nested = '{"update_id": 5, "message": ' + '{"a": ' * 100_000 + "1" + "}" * 100_000 + "}"
    response = await client.post("/telegram/hook", content=nested, headers=headers)
    assert response.status_code == 400
    assert await count(db, ProcessedUpdate) == 0


async def test_a_real_update_still_works(client: httpx.AsyncClient, web_box: Sandbox) -> None:
    response = await client.post("/telegram/hook", json=help_update(7101),
                                 headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    await web_box.settle()
    assert response.status_code == 200 and sent_to_staff(web_box) >= 1
    assert STAFF.id


@pytest.mark.parametrize("url", ["/healthz", "/api/v1/stations", "/api/v1/scores/2027", "/openapi.json"])
async def test_head_answers_like_get_without_a_body(client: httpx.AsyncClient, db: Database, api_token: str,
                                                    url: str) -> None:
    await seed(db)
    get = await client.get(url, headers=bearer(api_token))
    head = await client.head(url, headers=bearer(api_token))
    assert head.status_code == get.status_code == 200
    assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"]
    assert (await client.head("/api/v1/stations")).status_code == 401


@pytest.mark.parametrize("url", ["/api/v1/stations", "/api/v1/exports/2027.xlsx", "/api/v1/scores/1",
                                 "/healthz"])
async def test_no_store_and_nosniff(client: httpx.AsyncClient, db: Database, api_token: str, url: str) -> None:
    await seed(db)
    for headers in (bearer(api_token), {}):
        response = await client.get(url, headers=headers)
        assert response.headers["cache-control"] == "no-store", (url, response.status_code)
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_openapi_declares_the_bearer_scheme(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer", "description": schemes["bearer"]["description"]}
    for path, item in schema["paths"].items():
        if path.startswith("/api/"):
            for method, operation in item.items():  # write routes (assessment) have PUT/POST only
                assert operation["security"] == [{"bearer": []}], (method, path)
