"""quzhou's 35 building points are scored by staff (seed 004 annex, 绩效考核评分表): in chat and by score sheet."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from bot.services import FixedClock
from storage.manual_scores import manual_points
from storage.models import AuditLog
from testing.client import Sandbox, joined
from tests.assessment.support import fill
from tests.conftest import SHANGHAI, STAFF
from tests.helpers import add_station


async def quzhou_stations(box: Sandbox) -> tuple[int, int]:
    first = await add_station(box.services.db, "衢州某学会服务站", "quzhou", region="衢州")
    second = await add_station(box.services.db, "衢州另一学会服务站", "quzhou", region="衢州")
    await add_station(box.services.db, "佛山站", "gd-quality")  # no manual rows: not offered
    assert first.id is not None and second.id is not None
    return first.id, second.id


async def test_seed004_annex_staff_score_manual_rows_in_chat_checked_against_maximum(
        sandbox: Sandbox, clock: FixedClock) -> None:
    clock.set(dt.datetime(2027, 2, 10, 10, 0, tzinfo=SHANGHAI))
    first, _ = await quzhou_stations(sandbox)
    await sandbox.send(STAFF, "/start")
    listing = joined(await sandbox.send(STAFF, "/scoring 2026"))
    assert "衢州某学会服务站：已评 0/5 项" in listing and "佛山站" not in listing
    card = joined(await sandbox.press(STAFF, "衢州某学会服务站"))
    assert "设施" in card or "Facilities" in card
    assert "满分 10" in card and "满分 6" in card, card
    await sandbox.press(STAFF, "≤10")  # the first 10-point row: facilities
    refused = joined(await sandbox.send(STAFF, "12"))
    assert "满分为 10 分" in refused, refused
    assert "不是数字" in joined(await sandbox.send(STAFF, "很好"))
    assert "小数" in joined(await sandbox.send(STAFF, "7.25"))
    saved = joined(await sandbox.send(STAFF, "8.5"))
    assert "已保存" in saved and "8.5 / 10 分" in saved, saved
    async with sandbox.services.db.session() as session:
        assert await manual_points(session, 2026) == {first: {"facilities": 8.5}}
        assert await manual_points(session, 2027) == {}
        audit = (await session.exec(AuditLog.__table__.select())).all()  # type: ignore[attr-defined]
        assert any(row.action == "manual_score" for row in audit)
    # After saving, a typed number is no longer taken as points.
    await sandbox.send(STAFF, "3")
    async with sandbox.services.db.session() as session:
        assert await manual_points(session, 2026) == {first: {"facilities": 8.5}}




async def test_seed004_annex_score_sheet_import_is_all_or_nothing_with_line_and_column(
        sandbox: Sandbox, clock: FixedClock) -> None:
    clock.set(dt.datetime(2027, 2, 10, 10, 0, tzinfo=SHANGHAI))
    first, second = await quzhou_stations(sandbox)
    await sandbox.send(STAFF, "/start")
    calls = await sandbox.send(STAFF, "/scoresheet 2026")
    sent = next(c for c in calls if c.method == "sendDocument")
    assert "F 列" in sent.text
    blank = next(iter(sent.files.values()))
    rows = list(load_workbook(io.BytesIO(blank)).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[4]) for r in rows[:5]] == [(first, "facilities", 10), (first, "funding_systems", 10),
                                                     (first, "project_planning", 5), (first, "coordination", 4),
                                                     (first, "radiation", 6)]
    assert len(rows) == 10
    points = {(line, "F"): value for line, value in zip(range(2, 12), (9, 8, 4, 3, 6, 7, 7, 5, 4, 2), strict=True)}
    # A wrong maximum (row 3 edited to 20) and an unknown station (row 9) and a missing one (row 10).
    bad = fill(blank, {**points, (3, "E"): 20, (9, "A"): 999, (10, "A"): None})
    refused = joined(await sandbox.send_document(STAFF, "评分表.xlsx", data=bad))
    assert "导入被拒绝：发现 3 处问题" in refused, refused
    assert "第 3 行，第 E 列：满分 20 与考核表的 10 不符" in refused
    assert "第 9 行，第 A 列：没有编号为 999" in refused
    assert "第 10 行，第 A 列：缺少站点编号" in refused
    async with sandbox.services.db.session() as session:
        assert await manual_points(session, 2026) == {}, "nothing is written unless every row is valid"
    too_much = joined(await sandbox.send_document(STAFF, "评分表.xlsx", data=fill(blank, {**points, (10, "F"): 5})))
    assert "第 10 行，第 F 列：5 超过满分" in too_much, too_much
    done = joined(await sandbox.send_document(STAFF, "评分表.xlsx", data=fill(blank, points)))
    assert "已导入 2 个服务站的 10 项得分" in done, done
    async with sandbox.services.db.session() as session:
        stored = await manual_points(session, 2026)
    assert stored == {first: {"facilities": 9, "funding_systems": 8, "project_planning": 4, "coordination": 3,
                              "radiation": 6},
                      second: {"facilities": 7, "funding_systems": 7, "project_planning": 5, "coordination": 4,
                               "radiation": 2}}
    assert sum(stored[first].values()) == 30 and sum(stored[second].values()) == 25
