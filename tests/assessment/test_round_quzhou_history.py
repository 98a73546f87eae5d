"""quzhou seed 004 第十八条（五）: 连续两年绩效考核不合格 → revocation and the subsidy reclaimed (two rounds)."""

from __future__ import annotations

import datetime as dt

from bot.services import FixedClock
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

ROWS = ("facilities", "funding_systems", "project_planning", "coordination", "radiation")


async def run_round(box: Sandbox, year: int, number: int, manual: dict[int, tuple[float, ...]]) -> None:
    await box.send(STAFF, f"/assess quzhou {year} {year + 1}-03-31")
    blank, rows = await score_sheet(box, year)
    done = joined(await box.send_document(STAFF, "s.xlsx", data=fill(blank, points_for(
        rows, {sid: dict(zip(ROWS, pts, strict=True)) for sid, pts in manual.items()}))))
    assert "已导入" in done, done
    assert "已发布" in joined(await press_on(box, STAFF, f"考核 #{number}", "发布"))


async def test_seed004_art18_5_two_failing_years_in_a_row_propose_revocation_and_clawback(
        sandbox: Sandbox, clock: FixedClock) -> None:
    clock.set(dt.datetime(2026, 3, 5, 10, 0, tzinfo=SHANGHAI))
    q1 = await station(sandbox, 1, "衢州甲服务站", "quzhou", founded=dt.date(2024, 6, 1))
    q2 = await station(sandbox, 2, "衢州乙服务站", "quzhou", founded=dt.date(2024, 6, 1))
    for year in (2025, 2026):
        await ledger(sandbox, q2, year, "strategy_consulting", reports_written=2, big_meetings=1, big_trainings=2)
        for st in (q1, q2):
            await material(sandbox, st, year, "plan", "summary")
    await sandbox.send(STAFF, "/start")
    await run_round(sandbox, 2025, 1, {q1.id: (5, 5, 2, 2, 2), q2.id: (10, 10, 5, 4, 6)})  # 16 and 65
    first = await staff_inbox(sandbox)
    assert "建议对 衢州甲服务站：限期整改（seed 004 第十七条）" in first and "衢州乙服务站" not in first, first
    await press_on(sandbox, STAFF, "建议对 衢州甲服务站", "驳回")

    clock.set(dt.datetime(2027, 3, 5, 10, 0, tzinfo=SHANGHAI))
    await run_round(sandbox, 2026, 2, {q1.id: (5, 5, 2, 2, 2), q2.id: (5, 5, 5, 4, 6)})  # 16 and 55
    second = await staff_inbox(sandbox)
    assert "建议对 衢州甲服务站：撤销称号（摘牌）（seed 004 第十八条（五））" in second, second
    assert "须追缴已拨付的资助款项" in second
    assert "建议对 衢州乙服务站：限期整改（seed 004 第十七条）" in second, "one failing year: rectification only"
    told = await inbox(sandbox, q1)
    assert "Total: 16 points" in told and "revocation of the title (seed 004 第十八条（五）)" in told
    assert "may be reclaimed" in told, told
