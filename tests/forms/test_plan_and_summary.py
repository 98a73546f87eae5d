"""Annual plan and summary end to end: repeat groups, budget in capitals, files, one per year, ledger facts."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from storage.models import Activity, Submission, SubmissionVersion
from testing.client import Sandbox, User, joined
from tests.forms.conftest import Seat, seat


async def test_guiyang_plan_in_chinese_with_phases_budget_and_signed_file(sandbox: Sandbox) -> None:
    who = await seat(sandbox.services.db, User(4101, "贵阳站长", "zh-CN"), "贵阳某学会工作站", "guiyang-kczg")
    await sandbox.send(who.user, "/plan")
    await sandbox.press(who.user, "2027")  # this year's plan is not filed yet: the form offers this year
    await sandbox.send(who.user, "服务 5 家铝加工企业")
    await sandbox.press(who.user, "技术攻关")
    await sandbox.send(who.user, "5")
    await sandbox.press(who.user, "完成")
    await sandbox.press(who.user, "筹备")
    await sandbox.send(who.user, "2027-03-05")
    await sandbox.send(who.user, "2027年4月1日")
    await sandbox.press(who.user, "完成")
    await sandbox.press(who.user, "专家差旅费")
    await sandbox.send(who.user, "3 位省外专家差旅")
    await sandbox.send(who.user, "1.5万元")
    await sandbox.send(who.user, "3 人次 × 5,000 元")
    await sandbox.press(who.user, "再加一项")
    await sandbox.press(who.user, "会议费")
    await sandbox.send(who.user, "成果交流会")
    await sandbox.send(who.user, "¥2,000.50")
    budget = joined(await sandbox.press(who.user, "跳过"))
    assert "壹万柒仟元伍角" in budget, "the budget total is also given in Chinese capital numerals"
    await sandbox.press(who.user, "完成")
    await sandbox.send_document(who.user, "2027年度工作计划（盖章）.pdf")
    summary = joined(await sandbox.press(who.user, "完成"))
    assert "请核对" in summary and "2027年度工作计划（盖章）.pdf" in summary
    done = joined(await sandbox.press(who.user, "提交"))
    assert "已提交" in done
    async with sandbox.services.db.session() as session:
        submission = (await session.exec(select(Submission))).one()
        version = (await session.exec(select(SubmissionVersion))).one()
    # Seed 003 asks for no plan and sets no date: a plan filed anyway has no due date.
    assert (submission.kind, submission.year, submission.due_on) == ("plan", 2027, None)
    assert [row["amount"] for row in version.answers["budget"]] == ["15000.00", "2000.50"]
    assert "preparation" in version.answers["phases"][0].values()
    assert version.answers["attachments"][0]["name"] == "2027年度工作计划（盖章）.pdf"


async def plan_for(box: Sandbox, who: Seat, year: str) -> str:
    await box.send(who.user, "/plan")
    await box.send(who.user, year)
    await box.send(who.user, "Goals")
    await box.press(who.user, "Quality training and consulting")
    await box.send(who.user, "2")
    await box.press(who.user, "Done")
    await box.press(who.user, "Skip")
    await box.send_document(who.user, "plan.pdf")
    await box.press(who.user, "Done")
    return joined(await box.press(who.user, "Submit"))


async def test_second_plan_for_the_same_year_is_refused_and_the_draft_kept(sandbox: Sandbox, alice: Seat) -> None:
    assert "Submitted" in await plan_for(sandbox, alice, "2027")
    again = await plan_for(sandbox, alice, "2027")
    assert "already been submitted" in again
    async with sandbox.services.db.session() as session:
        assert len((await session.exec(select(Submission))).all()) == 1


async def test_summary_shows_the_ledger_counts_for_the_year(sandbox: Sandbox, alice: Seat) -> None:
    async with sandbox.services.db.session() as session:
        for day in (dt.date(2026, 3, 1), dt.date(2026, 5, 1), dt.date(2027, 1, 5)):
            session.add(Activity(station_id=alice.station.id or 0, activity_type="training", title="t",
                                 started_on=day, logged_by_person_id=alice.person.id or 0))
        await session.commit()
    await sandbox.send(alice.user, "/summary")
    await sandbox.press(alice.user, "2026")
    await sandbox.send(alice.user, "Trained 120 people in quality management.")
    await sandbox.press(alice.user, "Skip")
    await sandbox.press(alice.user, "Skip")
    await sandbox.send_document(alice.user, "2026年度工作总结（盖章）.pdf")  # the signed summary is required
    summary = joined(await sandbox.press(alice.user, "Done"))
    assert "Activities recorded in the ledger" in summary
    assert "Quality training and consulting: 2" in summary, "only 2026's two activities count"
