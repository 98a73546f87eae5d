"""wuhan-qis (seed 002): experts score the annex's four parts; 公示 5 days with objections; tiers; 摘牌.

第十五条（四） 公示5日 with objections answered; 第十九条 一等 ≤3 (5万), 二等 ≤5 (3万), 三等 ≤10 (1万), new stations
take no part in the ranking, a failed station is 摘牌.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlmodel import select

from bot.services import FixedClock
from rules.manual_scores import manual_items
from rules.profile import load_profile
from storage.models import AssessmentEntry
from storage.models import Station as StationRow
from testing.client import Sandbox, joined
from tests.assessment.support import (
    fill,
    inbox,
    material,
    points_for,
    press_on,
    score_sheet,
    staff_inbox,
    station,
)
from tests.conftest import SHANGHAI, STAFF

ROWS = [(item.id, float(item.max_points or 0)) for item in manual_items(load_profile("wuhan-qis"))]
TOTALS = {1: 93, 2: 90, 3: 84, 4: 84, 5: 71, 6: 99, 7: 38}  # 6 is new (founded in 2026)


def annex_points(total: float) -> dict[str, float]:
    """Every annex row at its maximum, then points taken off row by row until the total is reached."""
    points = dict(ROWS)
    short = sum(points.values()) - total
    for row_id, maximum in ROWS:
        cut = min(short, maximum)
        points[row_id] = maximum - cut
        short -= cut
    return points


GRADES = {1: "合格", 2: "合格", 3: "合格", 4: "合格", 5: "合格", 6: "合格", 7: "不合格"}


async def test_seed002_art15_art19_whole_round_publicity_objection_tiers_and_delisting(
        sandbox: Sandbox, clock: FixedClock) -> None:
    clock.set(dt.datetime(2027, 1, 10, 10, 0, tzinfo=SHANGHAI))
    stations = {n: await station(sandbox, n, f"武汉质量服务站{n}", "wuhan-qis",
                                 founded=dt.date(2026, 4, 1) if n == 6 else dt.date(2023, 5, 1)) for n in TOTALS}
    for n in TOTALS:
        await material(sandbox, stations[n], 2026, "efficiency_report", "plan", "summary")
    await sandbox.send(STAFF, "/start")
    opened = joined(await sandbox.send(STAFF, "/assess wuhan-qis 2026 2027-01-31"))
    assert sum(max_points for _, max_points in ROWS) == 100, "seed 002 annex: 100 points"
    assert "已冻结 7 个服务站的数据" in opened and f"人工评分项：已评 0/{7 * len(ROWS)}" in opened, opened

    blank, rows = await score_sheet(sandbox, 2026)
    assert [row[2] for row in rows if row[0] == stations[1].id] == [row_id for row_id, _ in ROWS]
    wanted = {stations[n].id: annex_points(TOTALS[n]) for n in TOTALS}
    edits = points_for(rows, wanted)
    line = next(n for n, row in enumerate(rows, start=2) if row[0] == stations[3].id and row[2] == "online_service")
    refused = joined(await sandbox.send_document(STAFF, "sheet.xlsx", data=fill(
        blank, {**edits, (line, "E"): 20, (line + 1, "A"): 424242})))
    assert f"第 {line} 行，第 E 列：满分 20 与考核表的 15 不符" in refused, refused
    assert f"第 {line + 1} 行，第 A 列：没有编号为 424242" in refused
    assert f"已导入 7 个服务站的 {7 * len(ROWS)} 项得分" in joined(await sandbox.send_document(STAFF, "s.xlsx", data=fill(blank, edits)))

    # The seed gives no pass mark: staff choose pass or fail with the points beside them.
    card = joined(await press_on(sandbox, STAFF, "考核 #", "评定等次"))
    assert "请评定 武汉质量服务站1 的等次" in card and "得分：93" in card, card
    shown = card
    for n in TOTALS:
        assert f"请评定 武汉质量服务站{n} 的等次" in shown, shown
        shown = joined(await sandbox.press(STAFF, GRADES[n]))
    assert "所有服务站都已评定等次" in shown
    await sandbox.send(STAFF, "/assess #1")
    ranking = joined(await press_on(sandbox, STAFF, "考核 #1", "排名与结论"))
    assert "武汉质量服务站3、武汉质量服务站4" not in ranking
    assert re.search(r"武汉质量服务站3, 武汉质量服务站4 同为 84 分，争 1 个一等次名额", ranking), ranking
    assert "2. 武汉质量服务站1 93 分 · 合格 · 一等次" in ranking, "the new station ranks 1st but takes no tier"
    assert "1. 武汉质量服务站6 99 分 · 合格\n" in ranking + "\n"
    blocked = joined(await press_on(sandbox, STAFF, "排名与结论", "返回考核"))
    assert "考核 #1" in blocked
    refused_publish = joined(await press_on(sandbox, STAFF, "考核 #1", "发布"))
    assert "尚不能发布" in refused_publish, "a tie at a boundary is never broken silently"
    decided = joined(await press_on(sandbox, STAFF, "同为 84 分", "排前: 武汉质量服务站4"))
    assert "武汉质量服务站4 84 分 · 合格 · 一等次" in decided and "武汉质量服务站3 84 分 · 合格 · 二等次" in decided
    await sandbox.press(STAFF, "返回考核")
    published = joined(await press_on(sandbox, STAFF, "考核 #1", "发布"))
    assert "已公示至" in published, published

    notice = await inbox(sandbox, stations[3])
    assert "Public notice" in notice and "Second tier (30000 yuan)" in notice, notice
    number = re.search(r"/object (\d+)", notice)
    assert number is not None
    objected = joined(await sandbox.send(stations[3].user, f"/object {number.group(1)} Our effect was underrated"))
    assert "recorded" in objected, objected
    card_text = await staff_inbox(sandbox)
    assert "Our effect was underrated" in card_text
    early = joined(await press_on(sandbox, STAFF, "考核 #1", "正式发布"))
    assert "公示期至" in early, "no final publication during the 5 days (第十五条（四）)"
    clock.advance(days=6)
    unanswered = joined(await press_on(sandbox, STAFF, "考核 #1", "正式发布"))
    assert "尚有 1 条异议待答复" in unanswered, unanswered
    await press_on(sandbox, STAFF, "Our effect was underrated", "异议不成立")
    await sandbox.send(STAFF, "专家复核：服务成效分数有据")
    assert "not upheld" in await inbox(sandbox, stations[3])
    final = joined(await press_on(sandbox, STAFF, "考核 #1", "正式发布"))
    assert "已发布" in final, final

    first = await inbox(sandbox, stations[1])
    assert "Final result" in first and "First tier (50000 yuan)" in first and "Total: 93 points" in first, first
    assert "Organisational structure: 0 of 3" in first and "Social benefit: 5 of 5" in first
    new = await inbox(sandbox, stations[6])
    assert "Total: 99 points" in new and "tier" not in new, "第十九条: 新建质量服务站不参与排名"
    failed = await inbox(sandbox, stations[7])
    assert "Fail" in failed and "revocation of the title (seed 002 第十九条)" in failed, failed
    async with sandbox.services.db.session() as session:
        entries = {e.station_id: e for e in (await session.exec(select(AssessmentEntry))).all()}
    tiers = {n: entries[stations[n].id].result["tier"] for n in TOTALS}
    assert tiers == {1: "first", 2: "first", 3: "second", 4: "first", 5: "second", 6: None, 7: None}
    assert entries[stations[4].id].result["amount_yuan"] == 50000

    proposals = await staff_inbox(sandbox)
    assert "建议对 武汉质量服务站7：撤销称号（摘牌）（seed 002 第十九条）" in proposals, proposals
    assert "武汉质量服务站5" not in proposals.split("建议对")[-1]
    await press_on(sandbox, STAFF, "建议对 武汉质量服务站7", "确认")
    assert "has been revoked (seed 002 第十九条)" in await inbox(sandbox, stations[7])
    async with sandbox.services.db.session() as session:
        row = await session.get(StationRow, stations[7].id)
    assert row is not None and row.status == "revoked"
