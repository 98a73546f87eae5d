"""The staff API's role matrix: every /api/v1 route against every token scope (issue 16, API privacy).

Scopes, narrowest first: ``aggregates`` (counts, averages, scores), ``individual`` (also single
ratings and their comments — comments can hold phone numbers), ``write``. No token, an unknown
or a revoked one: 401. A live token below the route's scope: 403, and no data. A route added
without a line in ROUTES fails the test, so every new route is classified on purpose.
"""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi.routing import APIRoute
from openpyxl import load_workbook
from sqlmodel import select

from bot.services import FixedClock
from bot.webapp.app import create_web_app
from storage.api_tokens import SCOPES, create_api_token, revoke_api_token
from storage.db import Database
from storage.models import Rating
from testing.client import Sandbox
from tests.assessment.test_api import (
    ROUTES as ASSESSMENT_ROUTES,  # classified and tested with real bodies there
)
from tests.security.routes import api_routes
from tests.webapp.conftest import web_box, web_settings  # noqa: F401  (fixtures)
from tests.webapp.seed import QUZHOU_NAME, seed

PHONE = "13800138000"
# (method, path template) -> the narrowest scope that may use it
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/stations"): "aggregates",
    ("GET", "/api/v1/stations/{station_id}"): "aggregates",
    ("GET", "/api/v1/submissions"): "aggregates",
    ("GET", "/api/v1/activities"): "aggregates",
    ("GET", "/api/v1/ratings/summary"): "aggregates",
    ("GET", "/api/v1/ratings"): "individual",
    ("GET", "/api/v1/scores/{year}"): "aggregates",
    ("GET", "/api/v1/exports/{year}.xlsx"): "aggregates",  # without individual: rating averages only
}
# The documents' routes (tests/documents has their content); here only: no token, no document.
DOCUMENT_ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/documents"): "aggregates",
    ("GET", "/api/v1/documents/{document_id}.pdf"): "aggregates",
    ("GET", "/api/v1/documents/{document_id}.docx"): "aggregates",
    ("GET", "/api/v1/documents/{kind}/{year}.zip"): "aggregates",
    ("GET", "/api/v1/assessment/rounds/{round_id}/documents.zip"): "aggregates",
    ("GET", "/api/v1/downloads/{download_id}"): "aggregates",
    ("GET", "/api/v1/downloads/{download_id}/file"): "aggregates",
    ("GET", "/api/v1/assessment/rounds/{round_id}/stations/{station_id}/table.docx"): "aggregates",
    ("GET", "/api/v1/assessment/rounds/{round_id}/stations/{station_id}/table.pdf"): "aggregates",
}


def concrete(path: str) -> str:
    """An example URL; ``year`` is also given as a query (some lists need it, the others ignore it)."""
    return re.sub(r"\{[^}]+\}", lambda m: "2027" if m.group(0) == "{year}" else "1", path) + "?year=2027"


@pytest.fixture
async def app_and_tokens(web_box: Sandbox, db: Database,  # noqa: F811
                         clock: FixedClock) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str], list[APIRoute]]]:
    await seed(db)
    async with db.session() as session:
        rating = (await session.exec(select(Rating))).first()
        assert rating is not None
        rating.comment = f"call me on {PHONE}"
        session.add(rating)
        tokens = {scope: (await create_api_token(session, f"t-{scope}", clock(), scope))[0] for scope in SCOPES}
        revoked, row = await create_api_token(session, "revoked", clock(), "write")
        assert row.id is not None
        await revoke_api_token(session, row.id, clock())
        await session.commit()
    tokens["revoked"] = revoked
    app = create_web_app(web_box.app, web_box.services)
    routes = [r for path, r in api_routes(app.routes) if path.startswith("/api/")]
    assert routes, "no /api/ route found: the route walk is broken"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as client:
        yield client, tokens, routes


async def test_every_api_route_is_classified(app_and_tokens: tuple[httpx.AsyncClient, dict[str, str],
                                                                   list[APIRoute]]) -> None:
    _, _, routes = app_and_tokens
    found = {(method, r.path) for r in routes for method in r.methods}
    assert found - set(ROUTES) - set(ASSESSMENT_ROUTES) - set(DOCUMENT_ROUTES) == set(), \
        "classify the new API routes in ROUTES"


async def test_document_routes_refuse_a_missing_or_revoked_token(
        app_and_tokens: tuple[httpx.AsyncClient, dict[str, str], list[APIRoute]]) -> None:
    client, tokens, _ = app_and_tokens
    for method, path in sorted(DOCUMENT_ROUTES):
        for headers in ({}, {"Authorization": f"Bearer {tokens['revoked']}"}):
            assert (await client.request(method, concrete(path), headers=headers)).status_code == 401, path


async def test_routes_by_scope(app_and_tokens: tuple[httpx.AsyncClient, dict[str, str], list[APIRoute]]) -> None:
    client, tokens, _ = app_and_tokens
    problems = []
    for (method, path), needed in sorted(ROUTES.items()):
        url = concrete(path)
        for holder in (None, "sbt_unknown", "revoked", *SCOPES):
            token = tokens.get(holder, holder) if holder else None
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = await client.request(method, url, headers=headers)
            if holder in SCOPES and SCOPES.index(holder) >= SCOPES.index(needed):
                expected = {200}
            elif holder in SCOPES:
                expected = {403}
            else:
                expected = {401}
            if response.status_code not in expected:
                problems.append(f"{method} {url} with {holder}: {response.status_code}, expected {expected}")
            if response.status_code in (401, 403) and (QUZHOU_NAME in response.text or PHONE in response.text):
                problems.append(f"{method} {url} with {holder}: refused yet answered data")
    assert not problems, "\n".join(problems)


async def test_comments_only_with_the_individual_scope(
        app_and_tokens: tuple[httpx.AsyncClient, dict[str, str], list[APIRoute]]) -> None:
    client, tokens, _ = app_and_tokens
    narrow = {"Authorization": f"Bearer {tokens['aggregates']}"}
    wide = {"Authorization": f"Bearer {tokens['individual']}"}
    for url in ("/api/v1/stations", "/api/v1/ratings/summary?year=2027", "/api/v1/scores/2027", "/api/v1/activities"):
        response = await client.get(url, headers=narrow)
        assert response.status_code == 200 and PHONE not in response.text, url
    assert PHONE in (await client.get("/api/v1/ratings", headers=wide)).text
    narrow_book = load_workbook(io.BytesIO((await client.get("/api/v1/exports/2027.xlsx", headers=narrow)).content))
    wide_book = load_workbook(io.BytesIO((await client.get("/api/v1/exports/2027.xlsx", headers=wide)).content))

    def cells(book: object) -> str:
        return "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)  # type: ignore[attr-defined]
                         for v in row if v is not None)

    assert PHONE in cells(wide_book) and PHONE not in cells(narrow_book)
