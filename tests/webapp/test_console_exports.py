"""Console exports (issue 13 §7): the year's workbook and a documents zip, prepared off the request with progress."""

from __future__ import annotations

import asyncio
import io
import re
import zipfile
from typing import Any

import httpx
import openpyxl
import pytest
from sqlmodel import select

from bot.services import FixedClock
from bot.webapp.app import create_web_app
from bot.webapp.console.exports import job_name
from bot.workbook import Progress
from rules.documents import registry
from storage.models import AuditLog, PreparedDownload
from testing.client import Sandbox
from tests.security.support import ALPHA, STAFF_EN, seed
from tests.webapp.console_support import browser_like, csrf_of, sign_in, web_link

__all__ = ["browser_like"]
REFRESH = re.compile(r'<meta http-equiv="refresh" content="\d+;url=(/console/exports/\d+)">')


async def test_the_workbook_is_prepared_in_the_background_then_downloaded(web_box: Sandbox, clock: FixedClock,
                                                                          browser_like: httpx.AsyncClient) -> None:
    await seed(web_box.services.db)
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    form = await browser_like.get("/console/exports")
    assert form.status_code == 200 and 'id="prepare-workbook"' in form.text
    year = clock().year
    started = await browser_like.post("/console/exports", data={"csrf": csrf_of(browser_like), "what": "workbook",
                                                               "year": str(year)})
    # The answer comes before the file exists: a progress page that reloads itself (no script).
    assert started.status_code == 200 and "Preparing…" in started.text
    status_url = REFRESH.search(started.text).group(1)  # type: ignore[union-attr]
    async with web_box.services.db.session() as session:
        row = (await session.exec(select(PreparedDownload))).one()
        audit = (await session.exec(select(AuditLog).where(AuditLog.action == "console_export"))).one()
    assert row.status == "preparing" and row.prepared_file_id is None and audit.detail["what"] == "workbook"
    again = await browser_like.post("/console/exports", data={"csrf": csrf_of(browser_like), "what": "workbook",
                                                             "year": str(year)})
    assert REFRESH.search(again.text).group(1) == status_url  # type: ignore[union-attr]  # a second press waits
    async with web_box.services.db.session() as session:
        assert len((await session.exec(select(PreparedDownload))).all()) == 1

    await web_box.services.background.idle()
    ready = await browser_like.get(status_url)
    assert ready.status_code == 200 and not REFRESH.search(ready.text) and "Ready." in ready.text
    file = await browser_like.get(f"{status_url}/file")
    assert file.status_code == 200
    assert file.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f"stationbot-{year}.xlsx" in file.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(file.content), read_only=True)
    names = [cell for row in book.worksheets[0].iter_rows(values_only=True) for cell in row]
    assert ALPHA in names and len(book.sheetnames) >= 4
    listing = await browser_like.get("/console/exports")
    assert f'href="{status_url}/file"' in listing.text

    app = create_web_app(web_box.app, web_box.services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://127.0.0.1") as stranger:
        assert (await stranger.get(f"{status_url}/file")).status_code == 401  # downloads need a staff session


async def test_a_documents_zip_of_one_kind_and_year(web_box: Sandbox, clock: FixedClock,
                                                    browser_like: httpx.AsyncClient) -> None:
    await seed(web_box.services.db)
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    kind = registry()[0].id
    started = await browser_like.post("/console/exports", data={"csrf": csrf_of(browser_like),
                                                               "what": f"documents:{kind}", "year": str(clock().year)})
    assert started.status_code == 200
    await web_box.services.background.idle()
    status_url = REFRESH.search(started.text).group(1)  # type: ignore[union-attr]
    ready = await browser_like.get(status_url)
    assert "0 documents in the zip." in ready.text
    file = await browser_like.get(f"{status_url}/file")
    assert file.status_code == 200 and file.headers["content-type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(file.content)).testzip() is None


async def test_a_bad_choice_or_an_unknown_download_is_refused(web_box: Sandbox, browser_like: httpx.AsyncClient) -> None:
    await seed(web_box.services.db)
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    csrf = csrf_of(browser_like)
    for data in ({"what": "documents:nonsense", "year": "2026"}, {"what": "workbook", "year": "1999"},
                 {"what": "passwords", "year": "2026"}):
        assert (await browser_like.post("/console/exports", data={"csrf": csrf, **data})).status_code == 400
    assert (await browser_like.post("/console/exports", data={"what": "workbook", "year": "2026"})).status_code == 403
    async with web_box.services.db.session() as session:
        assert (await session.exec(select(PreparedDownload))).first() is None
    assert (await browser_like.get("/console/exports/999")).status_code == 404
    assert (await browser_like.get("/console/exports/999/file")).status_code == 404


async def test_a_preparation_lost_with_a_restart_is_reported_as_failed(web_box: Sandbox, clock: FixedClock,
                                                                       browser_like: httpx.AsyncClient) -> None:
    from storage.downloads import start_download

    await seed(web_box.services.db)
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    async with web_box.services.db.session() as session:  # a row no worker will finish (its process died)
        row = await start_download(session, kind="workbook", year=2026, detail="", language="en", person_id=None,
                                   now=clock())
        await session.commit()
    waiting = await browser_like.get(f"/console/exports/{row.id}")
    assert REFRESH.search(waiting.text)
    clock.advance(minutes=31)
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    lost = await browser_like.get(f"/console/exports/{row.id}")
    assert not REFRESH.search(lost.text) and "failed" in lost.text
    assert (await browser_like.get(f"/console/exports/{row.id}/file")).status_code == 404


async def test_a_file_pruned_after_a_week_says_so(web_box: Sandbox, clock: FixedClock,
                                                  browser_like: httpx.AsyncClient) -> None:
    from storage.prepared_files import prune_prepared_files

    await seed(web_box.services.db)
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    started = await browser_like.post("/console/exports", data={"csrf": csrf_of(browser_like), "what": "workbook",
                                                               "year": str(clock().year)})
    await web_box.services.background.idle()
    status_url = REFRESH.search(started.text).group(1)  # type: ignore[union-attr]
    clock.advance(days=8)
    async with web_box.services.db.session() as session:
        assert await prune_prepared_files(session, clock()) == 1
        await session.commit()
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    gone = await browser_like.get(f"{status_url}/file")
    assert gone.status_code == 404 and "no longer kept" in gone.text


async def test_a_rounds_documents_and_a_kinds_documents_as_zips(web_box: Sandbox, clock: FixedClock,
                                                                browser_like: httpx.AsyncClient) -> None:
    """The round's zip is bot.round_documents' (as the round card's button in chat): a folder per station with
    its assessment table (seed 004 附件 绩效考核表) and its documents; the kind's zip holds the rendered DOCX."""
    import datetime as dt

    from tests.conftest import SHANGHAI, STAFF
    from tests.documents.support import manager_of
    from tests.documents.test_flow import submit

    clock.set(dt.datetime(2027, 3, 5, 10, 0, tzinfo=SHANGHAI))
    who = await manager_of(web_box.services.db, "quzhou", 5901)
    await submit(web_box, who, "annual_summary")
    await web_box.services.background.idle()  # the DOCX is rendered after the submission commits
    await web_box.send(STAFF, "/start")
    await web_box.send(STAFF, "/assess quzhou 2026 2027-03-20")
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    form = await browser_like.get("/console/exports")
    round_value = re.search(r'<option value="(round:\d+)">', form.text).group(1)  # type: ignore[union-attr]
    assert "documents:assessment_table" not in form.text  # tables come per round, not per kind and year

    started = await browser_like.post("/console/exports", data={"csrf": csrf_of(browser_like), "what": round_value})
    assert started.status_code == 200 and REFRESH.search(started.text)
    await web_box.services.background.idle()
    status_url = REFRESH.search(started.text).group(1)  # type: ignore[union-attr]
    ready = await browser_like.get(status_url)
    assert "压缩包中有 2 份文书" in ready.text  # the station's assessment table and its summary (staff read Chinese)
    file = await browser_like.get(f"{status_url}/file")
    names = zipfile.ZipFile(io.BytesIO(file.content)).namelist()
    folder = f"{who.station.id}-{who.station.name}/"
    assert any(n.startswith(folder) and "考核表" in n for n in names), names
    assert any(n.startswith(folder) and "年度工作总结" in n and n.endswith(".docx") for n in names), names
    assert "清单.txt" in names

    by_kind = await browser_like.post("/console/exports", data={"csrf": csrf_of(browser_like),
                                                               "what": "documents:annual_summary", "year": "2026"})
    await web_box.services.background.idle()
    kind_url = REFRESH.search(by_kind.text).group(1)  # type: ignore[union-attr]
    assert "压缩包中有 1 份文书" in (await browser_like.get(kind_url)).text
    kind_zip = zipfile.ZipFile(io.BytesIO((await browser_like.get(f"{kind_url}/file")).content))
    assert [n for n in kind_zip.namelist() if n.endswith(".docx")], kind_zip.namelist()
    unknown = await browser_like.post("/console/exports", data={"csrf": csrf_of(browser_like), "what": "round:999"})
    assert unknown.status_code == 400


async def test_the_progress_page_shows_the_rows_written_out_of_all(web_box: Sandbox, clock: FixedClock,
                                                                   browser_like: httpx.AsyncClient,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """While the workbook is made, the page says how many ledger and rating rows are written of how many."""
    gate = asyncio.Event()
    given: list[Progress | None] = []

    async def halfway(*args: Any, progress: Progress | None = None, **kwargs: Any) -> bytes:
        given.append(progress)
        assert progress is not None
        progress.start(200)
        progress.add(50)
        await gate.wait()
        progress.add(150)
        return b"PK workbook"

    monkeypatch.setattr("bot.exports.export_year", halfway)
    await seed(web_box.services.db)
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    started = await browser_like.post("/console/exports", data={"csrf": csrf_of(browser_like), "what": "workbook",
                                                               "year": str(clock().year)})
    status_url = REFRESH.search(started.text).group(1)  # type: ignore[union-attr]
    for _ in range(10_000):  # let the background job reach the export (a yield, no time passes)
        if given:
            break
        await asyncio.sleep(0)
    page = await browser_like.get(status_url)
    assert 'data-percent="25"' in page.text and "25% written: 50 of 200 ledger and rating rows." in page.text
    gate.set()
    await web_box.services.background.idle()
    ready = await browser_like.get(status_url)
    assert "Ready." in ready.text and "data-percent" not in ready.text
    assert web_box.services.background.progress_of(job_name(int(status_url.rsplit("/", 1)[-1]))) is None
