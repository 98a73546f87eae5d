"""``GET /api/v1/assessment/rounds/{id}/documents.zip``: the round's zip is prepared off the request (issue 14,
"long work off the update path"), through the console's prepared-download rows.

Converting a round's documents to PDF takes LibreOffice seconds per document; inside the request it held the
API client (and the event loop's other work) for minutes. The route now answers 202 at once with the download
to poll; the zip is the same one the round card's button gives (seed 004 附件 《衢州市学会服务站绩效考核表》 and
each station's documents, 第十七条's rectification reports among them).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from bot.services import FixedClock
from storage.models import AuditLog, PreparedDownload
from testing.client import Sandbox
from tests.conftest import SHANGHAI
from tests.documents.support import require_pdf_tools
from tests.documents.test_flow import pdf_checks
from tests.documents.test_round_zip import docx_of, round_with_a_document
from tests.webapp.conftest import api_token, client, web_box, web_settings  # noqa: F401  (fixtures)


async def round_id_of(web: httpx.AsyncClient, auth: dict[str, str]) -> int:
    found = (await web.get("/api/v1/assessment/rounds", headers=auth)).json()["items"]
    return int(next(r["id"] for r in found if r["profile"] == "quzhou"))


def round_zip_url(round_id: int) -> str:
    return f"/api/v1/assessment/rounds/{round_id}/documents.zip"


async def zip_through_the_api(box: Sandbox, web: httpx.AsyncClient, url: str,
                              auth: dict[str, str]) -> tuple[dict[str, Any], httpx.Response, zipfile.ZipFile]:
    """Ask for a zip, check the 202 names a download being prepared, wait for the work, fetch the file."""
    asked = await web.get(url, headers=auth)
    assert asked.status_code == 202, asked.text
    body = asked.json()
    assert body["status"] == "preparing" and body["file"] is None, body
    assert asked.headers["Location"] == body["url"] == f"/api/v1/downloads/{body['id']}"
    assert int(asked.headers["Retry-After"]) > 0
    await box.services.background.idle()  # the work runs after the request committed its row
    polled = await web.get(body["url"], headers=auth)
    assert polled.status_code == 200, polled.text
    ready = polled.json()
    assert ready["status"] == "ready" and ready["file"] == f"{body['url']}/file", ready
    got = await web.get(ready["file"], headers=auth)
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip", got.text
    assert ready["filename"].endswith(".zip") and ready["size"] == len(got.content)
    return ready, got, zipfile.ZipFile(io.BytesIO(got.content))


async def test_seed004_the_round_zip_is_prepared_off_the_request_and_fetched_when_ready(
        web_box: Sandbox, client: httpx.AsyncClient, api_token: str,  # noqa: F811
        clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATIONBOT_SOFFICE", "/nonexistent/soffice")  # DOCX only: the PDF test converts
    clock.set(dt.datetime(2027, 3, 5, 10, 0, tzinfo=SHANGHAI))
    await round_with_a_document(web_box)
    auth = {"Authorization": f"Bearer {api_token}"}
    round_id = await round_id_of(client, auth)
    ready, _, archive = await zip_through_the_api(web_box, client, round_zip_url(round_id), auth)
    documents = docx_of(archive)
    assert any("考核表" in n for n in documents) and any("年度工作总结" in n for n in documents), documents
    assert "清单.txt" in archive.namelist() and ready["documents"] == len(documents) == 2
    assert "LibreOffice" in archive.read("清单.txt").decode(), "the index says why the PDFs are missing"
    async with web_box.services.db.session() as session:
        row = await session.get(PreparedDownload, ready["id"])
        audit = (await session.exec(select(AuditLog).where(AuditLog.action == "api_download"))).one()
    assert row is not None and row.kind == "round" and row.detail == str(round_id)
    assert audit.subject == f"prepared_download:{ready['id']}" and audit.detail["token"] == "tests"

    assert (await client.get(f"/api/v1/assessment/rounds/{round_id}/documents.zip")).status_code == 401
    assert (await client.get("/api/v1/assessment/rounds/999/documents.zip", headers=auth)).status_code == 404
    assert (await client.get("/api/v1/downloads/999", headers=auth)).status_code == 404
    assert (await client.get(ready["url"])).status_code == 401, "polling needs the token too"


async def test_a_console_download_is_not_the_apis_and_a_file_not_ready_is_refused(
        web_box: Sandbox, client: httpx.AsyncClient, api_token: str, clock: FixedClock) -> None:  # noqa: F811
    async with web_box.services.db.session() as session:
        workbook = PreparedDownload(kind="workbook", year=2026, created_at=clock(), status="ready")
        preparing = PreparedDownload(kind="round", year=2026, detail="1", created_at=clock())
        session.add_all([workbook, preparing])
        await session.commit()
    auth = {"Authorization": f"Bearer {api_token}"}
    assert (await client.get(f"/api/v1/downloads/{workbook.id}", headers=auth)).status_code == 404, \
        "the console's workbook (individual data) is not handed out by the API"
    waiting = await client.get(f"/api/v1/downloads/{preparing.id}", headers=auth)
    assert waiting.status_code == 202 and waiting.json()["status"] == "preparing"
    early = await client.get(f"/api/v1/downloads/{preparing.id}/file", headers=auth)
    assert early.status_code == 409 and "preparing" in early.json()["detail"]
    clock.advance(minutes=31)  # lost with a restart (storage.downloads.STALLED_AFTER)
    lost = await client.get(f"/api/v1/downloads/{preparing.id}", headers=auth)
    assert lost.status_code == 200 and lost.json()["status"] == "failed" and "again" in lost.json()["note"]


async def test_seed004_the_round_zip_from_the_api_has_each_documents_pdf(
        web_box: Sandbox, client: httpx.AsyncClient, api_token: str,  # noqa: F811
        clock: FixedClock, tmp_path: Path) -> None:
    require_pdf_tools()
    clock.set(dt.datetime(2027, 3, 5, 10, 0, tzinfo=SHANGHAI))
    await round_with_a_document(web_box)
    auth = {"Authorization": f"Bearer {api_token}"}
    _, _, archive = await zip_through_the_api(web_box, client, round_zip_url(await round_id_of(client, auth)), auth)
    documents = docx_of(archive)
    assert len(documents) == 2
    for name in documents:
        assert archive.read(name.removesuffix(".docx") + ".pdf")[:5] == b"%PDF-", name
    table = next(n for n in documents if "考核表" in n).removesuffix(".docx") + ".pdf"
    pdf_checks(archive.read(table), "衢州市学会服务站绩效考核表", tmp_path)
