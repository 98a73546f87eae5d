"""After submitting: the DOCX at once, the stamped scan back, staff downloads (one, zip), PDF or why not."""

from __future__ import annotations

import asyncio
import io
import re
import subprocess
import zipfile
from pathlib import Path

import PIL.Image
import pytest
from sqlmodel import select

import bot.handlers.documents as documents
from bot.form_context import profile_choices
from conversations.fields import FormContext
from conversations.formspec import load_form
from rules.profile import load_profile
from storage.models import OutboxMessage, SubmissionDocument
from testing.client import Sandbox, joined
from testing.outbox_flush import render_pending
from tests.conftest import STAFF
from tests.documents.support import TODAY, Manager, fill, first_paragraph, manager_of, require_pdf_tools

PROFILES = ("gd-quality", "gd-scst", "wuhan-qis", "guiyang-kczg", "quzhou")


async def submit(box: Sandbox, who: Manager, form_id: str) -> None:
    profile = who.station.policy_profile
    ctx = FormContext(today=TODAY, profile_id=profile, choices=profile_choices(load_profile(profile)))
    await fill(box, who, load_form(form_id, profile), ctx)


async def staff_download(box: Sandbox, station_id: int) -> list[tuple[str, bytes]]:
    """Staff open /documents <station> and press the first download button; the files that arrive."""
    listing = joined(await box.send(STAFF, f"/documents {station_id}"))
    assert "等待盖章件" in listing or "已收到盖章件" in listing, listing
    calls = await box.press(STAFF, "⬇ #")  # the DOCX at once (its bytes are kept) ...
    calls += await render_pending(box, STAFF.id)  # ... the PDF, made off the update, through the outbox
    return [(c.params.get("document", ""), c.files["document"]) for c in calls
            if c.method == "sendDocument" and c.chat_id == STAFF.id]


def pdf_checks(pdf: bytes, title: str, tmp: Path) -> None:
    """Page 1 rasterised is not blank, a CJK font is embedded, and its text holds the Chinese title.

    The font check is what catches boxes: LibreOffice writes the text layer (ToUnicode) even when
    no font has the glyphs, so pdftotext alone still finds the title in a PDF of empty boxes.
    """
    source = tmp / "doc.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(source), str(tmp / "page")],
                   check=True, timeout=60)
    page = next(tmp.glob("page*.png"))
    image = PIL.Image.open(page).convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > image.width * image.height * 0.003, f"page 1 is (nearly) blank: {dark} dark pixels"
    fonts = subprocess.run(["pdffonts", str(source)], check=True, capture_output=True, timeout=60).stdout.decode()
    assert "CJK" in fonts, f"no CJK font embedded: Chinese would print as boxes\n{fonts}"
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(source), "-"], check=True, capture_output=True,
                          timeout=60).stdout.decode()
    assert re.sub(r"\s+", "", title) in re.sub(r"\s+", "", text), f"title {title!r} not in the PDF text {text[:200]!r}"


@pytest.mark.parametrize("profile", PROFILES)
async def test_each_profile_document_converts_to_a_pdf_with_its_chinese_title(sandbox: Sandbox, profile: str,
                                                                               tmp_path: Path) -> None:
    require_pdf_tools()
    who = await manager_of(sandbox.services.db, profile, 5201)
    await submit(sandbox, who, "change_report")
    await sandbox.services.background.idle()
    files = await staff_download(sandbox, who.station.id or 0)
    docx = next(data for name, data in files if data[:2] == b"PK")
    pdf = next(data for name, data in files if data[:5] == b"%PDF-")
    title = first_paragraph(docx)
    assert "变更报告" in title
    pdf_checks(pdf, title, tmp_path)


async def test_the_stamped_scan_attaches_to_the_same_version_and_staff_see_it(sandbox: Sandbox) -> None:
    who = await manager_of(sandbox.services.db, "gd-quality", 5301)
    await submit(sandbox, who, "annual_plan")
    await sandbox.services.background.idle()
    assert [c for c in await render_pending(sandbox, who.user.id) if c.method == "sendDocument"]
    assert "等待盖章件" in joined(await sandbox.send(STAFF, f"/documents {who.station.id}"))
    thanks = joined(await sandbox.send_photo(who.user))
    assert "盖章件已附在" in thanks and "编号 1，第 1 版" in thanks, thanks
    async with sandbox.services.db.session() as session:
        doc = (await session.exec(select(SubmissionDocument))).one()
        staff_notes = (await session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == STAFF.id))).all()
    assert doc.version == 1 and doc.scan is not None and doc.scan["kind"] == "photo"
    assert any(row.payload["reply"].get("file", {}).get("file_id") == doc.scan["file_id"] for row in staff_notes), \
        "staff are sent the stamped copy itself"
    listing = joined(await sandbox.send(STAFF, f"/documents {who.station.id}"))
    assert "已收到盖章件" in listing and "等待盖章件" not in listing
    resent = await sandbox.press(STAFF, "🖨 盖章件")
    assert any(c.method == "sendPhoto" and c.params.get("photo") == doc.scan["file_id"] for c in resent)
    again = joined(await sandbox.send_photo(who.user))
    assert "盖章件已附在" not in again, "nothing else awaits a stamped copy"


