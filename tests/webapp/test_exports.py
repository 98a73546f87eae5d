"""The year's workbook: opened with openpyxl and checked cell by cell against the database."""

from __future__ import annotations

import datetime as dt
import io
import threading
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from bot import exports
from bot.export_process import ExportFailed
from bot.exports import CJK_FONT, export_year
from bot.workbook import Progress
from locales import translator
from rules.profile import load_profile
from rules.scoring import estimate_score
from services.scores import station_score
from storage.db import Database
from storage.ledger import year_totals
from storage.listings import list_stations
from testing.client import Sandbox, User
from testing.outbox_flush import send_and_deliver
from tests.conftest import SHANGHAI, STAFF
from tests.webapp.seed import QUZHOU_NAME, WUHAN_NAME, seed

MANAGER = User(800001, "Manager", "zh-hans")


def rows(sheet: Worksheet) -> list[list[object]]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def header_index(sheet: Worksheet, title: str) -> int:
    return rows(sheet)[0].index(title)


async def test_workbook_matches_the_database(db: Database) -> None:
    seeded = await seed(db, activities=4)
    async with db.session() as session:
        content = await export_year(session, 2027, translator("zh_Hans"), tz=SHANGHAI)
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=False)
    assert book.sheetnames == ["服务站", "报送", "工作台帐", "评价", "考核 quzhou", "考核 wuhan-qis"]
    stations = book["服务站"]
    assert rows(stations)[1][:2] == [seeded.quzhou_id, QUZHOU_NAME]
    assert stations.cell(row=2, column=2).font.name == CJK_FONT
    ledger = book["工作台帐"]
    ledger_rows = rows(ledger)
    assert len(ledger_rows) == 1 + 5
    solved = header_index(ledger, "解决技术难题")
    first = ledger_rows[1]
    assert first[:2] == [seeded.first_activity_id, QUZHOU_NAME]
    assert first[header_index(ledger, "标题")] == "技术攻关 1" and first[solved] == 2
    wuhan_row = next(r for r in ledger_rows[1:] if r[1] == WUHAN_NAME)
    assert wuhan_row[header_index(ledger, "参加人数")] == 40
    submissions = rows(book["报送"])
    late = submissions[0].index("逾期工作日")
    on_time = submissions[0].index("按时/逾期")
    assert sorted((r[late], r[on_time]) for r in submissions[1:]) == [(0, "按时"), (3, "逾期")]
    plan = next(r for r in submissions[1:] if r[0] == QUZHOU_NAME)
    due, submitted = submissions[0].index("截止日期"), submissions[0].index("报送时间")
    assert plan[due] == dt.datetime(2027, 1, 31)  # a date cell
    assert plan[submitted] == dt.datetime(2027, 1, 20, 10, 0)  # 02:00 UTC shown in Asia/Shanghai
    ratings = rows(book["评价"])
    assert sorted(r[2] for r in ratings[1:]) == [50.0, 70.0, 90.0]
    wuhan_scores = rows(book["考核 wuhan-qis"])
    assert {r[0] for r in wuhan_scores[1:]} == {WUHAN_NAME}
    trained = next(r for r in wuhan_scores[1:] if r[2] == "培训企业数")
    assert trained[3] == 1 and trained[6] == 200 and trained[7] == "否"
    wuhan_satisfaction = next(r for r in wuhan_scores[1:] if r[1] == "满意度")
    # One rating: no average (the 3-rating minimum); the target reads as seed 002 words it (高于80分).
    assert wuhan_satisfaction[3] is None and wuhan_satisfaction[6] == "> 80" and wuhan_satisfaction[7] is None
    await _check_quzhou_table(db, seeded.quzhou_id, rows(book["考核 quzhou"]))


