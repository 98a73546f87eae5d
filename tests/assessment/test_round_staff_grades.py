"""Rounds where the seed gives grades without point boundaries: staff choose, with the figures beside them.

gd-quality (seed 000): 第十四条 three-year period, 优秀/良好/合格/不合格; 第十六条 不合格 → 整改; 第十七条
certificate re-examination. guiyang-kczg (seed 003): 四（三）4 无正当理由不参加考核 → 撤销.
gd-scst (seed 001): 五（三） 屡教不改的要摘牌 (two failing rounds in a row).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from bot.services import FixedClock
from storage.models import DemandUnit, Rating, RatingRequest
from storage.models import Station as StationRow
from testing.client import Sandbox, joined
from tests.assessment.support import inbox, ledger, material, press_on, staff_inbox, station
from tests.conftest import SHANGHAI, STAFF


async def grade_all(box: Sandbox, round_number: int, grades: list[str]) -> str:
    """Press "评定等次" on the round's card, then each grade in turn; returns the last card's text."""
    shown = joined(await press_on(box, STAFF, f"考核 #{round_number}", "评定等次"))
    for grade in grades:
        shown = joined(await box.press(STAFF, grade))
    return shown


async def status_of(box: Sandbox, station_id: int) -> str:
    async with box.services.db.session() as session:
        row = await session.get(StationRow, station_id)
        assert row is not None
        return row.status


async def test_seed000_art14_to_17_three_year_round_staff_grades_rectify_reexamine_revoke(
        sandbox: Sandbox, clock: FixedClock) -> None:
    clock.set(dt.datetime(2027, 3, 10, 10, 0, tzinfo=SHANGHAI))
    g1 = await station(sandbox, 1, "佛山科技服务站", "gd-quality", founded=dt.date(2022, 1, 1))
    g2 = await station(sandbox, 2, "韶关科技服务站", "gd-quality", founded=dt.date(2022, 1, 1))
    g3 = await station(sandbox, 3, "江门科技服务站", "gd-quality", founded=dt.date(2022, 1, 1))
    async with sandbox.services.db.session() as session:
        row = await session.get(StationRow, g3.id)
        assert row is not None
        row.manager_certificate_expiry = dt.date(2027, 5, 1)
        session.add(row)
        await session.commit()
    for year in (2024, 2025, 2026):
        await ledger(sandbox, g1, year, "quality_training")
        for st in (g1, g2, g3):
            await material(sandbox, st, year, "plan", "summary")
    await sandbox.send(STAFF, "/start")
    opened = joined(await sandbox.send(STAFF, "/assess gd-quality 2026 2027-03-31"))
    assert "2024–2026" in opened, "第十四条: 三年为一个评估周期"
    assert "The 2024–2026 assessment of your station has opened" in await inbox(sandbox, g1)

    card = joined(await press_on(sandbox, STAFF, "考核 #1", "评定等次"))
    assert "请评定 佛山科技服务站 的等次" in card
    assert all(f"{y} 年：台帐活动 1 项" in card for y in (2024, 2025, 2026)), card
    keyboard = (sandbox.api.last_message(STAFF.id) or {})["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == ["优秀", "良好", "合格", "不合格"], "第十四条: four grades"
    await sandbox.press(STAFF, "优秀")
    await sandbox.press(STAFF, "不合格")
    done = joined(await sandbox.press(STAFF, "良好"))
    assert "所有服务站都已评定等次" in done, done
    assert "已发布" in joined(await press_on(sandbox, STAFF, "考核 #1", "发布"))

    first = await inbox(sandbox, g1)
    assert "佛山科技服务站: Excellent" in first and "points" not in first and "Rank" not in first, first
    second = await inbox(sandbox, g2)
    assert "Fail" in second and "rectification within a time limit (seed 000 第十六条)" in second
    third = await inbox(sandbox, g3)
    assert "Good" in third and "re-examination of the manager certificate (seed 000 第十七条)" in third, third

    proposals = await staff_inbox(sandbox)
    assert "建议对 江门科技服务站：站长证书重新考核（seed 000 第十七条）" in proposals, proposals
    assert "佛山科技服务站" not in proposals
    await press_on(sandbox, STAFF, "建议对 江门科技服务站", "确认")
    assert "must be re-examined (seed 000 第十七条)" in await inbox(sandbox, g3)
    assert "Re-examination of the manager certificate (seed 000 第十七条)" in joined(await sandbox.send(g3.user, "/status"))
    await press_on(sandbox, STAFF, "建议对 韶关科技服务站", "确认")
    assert await status_of(sandbox, g2.id) == "rectifying"
    await sandbox.send(g2.user, "/rectify")
    for answer in ("Few services", "Monthly services now", "Six services since"):
        await sandbox.send(g2.user, answer)
    await sandbox.press(g2.user, "Skip")
    await sandbox.press(g2.user, "Submit")
    assert "#" in joined(await sandbox.send(STAFF, "/pending"))
    review_card = joined(await sandbox.press(STAFF, "#"))
    assert "Six services since" in review_card, "the report is also in the review queue, with its answers"
    await staff_inbox(sandbox)
    escalated = joined(await press_on(sandbox, STAFF, "韶关科技服务站 的整改报告", "升级处理"))
    assert "seed 000 第二十一条（四）" in escalated, escalated
    assert await status_of(sandbox, g2.id) == "rectifying", "escalating proposes; it does not revoke"
    await press_on(sandbox, STAFF, "建议对 韶关科技服务站：撤销", "确认")
    assert await status_of(sandbox, g2.id) == "revoked"
    assert await status_of(sandbox, g1.id) == "active"


async def test_seed003_4_3_4_absent_without_reason_is_revoked_with_a_reason_is_not(
        sandbox: Sandbox, clock: FixedClock) -> None:
    clock.set(dt.datetime(2027, 1, 10, 10, 0, tzinfo=SHANGHAI))
    y1 = await station(sandbox, 1, "贵阳铝业工作站", "guiyang-kczg")
    y2 = await station(sandbox, 2, "贵阳种业工作站", "guiyang-kczg")
    y3 = await station(sandbox, 3, "贵阳医药工作站", "guiyang-kczg")
    await material(sandbox, y1, 2026, "plan", "self_check")
    async with sandbox.services.db.session() as session:  # the demand side's yearly evaluation (四（三）3)
        unit = DemandUnit(name="贵阳某铝业公司")
        session.add(unit)
        await session.flush()
        for score in (80.0, 90.0):
            request = RatingRequest(kind="yearly", station_id=y1.id, demand_unit_id=unit.id or 0, year=2026,
                                    status="answered", expires_at=clock())
            session.add(request)
            await session.flush()
            session.add(Rating(request_id=request.id or 0, station_id=y1.id, person_id=y1.seat.person.id or 0,
                               score=score, created_at=clock()))
        await session.commit()
    await sandbox.send(STAFF, "/start")
    opened = joined(await sandbox.send(STAFF, "/assess guiyang-kczg 2026 2027-01-31"))
    assert "材料不全：2 个" in opened, opened
    assert "Still missing" in await inbox(sandbox, y2)
    ranking = joined(await press_on(sandbox, STAFF, "考核 #1", "排名与结论"))
    assert "贵阳种业工作站 · 尚未确定（未参加考核）" in ranking, ranking
    excused = joined(await sandbox.press(STAFF, "有正当理由未参加: 贵阳医药工作站"))
    assert "贵阳医药工作站 · 尚未确定（未参加考核；理由已接受）" in excused, excused
    await sandbox.press(STAFF, "返回考核")
    card = joined(await press_on(sandbox, STAFF, "考核 #1", "评定等次"))
    assert "请评定 贵阳铝业工作站 的等次" in card and "2026 年：需求方评价 85（2 家单位）" in card, card
    for grade in ("合格", "不合格", "不合格"):
        await sandbox.press(STAFF, grade)
    assert "已发布" in joined(await press_on(sandbox, STAFF, "考核 #1", "发布"))
    proposals = await staff_inbox(sandbox)
    assert "建议对 贵阳种业工作站：撤销称号（摘牌）（seed 003 四（三）4）" in proposals, proposals
    assert "建议对 贵阳医药工作站：限期整改（society rule）" in proposals
    assert "贵阳铝业工作站" not in proposals
    assert "revocation of the title (seed 003 四（三）4)" in await inbox(sandbox, y2)
    await press_on(sandbox, STAFF, "建议对 贵阳种业工作站", "确认")
    assert await status_of(sandbox, y2.id) == "revoked" and await status_of(sandbox, y3.id) == "active"


async def test_seed001_5_3_failing_two_rounds_in_a_row_proposes_delisting(sandbox: Sandbox, clock: FixedClock) -> None:
    clock.set(dt.datetime(2026, 2, 10, 10, 0, tzinfo=SHANGHAI))
    s1 = await station(sandbox, 1, "学会服务站甲", "gd-scst", founded=dt.date(2020, 1, 1))
    s2 = await station(sandbox, 2, "学会服务站乙", "gd-scst", founded=dt.date(2020, 1, 1))
    for year in (2025, 2026):
        for st in (s1, s2):
            await material(sandbox, st, year, "plan", "summary")
    await sandbox.send(STAFF, "/start")
    await sandbox.send(STAFF, "/assess gd-scst 2025 2026-02-28")
    await grade_all(sandbox, 1, ["不合格", "合格"])
    await press_on(sandbox, STAFF, "考核 #1", "发布")
    first_year = await staff_inbox(sandbox)
    assert "建议对 学会服务站甲：限期整改（seed 001 五（三））" in first_year, "one failing round: criticism and rectification"
    await press_on(sandbox, STAFF, "建议对 学会服务站甲", "驳回")

    clock.set(dt.datetime(2027, 2, 10, 10, 0, tzinfo=SHANGHAI))
    await sandbox.send(STAFF, "/assess gd-scst 2026 2027-02-28")
    await grade_all(sandbox, 2, ["不合格", "不合格"])
    await press_on(sandbox, STAFF, "考核 #2", "发布")
    second_year = await staff_inbox(sandbox)
    assert "建议对 学会服务站甲：撤销称号（摘牌）（seed 001 五（三））" in second_year, second_year
    assert "建议对 学会服务站乙：限期整改（seed 001 五（三））" in second_year
    await press_on(sandbox, STAFF, "建议对 学会服务站甲", "确认")
    assert await status_of(sandbox, s1.id) == "revoked"
    async with sandbox.services.db.session() as session:
        live = (await session.exec(select(StationRow).where(StationRow.status == "active"))).all()
    assert [s.name for s in live] == ["学会服务站乙"]


async def test_seed001_round_owes_no_plan_or_summary_the_seed_does_not_ask_for(sandbox: Sandbox,
                                                                               clock: FixedClock) -> None:
    """gd-scst (seed 001) imposes no yearly plan or summary: its round finds nothing missing and counts everyone in.

    The duties are switched off in the profile; a round that still counted them marked every station as
    missing material and as not taking part.
    """
    clock.set(dt.datetime(2026, 2, 10, 10, 0, tzinfo=SHANGHAI))
    s1 = await station(sandbox, 1, "学会服务站甲", "gd-scst", founded=dt.date(2020, 1, 1))
    await station(sandbox, 2, "学会服务站乙", "gd-scst", founded=dt.date(2020, 1, 1))
    await sandbox.send(STAFF, "/start")
    opened = joined(await sandbox.send(STAFF, "/assess gd-scst 2025 2026-02-28"))
    assert "材料不全：0 个" in opened, opened
    assert "Nothing is missing" in await inbox(sandbox, s1)
    ranking = joined(await press_on(sandbox, STAFF, "考核 #1", "排名与结论"))
    assert "未参加考核" not in ranking, ranking
    await sandbox.press(STAFF, "返回考核")
    done = await grade_all(sandbox, 1, ["合格", "合格"])
    assert "所有服务站都已评定等次" in done, done
