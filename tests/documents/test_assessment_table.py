"""The station's assessment table of a round, rendered into the seed's own table and read back with python-docx.

Seed 004 附件 《衢州市学会服务站绩效考核表》 (第十四条, 第十七条) and seed 002 附件 《市级质量服务站评价细则》
(第十五条（三）): every row's points in its own cell, the total, the grade, and the signature and stamp lines.
The scores are filled through the real Application (the round opened with /assess, the staff's rows
imported from the score sheet sent in chat); the table is the file staff receive from the round card.
Seeds 000, 001 and 003 prescribe no such table (checked by the registry test below).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import httpx
import pytest

from bot.documents import render_docx
from bot.services import FixedClock
from rules.documents import available, document_kind, template_path
from rules.profile import load_profile
from storage.db import Database
from testing.client import Call, Sandbox, joined
from testing.outbox_flush import render_pending
from tests.assessment.support import fill, ledger, material, points_for, press_on, score_sheet, station
from tests.assessment.test_round_wuhan import annex_points
from tests.conftest import SHANGHAI, STAFF
from tests.documents.support import all_text, cells, first_paragraph, require_pdf_tools
from tests.documents.test_flow import pdf_checks
from tests.documents.test_round_zip_api import round_zip_url, zip_through_the_api
from tests.webapp.conftest import api_token, client, web_box, web_settings  # noqa: F401  (fixtures)

QUZHOU_MANUAL = {"facilities": 9, "funding_systems": 8.5, "project_planning": 5, "coordination": 3, "radiation": 6}
# seed 004 附件: reports 2 × 5 = 10 (cap 10); one meeting of 100+ = 10; trainings 2 × 5 = 10; one enterprise = 10;
# problems 3 × 5 = 15 (本项不封顶: above the row's 5); no awards, media, results or expert days = 0.
QUZHOU_LEDGER = dict(reports_written=2, big_meetings=1, big_trainings=2, enterprises_attracted=1, problems_solved=3)
QUZHOU_AUTO = {"expert_days": 0, "consulting": 10, "exchange": 10, "talent": 10, "investment": 10, "commercialised": 0,
               "problems": 15, "awards": 0, "media": 0}


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


async def table_from_round_card(box: Sandbox, station_name: str) -> bytes:
    """Staff press the round card's "考核表（docx）", then the station's button; the DOCX arrives by the outbox
    (then its PDF, or why there is none)."""
    return (await tables_from_round_card(box, station_name))[0]


async def tables_from_round_card(box: Sandbox, station_name: str) -> tuple[bytes, list[Call]]:
    listing = joined(await press_on(box, STAFF, "考核 #", "考核表（docx）"))
    assert "每个服务站一份" in listing, listing
    await box.press(STAFF, f"⬇ {station_name}")
    calls = await render_pending(box, STAFF.id)
    sent = [c for c in calls if c.method == "sendDocument"]
    docx = [c for c in sent if c.files["document"][:2] == b"PK"]
    assert len(docx) == 1, [c.text for c in sent]
    assert station_name in docx[0].text
    return docx[0].files["document"], calls


def positions(profile: str) -> dict[str, tuple[int, int, int]]:
    """Where each placeholder's cell is: the template rendered with a marker in every variable."""
    scoring = load_profile(profile).scoring
    assert scoring is not None
    ids = [item.id for item in scoring.items]
    marked = {"p": {i: f"⟦p.{i}⟧" for i in ids}, "c": {i: f"⟦c.{i}⟧" for i in ids}, "total": "⟦total⟧",
              "grade": "⟦grade⟧", "rank": "⟦rank⟧", "tier": "⟦tier⟧", "station": {}, "round": {}}
    template = template_path(profile, "assessment_table")
    assert template is not None
    where: dict[str, tuple[int, int, int]] = {}
    for position, text in cells(render_docx(template, marked)).items():
        for marker in re.findall(r"⟦[^⟧]+⟧", text):
            where.setdefault(marker, position)
    return where