async def test_staff_zip_of_one_kind_and_year_holds_every_station_document(sandbox: Sandbox) -> None:
    first = await manager_of(sandbox.services.db, "quzhou", 5401)
    second = await manager_of(sandbox.services.db, "wuhan-qis", 5402)
    for who in (first, second):
        await submit(sandbox, who, "annual_plan")
    await sandbox.services.background.idle()
    async with sandbox.services.db.session() as session:
        years = {d.year for d in (await session.exec(select(SubmissionDocument))).all()}
    assert len(years) == 1, years
    year = years.pop()
    overview = joined(await sandbox.send(STAFF, "/documents"))
    assert f"年度工作计划 {year}：已提交 2 份" in overview, overview
    assert "正在打包" in joined(await sandbox.press(STAFF, f"⬇ 年度工作计划 {year}"))
    sent = [c for c in await render_pending(sandbox, STAFF.id) if c.method == "sendDocument"]
    assert len(sent) == 1
    names = zipfile.ZipFile(io.BytesIO(sent[0].files["document"])).namelist()
    docx = sorted(n for n in names if n.endswith(".docx"))
    assert len(docx) == 2 and any(str(first.station.name) in n for n in docx), names
    from bot.documents import soffice

    assert (len([n for n in names if n.endswith(".pdf")]) == 2) == (soffice() is not None), names


async def test_without_libreoffice_staff_get_the_docx_and_are_told_why(sandbox: Sandbox,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATIONBOT_SOFFICE", "/nonexistent/soffice")
    who = await manager_of(sandbox.services.db, "gd-scst", 5501)
    await submit(sandbox, who, "annual_summary")
    await sandbox.services.background.idle()
    before = len(sandbox.api.calls)
    files = await staff_download(sandbox, who.station.id or 0)
    assert len(files) == 1 and files[0][1][:2] == b"PK", "the DOCX alone"
    told = joined(sandbox.api.calls[before:])
    assert "未安装 LibreOffice" in told, told


async def test_rendering_waits_outside_the_update_and_other_chats_are_answered_meanwhile(
        sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """The submission commits and is answered first; the document follows; another chat is not held up."""
    gate = asyncio.Event()
    real_build = documents.build

    async def slow_build(session, doc, tz):  # type: ignore[no-untyped-def]
        await gate.wait()
        return await real_build(session, doc, tz)

    monkeypatch.setattr(documents, "build", slow_build)
    who = await manager_of(sandbox.services.db, "guiyang-kczg", 5601)
    await submit(sandbox, who, "annual_plan")
    assert "已提交" in joined(sandbox.api.calls_to(who.user.id)), "the submission is answered before rendering"
    assert not sandbox.api.calls_to(who.user.id, "sendDocument")
    other = joined(await sandbox.send(STAFF, "/documents"))
    assert other, "another chat is answered while the document renders"
    async with sandbox.services.db.session() as session:
        assert (await session.exec(select(SubmissionDocument))).one().status == "pending"
    gate.set()
    await sandbox.services.background.idle()
    assert len([c for c in await render_pending(sandbox, who.user.id) if c.method == "sendDocument"]) == 1


async def test_approved_application_documents_are_listed_with_the_created_station(sandbox: Sandbox) -> None:
    """seed 003 附件1 申报书: the applicant's document (and its stamped scan) becomes the new station's record."""
    from storage.models import Station, StationApplication
    from tests.applications.test_applications import accept_without_notice_profile
    from tests.documents.support import User

    applicant = User(5901, "申请人", "zh-CN")
    profile = "guiyang-kczg"
    ctx = FormContext(today=TODAY, profile_id=profile, choices=profile_choices(load_profile(profile)))
    await fill(sandbox, applicant, load_form("station_application", profile), ctx)
    assert [c for c in await render_pending(sandbox, applicant.id) if c.method == "sendDocument"]
    assert "盖章件已附在" in joined(await sandbox.send_photo(applicant))
    await accept_without_notice_profile(sandbox)
    async with sandbox.services.db.session() as session:
        application = (await session.exec(select(StationApplication))).one()
    await sandbox.press_data(STAFF, f"ap:s:{application.id}")
    await sandbox.press(STAFF, "🏷 批准并建立服务站")
    assert "已批准" in joined(await sandbox.send(STAFF, "GYKC-2027-001\n贵阳学会产业科技服务工作站（白云）"))
    async with sandbox.services.db.session() as session:
        station = (await session.exec(select(Station))).one()
        docs = (await session.exec(select(SubmissionDocument))).all()
    assert [d.station_id for d in docs] == [station.id], "the 申报书 belongs to the created station"
    listing = joined(await sandbox.send(STAFF, f"/documents {station.id}"))
    assert "建站申请" in listing and "已收到盖章件" in listing, listing
