"""``GET /api/v1/assessment/rounds/{id}/stations/{id}/table.pdf``: the station's assessment table as PDF.

The table is seed 004 附件 《衢州市学会服务站绩效考核表》 (scored under 第十四条); the PDF is the same DOCX as
``table.docx`` converted by LibreOffice. Same door as ``table.docx`` (an API token of at least the
``aggregates`` scope) and the same refusals; without LibreOffice a 503 with a JSON reason and the DOCX's address.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from bot.services import FixedClock
from storage.api_tokens import hash_api_token
from storage.db import Database
from storage.models import ApiToken
from testing.client import Sandbox
from tests.assessment.support import station
from tests.conftest import SHANGHAI, STAFF
from tests.documents.support import require_pdf_tools
from tests.documents.test_flow import pdf_checks
from tests.webapp.conftest import api_token, client, web_box, web_settings  # noqa: F401  (fixtures)

ODD_TOKEN = "sbt_scope-from-elsewhere"


async def quzhou_and_gd_rounds(box: Sandbox, web: httpx.AsyncClient, token: str) -> tuple[int, int, int, int]:
    """A quzhou round (which has a table) and a gd-quality round (seed 000: grades only, no table)."""
    qz = await station(box, 7, "衢州学会服务站庚", "quzhou")
    gd = await station(box, 8, "广东服务站辛", "gd-quality")
    await box.send(STAFF, "/start")
    await box.send(STAFF, "/assess quzhou 2026 2027-03-20")
    await box.send(STAFF, "/assess gd-quality 2026 2027-03-20")
    found = (await web.get("/api/v1/assessment/rounds", headers={"Authorization": f"Bearer {token}"})).json()
    ids = {r["profile"]: r["id"] for r in found["items"]}
    assert qz.id is not None and gd.id is not None
    return ids["quzhou"], qz.id, ids["gd-quality"], gd.id


async def test_table_pdf_refuses_like_table_docx_and_says_why_without_libreoffice(
        web_box: Sandbox, client: httpx.AsyncClient, db: Database, api_token: str,  # noqa: F811
        clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """seed 004 第十四条's table: refusals (token, scope, round, station, no table) and the missing-LibreOffice 503."""
    clock.set(dt.datetime(2027, 3, 5, 10, 0, tzinfo=SHANGHAI))
    quzhou, qz, gd_round, gd = await quzhou_and_gd_rounds(web_box, client, api_token)
    async with db.session() as session:  # a token whose scope this version does not know: refused, not widened
        session.add(ApiToken(name="odd", token_hash=hash_api_token(ODD_TOKEN), scope="everything"))
        await session.commit()
    auth = {"Authorization": f"Bearer {api_token}"}
    url = f"/api/v1/assessment/rounds/{quzhou}/stations/{qz}/table.pdf"
    assert (await client.get(url)).status_code == 401, "no token"
    assert (await client.get(url, headers={"Authorization": "Bearer sbt_unknown"})).status_code == 401
    for suffix in ("pdf", "docx"):
        odd = await client.get(url.replace(".pdf", f".{suffix}"), headers={"Authorization": f"Bearer {ODD_TOKEN}"})
        assert odd.status_code == 403 and "scope" in odd.json()["detail"], (suffix, odd.text)
        assert "衢州" not in odd.text
    not_here = await client.get(f"/api/v1/assessment/rounds/{quzhou}/stations/{gd}/table.pdf", headers=auth)
    assert not_here.status_code == 404 and not_here.json()["detail"] == "the station is not in this round"
    unknown = await client.get(f"/api/v1/assessment/rounds/999/stations/{qz}/table.pdf", headers=auth)
    assert unknown.status_code == 404 and unknown.json()["detail"] == "no such round"
    no_table = await client.get(f"/api/v1/assessment/rounds/{gd_round}/stations/{gd}/table.pdf", headers=auth)
    assert no_table.status_code == 404 and "prescribes no assessment table" in no_table.json()["detail"]

    monkeypatch.setenv("STATIONBOT_SOFFICE", "/nonexistent/soffice")
    missing = await client.get(url, headers=auth)
    assert missing.status_code == 503, missing.text
    assert missing.headers["content-type"].startswith("application/json")
    detail = missing.json()["detail"]
    assert "LibreOffice is not installed" in detail and url.replace(".pdf", ".docx") in detail, detail
    assert (await client.get(url.replace(".pdf", ".docx"), headers=auth)).status_code == 200, "the DOCX still comes"


async def test_table_pdf_is_the_tables_pdf_with_its_chinese_title(
        web_box: Sandbox, client: httpx.AsyncClient, api_token: str,  # noqa: F811
        clock: FixedClock, tmp_path: Path) -> None:
    """seed 004 附件 绩效考核表 as PDF: page 1 not blank, a CJK font embedded, the title in its text."""
    require_pdf_tools()
    clock.set(dt.datetime(2027, 3, 5, 10, 0, tzinfo=SHANGHAI))
    quzhou, qz, _, _ = await quzhou_and_gd_rounds(web_box, client, api_token)
    found = await client.get(f"/api/v1/assessment/rounds/{quzhou}/stations/{qz}/table.pdf",
                             headers={"Authorization": f"Bearer {api_token}"})
    assert found.status_code == 200 and found.headers["content-type"] == "application/pdf"
    assert found.content[:5] == b"%PDF-"
    assert ".pdf" in found.headers["content-disposition"]
    pdf_checks(found.content, "衢州市学会服务站绩效考核表", tmp_path)
