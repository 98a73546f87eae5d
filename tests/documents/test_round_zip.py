"""A round's documents zip: what belongs to the round, and each document's PDF beside its DOCX.

Each DOCX in the zip (the station's assessment table, seed 004 附件 《衢州市学会服务站绩效考核表》, and its
submitted documents) has its PDF beside it, converted by LibreOffice once and kept: a second zip
converts nothing. Without LibreOffice the zip still comes, and 清单.txt names each missing PDF and why.

Seed 004 (quzhou): 第十七条 a station below 60 points rectifies within a time limit, and files its
rectification report (整改报告) — usually in the year after the assessed one. The report belongs to the
round it rectifies, so it is in that round's zip. Everything runs through the real Application:
the round opened with /assess, scores imported from the score sheet, published, the proposal
confirmed, the report filed with /rectify, the zip asked for from the round card.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from bot.services import FixedClock
from storage.models import DocumentPdf, SubmissionDocument
from testing.client import Call, Sandbox, joined
from testing.outbox_flush import render_pending
from tests.assessment.support import Station, fill, material, points_for, press_on, score_sheet, station
from tests.conftest import SHANGHAI, STAFF
from tests.documents.support import Manager, manager_of, require_pdf_tools
from tests.documents.test_flow import pdf_checks, submit

LOW = {"facilities": 1, "funding_systems": 1, "project_planning": 1, "coordination": 1, "radiation": 1}


async def failed_round(box: Sandbox, n: int, name: str) -> Station:
    """A published quzhou round of 2026 in which the one station failed (第十七条: below 60)."""
    st = await station(box, n, name, "quzhou")
    await material(box, st, 2026, "plan", "summary")
    await box.send(STAFF, "/start")
    await box.send(STAFF, "/assess quzhou 2026 2027-03-20")
    blank, rows = await score_sheet(box, 2026)
    await box.send_document(STAFF, "sheet.xlsx", data=fill(blank, points_for(rows, {st.id: LOW})))
    await press_on(box, STAFF, "考核 #", "排名与结论")
    await box.press(STAFF, "返回考核")
    assert "已发布" in joined(await press_on(box, STAFF, "考核 #", "发布"))
    return st


async def file_rectification_report(box: Sandbox, st: Station) -> None:
    await render_pending(box, STAFF.id)
    await press_on(box, STAFF, f"建议对 {st.name}", "确认")
    await box.send(st.user, "/rectify")
    for answer in ("Too few experts on site", "Two more experts; monthly visits", "Visits now monthly"):
        await box.send(st.user, answer)
    await box.press(st.user, "Skip")
    assert "Rectification report filed" in joined(await box.press(st.user, "Submit"))
    await render_pending(box, st.user.id)  # its DOCX rendered (after the commit) and sent to the manager


async def round_zip_from_card(box: Sandbox) -> tuple[Call, zipfile.ZipFile]:
    assert "正在打包" in joined(await press_on(box, STAFF, "考核 #", "全部文件（zip）"))
    sent = [c for c in await render_pending(box, STAFF.id) if c.method == "sendDocument"]
    assert len(sent) == 1, [c.text for c in sent]
    return sent[0], zipfile.ZipFile(io.BytesIO(sent[0].files["document"]))


async def test_seed004_art17_a_rectification_report_filed_the_next_year_is_in_the_zip_of_the_round_it_rectifies(
        sandbox: Sandbox, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATIONBOT_SOFFICE", "/nonexistent/soffice")  # DOCX only: the PDF tests convert
    clock.set(dt.datetime(2027, 3, 5, 10, 0, tzinfo=SHANGHAI))
    st = await failed_round(sandbox, 11, "衢州学会服务站壬")
    await file_rectification_report(sandbox, st)
    async with sandbox.services.db.session() as session:
        report = (await session.exec(select(SubmissionDocument).where(
            SubmissionDocument.kind == "rectification_report"))).one()
    assert report.year == 2027 and report.content is not None, "filed in 2027, the year after the assessed 2026"

    _, archive = await round_zip_from_card(sandbox)
    folder = f"{st.id}-{st.name}/"
    assert f"{folder}{report.filename}" in archive.namelist(), archive.namelist()
    assert archive.read(f"{folder}{report.filename}") == report.content
    assert report.filename in archive.read("清单.txt").decode()


async def round_with_a_document(box: Sandbox) -> Manager:
    """An open quzhou round of 2026 whose one station submitted its 年度工作总结 (rendered to DOCX)."""
    who = await manager_of(box.services.db, "quzhou", 5901)
    await submit(box, who, "annual_summary")
    await render_pending(box, who.user.id)
    await box.send(STAFF, "/start")
    await box.send(STAFF, "/assess quzhou 2026 2027-03-20")
    return who


def docx_of(archive: zipfile.ZipFile) -> list[str]:
    return [n for n in archive.namelist() if n.endswith(".docx")]


async def test_seed004_without_libreoffice_the_rounds_zip_names_each_missing_pdf_and_why(
        sandbox: Sandbox, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATIONBOT_SOFFICE", "/nonexistent/soffice")
    clock.set(dt.datetime(2027, 3, 5, 10, 0, tzinfo=SHANGHAI))
    await round_with_a_document(sandbox)
    call, archive = await round_zip_from_card(sandbox)
    assert "缺少 2 份 PDF" in call.text and "未安装 LibreOffice" in call.text, call.text
    documents = docx_of(archive)
    assert len(documents) == 2 and any("考核表" in n for n in documents) and any("年度工作总结" in n for n in documents)
    assert not [n for n in archive.namelist() if n.endswith(".pdf")], "no PDF without LibreOffice"
    index = archive.read("清单.txt").decode()
    assert "缺少 PDF 的文件（2份）" in index and "服务器未安装 LibreOffice" in index, index
    assert all(f"　{name}" in index for name in documents), "each DOCX without its PDF is named"


async def test_seed004_each_docx_in_the_rounds_zip_has_its_pdf_and_a_second_zip_converts_nothing(
        sandbox: Sandbox, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    require_pdf_tools()
    clock.set(dt.datetime(2027, 3, 5, 10, 0, tzinfo=SHANGHAI))
    await round_with_a_document(sandbox)
    call, archive = await round_zip_from_card(sandbox)
    assert "每份文件的 PDF 与其 DOCX 放在一起" in call.text, call.text
    documents = docx_of(archive)
    assert len(documents) == 2
    for name in documents:
        pdf = archive.read(name.removesuffix(".docx") + ".pdf")
        assert pdf[:5] == b"%PDF-", name
    table = next(n for n in documents if "考核表" in n).removesuffix(".docx") + ".pdf"
    pdf_checks(archive.read(table), "衢州市学会服务站绩效考核表", tmp_path)
    index = archive.read("清单.txt").decode()
    assert "PDF：2份" in index and "缺少 PDF" not in index, index
    async with sandbox.services.db.session() as session:
        assert len((await session.exec(select(DocumentPdf))).all()) == 2, "each PDF kept once made"

    # LibreOffice gone: the second zip still has every PDF, so none was converted again.
    monkeypatch.setenv("STATIONBOT_SOFFICE", "/nonexistent/soffice")
    again, second = await round_zip_from_card(sandbox)
    assert "每份文件的 PDF 与其 DOCX 放在一起" in again.text, again.text
    assert sorted(n for n in second.namelist() if n.endswith(".pdf")) == \
        sorted(n for n in archive.namelist() if n.endswith(".pdf"))
    assert all(second.read(n) == archive.read(n) for n in archive.namelist() if n.endswith(".pdf"))