def paper_checks(content: bytes, station_name: str, title: str) -> str:
    text = all_text(content)
    assert title in first_paragraph(content), first_paragraph(content)
    assert station_name in text
    assert "{{" not in text and "{%" not in text
    assert re.search(r"（盖章）", text), "a stamp line"
    assert re.search(r"年\s+月\s+日", text), "a date line to fill in by hand"
    assert re.search(r"签字", text), "a signature line"
    return text


def test_only_the_seeds_with_an_assessment_table_have_its_template() -> None:
    """seed 004 附件 绩效考核表 and seed 002 附件 评价细则; seeds 000 (第十四条 grades), 001 and 003 have no table."""
    assert [p for p, k in available("round")] == ["quzhou", "wuhan-qis"]
    assert all(k.id == "assessment_table" for _, k in available("round"))
    assert all(k.filled_from == "submission" for _, k in available())


async def test_seed004_quzhou_assessment_table_has_each_rows_points_in_its_cell_and_the_total(
        sandbox: Sandbox, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATIONBOT_SOFFICE", "/nonexistent/soffice")  # DOCX only here; the PDF test converts
    clock.set(dt.datetime(2027, 3, 5, 10, 0, tzinfo=SHANGHAI))
    first = await station(sandbox, 1, "衢州学会服务站甲", "quzhou")
    second = await station(sandbox, 2, "衢州学会服务站乙", "quzhou")
    await ledger(sandbox, first, 2026, "strategy_consulting", **QUZHOU_LEDGER)
    for st in (first, second):
        await material(sandbox, st, 2026, "plan", "summary")
    await sandbox.send(STAFF, "/start")
    await sandbox.send(STAFF, "/assess quzhou 2026 2027-03-20")
    blank, rows = await score_sheet(sandbox, 2026)
    wanted = {first.id: QUZHOU_MANUAL, second.id: dict.fromkeys(QUZHOU_MANUAL, 2)}
    assert "已导入 2 个服务站的 10 项得分" in joined(
        await sandbox.send_document(STAFF, "sheet.xlsx", data=fill(blank, points_for(rows, wanted))))
    await press_on(sandbox, STAFF, "考核 #", "排名与结论")
    await sandbox.press(STAFF, "返回考核")
    assert "已发布" in joined(await press_on(sandbox, STAFF, "考核 #", "发布"))

    content, calls = await tables_from_round_card(sandbox, first.name)
    assert "未安装 LibreOffice" in joined(calls), "without LibreOffice the DOCX alone, and why"
    text = paper_checks(content, first.name, "衢州市学会服务站绩效考核表")
    where, real = positions("quzhou"), cells(content)
    expected = {**QUZHOU_MANUAL, **QUZHOU_AUTO}
    assert set(expected) == {i.id for i in load_profile("quzhou").scoring.items}  # type: ignore[union-attr]
    for row_id, points in expected.items():
        cell = real[where[f"⟦p.{row_id}⟧"]]
        assert cell == number(points), (row_id, cell, points)
    total = sum(expected.values())
    assert total == 86.5
    assert real[where["⟦total⟧"]] == "86.5", "the total of every row, uncapped rows included (本项不封顶)"
    assert real[where["⟦grade⟧"]] == "合格", "第十七条: 60 or more passes; 20% of 2 stations leaves no 优秀"
    assert real[where["⟦rank⟧"]] == "第1名（共2个）"
    assert "帮助企业破解技术难题情况（5分）" in real[(where["⟦p.problems⟧"][0], where["⟦p.problems⟧"][1], 2)], \
        "the row's own label from the seed's table beside its points"
    assert "2026年度" in text and "发布" in text and "暂定" not in text

    failing = await table_from_round_card(sandbox, second.name)
    assert cells(failing)[where["⟦grade⟧"]] == "不合格", "第十七条: below 60 fails"
    assert cells(failing)[where["⟦total⟧"]] == "10"


async def test_seed002_wuhan_evaluation_table_is_provisional_until_published_with_the_ledger_counts(
        sandbox: Sandbox, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATIONBOT_SOFFICE", "/nonexistent/soffice")
    clock.set(dt.datetime(2027, 1, 10, 10, 0, tzinfo=SHANGHAI))
    st = await station(sandbox, 3, "武汉质量服务站丙", "wuhan-qis", founded=dt.date(2023, 5, 1))
    await ledger(sandbox, st, 2026, "quality_diagnosis", problems_solved=40, media_city=2, media_national=1)
    await material(sandbox, st, 2026, "efficiency_report", "plan", "summary")
    await sandbox.send(STAFF, "/start")
    await sandbox.send(STAFF, "/assess wuhan-qis 2026 2027-01-31")
    blank, rows = await score_sheet(sandbox, 2026)
    points = annex_points(88)
    await sandbox.send_document(STAFF, "sheet.xlsx", data=fill(blank, points_for(rows, {st.id: points})))

    content = await table_from_round_card(sandbox, st.name)
    text = paper_checks(content, st.name, "武汉市市级质量服务站评价表")
    where, real = positions("wuhan-qis"), cells(content)
    for row_id, given in points.items():
        assert real[where[f"⟦p.{row_id}⟧"]] == number(given), row_id
    assert real[where["⟦total⟧"]] == "88"
    assert real[where["⟦grade⟧"]] == "尚未确定", "seed 002 gives no pass mark: staff have not chosen yet"
    assert "暂定" in text, "an open round's table says it is provisional"
    assert "发现并解决质量问题数 40（目标 100）" in real[where["⟦c.problems_solved⟧"]]
    assert "媒体报道 3（目标 5）" in real[where["⟦c.media_reports⟧"]], "the annex's 5 media reports beside 社会效益"


@pytest.mark.parametrize(("profile", "title"), [("quzhou", "衢州市学会服务站绩效考核表"),
                                               ("wuhan-qis", "武汉市市级质量服务站评价表")])
async def test_assessment_table_converts_to_a_pdf_with_its_chinese_title(
        sandbox: Sandbox, clock: FixedClock, tmp_path: Path, profile: str, title: str) -> None:
    require_pdf_tools()
    clock.set(dt.datetime(2027, 3, 5, 10, 0, tzinfo=SHANGHAI))
    st = await station(sandbox, 4, "服务站丁", profile)
    await sandbox.send(STAFF, "/start")
    await sandbox.send(STAFF, f"/assess {profile} 2026 2027-03-20")
    _, calls = await tables_from_round_card(sandbox, st.name)
    pdf = [c.files["document"] for c in calls if c.method == "sendDocument" and c.files["document"][:5] == b"%PDF-"]
    assert len(pdf) == 1, "the PDF follows the DOCX in the chat"
    pdf_checks(pdf[0], title, tmp_path)


def zip_names(call: Call) -> tuple[zipfile.ZipFile, list[str]]:
    archive = zipfile.ZipFile(io.BytesIO(call.files["document"]))
    return archive, archive.namelist()


async def test_a_rounds_zip_holds_each_stations_table_documents_and_stamped_scans(
        sandbox: Sandbox, clock: FixedClock) -> None:
    from tests.documents.support import manager_of
    from tests.documents.test_flow import submit

    clock.set(dt.datetime(2027, 3, 5, 10, 0, tzinfo=SHANGHAI))
    stamped = await manager_of(sandbox.services.db, "quzhou", 5801)
    waiting = await manager_of(sandbox.services.db, "quzhou", 5802)
    for who in (stamped, waiting):
        await submit(sandbox, who, "annual_summary")
    await render_pending(sandbox, stamped.user.id)
    scan = b"%PDF-1.4 stamped scan"
    thanks = joined(await sandbox.send_document(stamped.user, "盖章版.pdf", data=scan))
    assert "盖章件已附在" in thanks, thanks
    await sandbox.send(STAFF, "/start")
    await sandbox.send(STAFF, "/assess quzhou 2026 2027-03-20")

    assert "正在打包" in joined(await press_on(sandbox, STAFF, "考核 #", "全部文件（zip）"))
    sent = [c for c in await render_pending(sandbox, STAFF.id) if c.method == "sendDocument"]
    assert len(sent) == 1 and "2 个服务站，2 份考核表，2 份文件，1 份盖章件" in sent[0].text, sent[0].text
    archive, names = zip_names(sent[0])
    for who in (stamped, waiting):
        folder = f"{who.station.id}-{who.station.name}/"
        mine = [n for n in names if n.startswith(folder)]
        assert any("考核表" in n for n in mine) and any("年度工作总结" in n for n in mine), mine
    scans = [n for n in names if "盖章件" in n]
    assert len(scans) == 1 and scans[0].startswith(f"{stamped.station.id}-") and scans[0].endswith("-盖章件.pdf")
    assert archive.read(scans[0]) == scan, "the scan the manager sent back, fetched from Telegram"
    assert scans[0].replace("-盖章件.pdf", ".docx") in names, "the scan is named after its document"
    index = archive.read("清单.txt").decode()
    assert "已收到盖章件" in index and "等待盖章件" in index, index

    # The zip of one kind and year holds the scans too.
    overview = joined(await sandbox.send(STAFF, "/documents"))
    assert "年度工作总结 2026" in overview, overview
    await sandbox.press(STAFF, "⬇ 年度工作总结 2026")
    sent = [c for c in await render_pending(sandbox, STAFF.id) if c.method == "sendDocument"]
    archive, names = zip_names(sent[-1])
    assert [archive.read(n) for n in names if n.endswith("-盖章件.pdf")] == [scan], names


async def test_round_documents_in_the_staff_api(web_box: Sandbox, client: httpx.AsyncClient,  # noqa: F811
                                                db: Database, api_token: str, clock: FixedClock) -> None:  # noqa: F811
    clock.set(dt.datetime(2027, 3, 5, 10, 0, tzinfo=SHANGHAI))
    st = await station(web_box, 5, "衢州学会服务站戊", "quzhou")
    gd = await station(web_box, 6, "广东服务站己", "gd-quality")
    await web_box.send(STAFF, "/start")
    await web_box.send(STAFF, "/assess quzhou 2026 2027-03-20")
    await web_box.send(STAFF, "/assess gd-quality 2026 2027-03-20")
    auth = {"Authorization": f"Bearer {api_token}"}
    rounds_ = (await client.get("/api/v1/assessment/rounds", headers=auth)).json()["items"]
    quzhou = next(r["id"] for r in rounds_ if r["profile"] == "quzhou")
    gd_round = next(r["id"] for r in rounds_ if r["profile"] == "gd-quality")
    url = f"/api/v1/assessment/rounds/{quzhou}/stations/{st.id}/table.docx"
    assert (await client.get(url)).status_code == 401
    table = await client.get(url, headers=auth)
    assert table.status_code == 200 and "绩效考核表" in first_paragraph(table.content)
    assert (await client.get(f"/api/v1/assessment/rounds/{quzhou}/stations/{gd.id}/table.docx",
                             headers=auth)).status_code == 404, "not a station of this round"
    refused = await client.get(f"/api/v1/assessment/rounds/{gd_round}/stations/{gd.id}/table.docx", headers=auth)
    assert refused.status_code == 404 and "prescribes no assessment table" in refused.text, "seed 000: no table"
    _, _, bundle = await zip_through_the_api(web_box, client, round_zip_url(quzhou), auth)  # off the request
    names = bundle.namelist()
    assert any(n.startswith(f"{st.id}-") and "考核表" in n for n in names) and "清单.txt" in names, names
    assert (await client.get("/api/v1/assessment/rounds/999/documents.zip", headers=auth)).status_code == 404
    assert (await client.get("/api/v1/documents/assessment_table/2026.zip", headers=auth)).status_code == 404, \
        "assessment tables come per round, not per kind and year"
    assert document_kind("assessment_table") is not None