async def _check_quzhou_table(db: Database, quzhou_id: int, sheet: list[list[object]]) -> None:
    """Every row of quzhou's table is in the sheet with the points the rules give, then total and satisfaction."""
    async with db.session() as session:
        quzhou = (await list_stations(session, station_ids=[quzhou_id]))[0]
        score = await station_score(session, quzhou, 2027)
        totals = await year_totals(session, quzhou_id, 2027)
    estimate = estimate_score(totals, load_profile("quzhou"))
    assert estimate is not None and len(score.lines) == len(estimate.lines) > 5
    body = [r for r in sheet[1:] if r[0] == QUZHOU_NAME]
    assert [r[4] for r in body[:len(estimate.lines)]] == [line.points for line in estimate.lines]
    assert [r[5] for r in body[:len(estimate.lines)]] == [line.max_points for line in estimate.lines]
    assert any(r[4] for r in body[:len(estimate.lines)])  # the seeded ledger scores some points
    assert "待工作人员评分" in str(body[0][2])  # manual rows nobody scored say so
    low = next(r for r in body if r[2] == "估算总分下限（分）")
    high = next(r for r in body if r[2] == "估算总分上限（分）")
    assert low[4] == score.score_total == round(estimate.low, 2) and high[4] == round(estimate.high, 2)
    assert high[4] - low[4] == 35 and low[7] is None, "seed 004 annex: 35 points await staff, no verdict yet"
    satisfaction = next(r for r in body if r[1] == "满意度")
    assert satisfaction[3] is None and satisfaction[7] is None and "2" in str(satisfaction[2])


async def test_headers_follow_the_language(db: Database) -> None:
    await seed(db, activities=1)
    async with db.session() as session:
        content = await export_year(session, 2027, translator("en"), tz=SHANGHAI)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Stations", "Submissions", "Ledger", "Ratings", "Scores quzhou", "Scores wuhan-qis"]
    assert rows(book["Stations"])[1][1] == QUZHOU_NAME


async def test_export_command_staff_gets_all_manager_gets_own(web_box: Sandbox, db: Database) -> None:
    await seed(db)
    calls = await send_and_deliver(web_box, STAFF, "/export 2027")
    docs = [c for c in calls if c.method == "sendDocument"]
    assert len(docs) == 1
    content = next(iter(docs[0].files.values()))
    staff_book = openpyxl.load_workbook(io.BytesIO(content))
    assert {r[1] for r in rows(staff_book["服务站"])[1:]} == {QUZHOU_NAME, WUHAN_NAME}
    calls = await send_and_deliver(web_box, MANAGER, "/export")
    docs = [c for c in calls if c.method == "sendDocument"]
    assert len(docs) == 1
    own = openpyxl.load_workbook(io.BytesIO(next(iter(docs[0].files.values()))))
    assert [r[1] for r in rows(own["服务站"])[1:]] == [QUZHOU_NAME]
    assert {r[1] for r in rows(own["工作台帐"])[1:]} == {QUZHOU_NAME}
    # A manager gets averages, not one row per rating (few demand units could be told apart).
    assert "评价" not in own.sheetnames and own.sheetnames[-2:] == ["评价汇总", "考核 quzhou"]
    summary = rows(own["评价汇总"])
    # Two ratings: the count only, no average and no dimension averages (the 3-rating minimum).
    assert len(summary) == 2 and summary[1][:5] == [QUZHOU_NAME, 2, None, "> 80", None]
    assert summary[0][5:] and set(summary[1][5:]) == {None}


@pytest.mark.parametrize("argument", ["nonsense", "1999"])
async def test_export_command_rejects_a_bad_year(web_box: Sandbox, db: Database, argument: str) -> None:
    calls = await send_and_deliver(web_box, STAFF, f"/export {argument}")
    assert not [c for c in calls if c.method == "sendDocument"]
    assert any("/export" in c.text for c in calls if c.method == "sendMessage")


