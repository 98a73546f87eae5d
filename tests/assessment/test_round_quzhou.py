"""quzhou (seed 004): a whole yearly round through the real Application.

第十三条 absence counts as 不合格; 第十七条 below 60 fails, 优秀 ≤ 20 % of those taking part, 不合格 →
限期整改; 第十八条（五） two failing years in a row → revocation and the subsidy reclaimed.
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook
from sqlmodel import select

from bot.handlers.consequences import enqueue_rectification_reminders
from bot.services import FixedClock
from storage.models import AssessmentEntry, AuditLog, Consequence
from storage.models import Station as StationRow
from testing.client import Sandbox, joined
from tests.assessment.support import (
    fill,
    inbox,
    ledger,
    material,
    points_for,
    press_on,
    score_sheet,
    staff_inbox,
    station,
)
from tests.conftest import SHANGHAI, STAFF

AUTO = {  # outcomes of 2026 → automatic points of the seed 004 annex (reports 5, meetings 10, trainings 5 ...)
    1: dict(reports_written=2, big_meetings=1, big_trainings=2, enterprises_attracted=1, problems_solved=2),  # 50
    2: dict(reports_written=2, big_meetings=1, big_trainings=2, enterprises_attracted=1),  # 40
    3: dict(reports_written=2, big_meetings=1, big_trainings=2, problems_solved=1),  # 35
    4: dict(reports_written=2, big_meetings=1, big_trainings=2),  # 30
    5: dict(reports_written=2, big_meetings=1, problems_solved=1),  # 25
    6: dict(reports_written=2, big_meetings=1),  # 20
}
ROWS = ("facilities", "funding_systems", "project_planning", "coordination", "radiation")
MANUAL = {1: (10, 10, 5, 4, 6), 2: (9, 8, 4, 3, 6), 3: (9, 8, 4, 3, 6), 4: (9, 8, 4, 3, 6), 5: (10, 10, 5, 4, 5.5),
          6: (5, 5, 4, 2, 4)}


async def test_seed004_art13_art17_whole_round_open_score_rank_publish_rectify_revoke(
        sandbox: Sandbox, clock: FixedClock) -> None:
    clock.set(dt.datetime(2027, 3, 5, 10, 0, tzinfo=SHANGHAI))
    stations = {n: await station(sandbox, n, f"衢州学会服务站{n}", "quzhou") for n in range(1, 8)}
    for n, outcomes in AUTO.items():
        await ledger(sandbox, stations[n], 2026, "strategy_consulting", **outcomes)
        await material(sandbox, stations[n], 2026, "plan", "summary")
    await sandbox.send(STAFF, "/start")

    opened = joined(await sandbox.send(STAFF, "/assess quzhou 2026 2027-03-20"))
    assert "已冻结 7 个服务站的数据；已通知 7 位站长" in opened, opened
    assert "材料不全：1 个" in opened
    told = await inbox(sandbox, stations[7])
    assert "The 2026 assessment of your station has opened" in told and "Still missing" in told, told
    assert "Nothing is missing" in await inbox(sandbox, stations[1])
    again = joined(await sandbox.send(STAFF, "/assess quzhou 2026"))
    assert "已经开启" in again, "a second round of the same period is refused"

    # The snapshot: a ledger edit after opening changes nothing published.
    await ledger(sandbox, stations[4], 2026, "strategy_consulting", enterprises_attracted=1)

    # Manual rows: one in chat, the rest by score sheet (a rejected import first).
    await sandbox.send(STAFF, "/scoring 2026 " + str(stations[1].id))
    await sandbox.press(STAFF, "≤10")
    assert "已保存" in joined(await sandbox.send(STAFF, "10"))
    not_ready = joined(await press_on(sandbox, STAFF, "考核 #", "排名与结论"))
    assert "仍有人工评分项未评" in not_ready and "衢州学会服务站2" in not_ready
    await sandbox.press(STAFF, "返回考核")
    blank, rows = await score_sheet(sandbox, 2026)
    wanted = {stations[n].id: dict(zip(ROWS, MANUAL[n], strict=True)) for n in MANUAL}
    edits = points_for(rows, wanted)
    line_of_2 = next(line for line, row in enumerate(rows, start=2) if row[0] == stations[2].id)
    refused = joined(await sandbox.send_document(STAFF, "sheet.xlsx", data=fill(
        blank, {**edits, (line_of_2, "E"): 12, (line_of_2 + 1, "A"): None})))
    assert f"第 {line_of_2} 行，第 E 列：满分 12 与考核表的 10 不符" in refused, refused
    assert f"第 {line_of_2 + 1} 行，第 A 列：缺少站点编号" in refused
    done = joined(await sandbox.send_document(STAFF, "sheet.xlsx", data=fill(blank, edits)))
    assert "已导入 6 个服务站的 30 项得分" in done, done

    ranking = joined(await press_on(sandbox, STAFF, "考核 #", "排名与结论"))
    assert "1. 衢州学会服务站1 85 分 · 优秀" in ranking, ranking
    assert "4. 衢州学会服务站4 60 分 · 合格" in ranking, "exactly 60 is not below 60 (第十七条)"
    assert "5. 衢州学会服务站5 59.5 分 · 不合格" in ranking
    assert "— 衢州学会服务站7 · 不合格（未参加考核）" in ranking, "第十三条: not taking part counts as 不合格"

    await sandbox.press(STAFF, "返回考核")
    published = joined(await press_on(sandbox, STAFF, "考核 #", "发布"))
    assert "已发布" in published, published
    table_call = next(c for c in await press_on(sandbox, STAFF, "考核 #", "考核汇总表（xlsx）")
                      if c.method == "sendDocument")
    sheet = load_workbook(io.BytesIO(next(iter(table_call.files.values())))).worksheets[0]
    table = [row for row in sheet.iter_rows(values_only=True)]
    assert table[2][:3] == ("站点编号", "服务站", "场地设施 (10)"), table[2]
    assert table[3][1] == "衢州学会服务站1" and table[3][-4:] == (85, "优秀", 1, None), table[3]
    chart = await press_on(sandbox, STAFF, "考核 #", "排名图")
    assert any(c.method == "sendPhoto" for c in chart)
    first = await inbox(sandbox, stations[1])
    assert "Excellent" in first and "Total: 85 points" in first and "Rank: 1 of 6" in first, first
    assert "Facilities: 10 of 10" in first
    fourth = await inbox(sandbox, stations[4])
    assert "Pass" in fourth and "Total: 60 points" in fourth, "the ledger edit after opening moved nothing"
    fifth = await inbox(sandbox, stations[5])
    assert "Fail" in fifth and "rectification within a time limit (seed 004 第十七条)" in fifth, fifth
    async with sandbox.services.db.session() as session:
        entries = {e.station_id: e for e in (await session.exec(select(AssessmentEntry))).all()}
    grades = {n: entries[stations[n].id].result["grade"] for n in stations}
    assert grades == {1: "excellent", 2: "pass", 3: "pass", 4: "pass", 5: "fail", 6: "fail", 7: "fail"}
    assert entries[stations[4].id].result["total"] == 60

    proposals = await staff_inbox(sandbox)
    assert proposals.count("限期整改（seed 004 第十七条）") == 3, proposals
    # Nothing is applied until staff confirm.
    async with sandbox.services.db.session() as session:
        assert {s.status for s in (await session.exec(select(StationRow))).all()} == {"active"}
    await press_on(sandbox, STAFF, "建议对 衢州学会服务站7", "驳回")
    confirmed = joined(await press_on(sandbox, STAFF, "建议对 衢州学会服务站5", "确认"))
    assert "整改至 2027-06-03" in confirmed or "整改至 2027年6月3日" in confirmed, confirmed
    await press_on(sandbox, STAFF, "建议对 衢州学会服务站6", "确认")
    assert "must rectify by" in await inbox(sandbox, stations[5])

    status = joined(await sandbox.send(stations[5].user, "/status"))
    assert "Rectification (seed 004 第十七条) due" in status and "90 days left" in status, status
    clock.set(dt.datetime(2027, 5, 4, 9, 0, tzinfo=SHANGHAI))
    assert await enqueue_rectification_reminders(sandbox.services.db, clock()) == 2  # 30 days before, S5 and S6
    assert await enqueue_rectification_reminders(sandbox.services.db, clock()) == 0  # idempotent
    assert "Reminder: your rectification" in await inbox(sandbox, stations[5])

    # The managers file their reports (a TOML form); staff close one and escalate the other.
    for n in (5, 6):
        user = stations[n].user
        await sandbox.send(user, "/rectify")
        await sandbox.send(user, "Too few experts on site")
        await sandbox.send(user, "Two more experts; monthly visits")
        await sandbox.send(user, "Visits now monthly")
        await sandbox.press(user, "Skip")
        filed = joined(await sandbox.press(user, "Submit"))
        assert "Rectification report filed" in filed, filed
    reports = await staff_inbox(sandbox)
    assert "衢州学会服务站6 的整改报告" in reports
    closed = joined(await press_on(sandbox, STAFF, "衢州学会服务站6 的整改报告", "整改通过并关闭"))
    assert "恢复正常运行" in closed
    escalated = joined(await press_on(sandbox, STAFF, "衢州学会服务站5 的整改报告", "升级处理"))
    assert "撤销称号（摘牌）（seed 004 第十八条）" in escalated and "须追缴" in escalated, escalated
    revoked = joined(await press_on(sandbox, STAFF, "建议对 衢州学会服务站5：撤销", "确认"))
    assert "已撤销" in revoked
    assert "has been revoked (seed 004 第十八条)" in await inbox(sandbox, stations[5])
    async with sandbox.services.db.session() as session:
        status_of = {s.id: s.status for s in (await session.exec(select(StationRow))).all()}
        audit = [a.detail for a in (await session.exec(select(AuditLog).where(AuditLog.action == "station_status")))]
        items = (await session.exec(select(Consequence))).all()
    assert status_of[stations[5].id] == "revoked" and status_of[stations[6].id] == "active"
    assert {"from": "rectifying", "to": "revoked", "reason": "revocation confirmed",
            "article": "seed 004 第十八条"} in audit
    assert sorted(c.status for c in items) == ["closed", "confirmed", "dismissed", "escalated"]
    # A revoked station keeps its history but is out of the next round.
    opened_2027 = joined(await sandbox.send(STAFF, "/assess quzhou 2027 2028-03-20"))
    assert "已冻结 6 个服务站的数据" in opened_2027, opened_2027
