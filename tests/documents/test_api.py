"""Staff API documents routes: a token is required; the DOCX as printed, the PDF (or why not), the zip."""

from __future__ import annotations

import httpx
from sqlmodel import select

from bot.documents import soffice
from storage.db import Database
from storage.models import SubmissionDocument
from testing.client import Sandbox
from testing.outbox_flush import render_pending
from tests.documents.support import manager_of
from tests.documents.test_flow import submit
from tests.documents.test_round_zip_api import zip_through_the_api
from tests.webapp.conftest import api_token, client, web_box, web_settings  # noqa: F401  (fixtures)


async def test_documents_routes_need_a_token_and_serve_docx_pdf_and_zip(
        web_box: Sandbox, client: httpx.AsyncClient, db: Database, api_token: str) -> None:  # noqa: F811
    who = await manager_of(db, "quzhou", 5701)
    await submit(web_box, who, "annual_plan")
    await web_box.services.background.idle()
    printed = [c for c in await render_pending(web_box, who.user.id) if c.method == "sendDocument"]
    async with db.session() as session:
        year = (await session.exec(select(SubmissionDocument))).one().year
    routes = ["/api/v1/documents", "/api/v1/documents/1.docx", "/api/v1/documents/1.pdf",
              f"/api/v1/documents/annual_plan/{year}.zip"]
    for route in routes:
        assert (await client.get(route)).status_code == 401, route
    auth = {"Authorization": f"Bearer {api_token}"}
    listing = (await client.get(f"/api/v1/documents?year={year}", headers=auth)).json()
    assert listing["total"] == 1 and listing["items"][0]["stamped_copy"] == "awaiting"
    assert listing["items"][0]["kind"] == "annual_plan" and listing["items"][0]["station_id"] == who.station.id
    docx = await client.get("/api/v1/documents/1.docx", headers=auth)
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert docx.content == printed[0].files["document"], "staff download what the manager printed"
    pdf = await client.get("/api/v1/documents/1.pdf", headers=auth)
    if soffice() is not None:
        assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    else:
        assert pdf.status_code == 503 and "LibreOffice is not installed" in pdf.text
    ready, bundle, archive = await zip_through_the_api(web_box, client, f"/api/v1/documents/annual_plan/{year}.zip",
                                                       auth)  # prepared off the request: 202, poll, fetch
    assert bundle.headers["X-Documents"] == "1" == str(ready["documents"])
    assert any(n.endswith(".docx") for n in archive.namelist()) and ready["filename"] == f"annual_plan-{year}.zip"
    one, _, only = await zip_through_the_api(
        web_box, client, f"/api/v1/documents/annual_plan/{year}.zip?station_id={who.station.id}", auth)
    assert one["documents"] == 1 and only.namelist() == archive.namelist(), "the station's own documents"
    other, _, _ = await zip_through_the_api(
        web_box, client, f"/api/v1/documents/annual_plan/{year}.zip?station_id={(who.station.id or 0) + 1}", auth)
    assert other["documents"] == 0, "another station submitted nothing"
    assert (await client.get(f"/api/v1/documents/nonsense/{year}.zip", headers=auth)).status_code == 404
    assert (await client.get("/api/v1/documents/99.docx", headers=auth)).status_code == 404