async def test_api_export(client: httpx.AsyncClient, db: Database, api_token: str) -> None:
    await seed(db)
    response = await client.get("/api/v1/exports/2027.xlsx", headers={"Authorization": f"Bearer {api_token}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert rows(book["服务站"])[1][1] == QUZHOU_NAME


async def test_ledger_streams_in_chunks_smaller_than_the_year(db: Database) -> None:
    """Several fetches per sheet: the export must not depend on the ledger fitting one chunk."""
    await seed(db, activities=7)
    async with db.session() as session:
        data = await export_year(session, 2027, translator("en"), chunk=2, tz=SHANGHAI)
        whole = await export_year(session, 2027, translator("en"), tz=SHANGHAI)
    ledger_small = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["Ledger"]
    ledger_whole = openpyxl.load_workbook(io.BytesIO(whole), read_only=True)["Ledger"]
    rows_small = [tuple(c.value for c in row) for row in ledger_small.iter_rows()]
    assert rows_small == [tuple(c.value for c in row) for row in ledger_whole.iter_rows()]
    assert len(rows_small) > 5
    ratings_small = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["Ratings"]
    ratings_whole = openpyxl.load_workbook(io.BytesIO(whole), read_only=True)["Ratings"]
    small = [tuple(c.value for c in row) for row in ratings_small.iter_rows()]
    assert small == [tuple(c.value for c in row) for row in ratings_whole.iter_rows()] and len(small) == 1 + 3


async def test_rows_are_written_off_the_event_loop(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing a big ledger takes a minute: the writer runs in a worker thread, pulling rows from the loop."""
    await seed(db, activities=5)
    threads: list[int] = []
    original = exports.write_workbook

    def recording(*args: Any, **kwargs: Any) -> None:
        threads.append(threading.get_ident())
        original(*args, **kwargs)

    monkeypatch.setattr(exports, "write_workbook", recording)
    async with db.session() as session:
        content = await export_year(session, 2027, translator("en"), chunk=2, tz=SHANGHAI)
    assert len(threads) == 1 and threading.get_ident() not in threads
    ledger = openpyxl.load_workbook(io.BytesIO(content), read_only=True)["Ledger"]
    assert sum(1 for _ in ledger.iter_rows()) == 1 + 6


async def test_a_child_process_makes_the_same_workbook_and_counts_its_rows(db: Database) -> None:
    """The bot's exports run in a spawned process with its own connection (its CPU off the bot's lock):
    the same cells as in process, and the rows written are counted in memory the parent reads."""
    await seed(db, activities=4)
    progress = Progress()
    async with db.session() as session:
        here = await export_year(session, 2027, translator("zh_Hans"), tz=SHANGHAI)
        there = await export_year(session, 2027, translator("zh_Hans"), chunk=2, tz=SHANGHAI, in_child=db.url,
                                  progress=progress)
    near, far = openpyxl.load_workbook(io.BytesIO(here)), openpyxl.load_workbook(io.BytesIO(there))
    assert near.sheetnames == far.sheetnames
    for name in near.sheetnames:
        assert rows(near[name]) == rows(far[name]), name
    assert progress.total.value == 5 + 3 and progress.done.value == 8 and progress.percent() == 100


async def test_a_failing_child_says_why(db: Database, tmp_path: Path) -> None:
    async with db.session() as session:
        with pytest.raises(ExportFailed, match=r"OperationalError.*no such table: station"):
            await export_year(session, 2027, translator("en"), tz=SHANGHAI,
                              in_child=f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")


async def test_cells_keep_their_formats_font_widths_and_frozen_header(db: Database) -> None:
    """Real dates with a date format, numbers with a number format, the CJK font on every written cell,
    a bold header on a fill, the header row frozen and each column's width, on every sheet."""
    await seed(db, activities=2)
    async with db.session() as session:
        content = await export_year(session, 2027, translator("en"), tz=SHANGHAI)
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.b and cell.fill.fgColor.rgb.endswith("DDEBF7") for cell in sheet[1]), sheet.title
        assert sheet.column_dimensions["A"].width > 5, sheet.title
        for row in sheet.iter_rows(min_row=2):
            assert all(cell.font.name == CJK_FONT for cell in row if cell.value is not None), sheet.title
    ledger = book["Ledger"]
    header = [c.value for c in ledger[1]]
    first = ledger[2]
    date, logged = first[header.index("Date")], first[header.index("Logged at")]
    assert isinstance(date.value, dt.datetime) and date.number_format == "yyyy-mm-dd"
    assert isinstance(logged.value, dt.datetime) and logged.number_format == "yyyy-mm-dd hh:mm"
    participants = first[header.index("Participants")]
    assert participants.value == 10 and participants.data_type == "n" and participants.number_format == "General"
    assert ledger.column_dimensions["B"].width >= 30  # the station's name
    submitted = book["Submissions"]
    assert submitted.cell(row=2, column=6).number_format == "yyyy-mm-dd hh:mm"
