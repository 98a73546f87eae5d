"""The plan's budget: each profile's own categories, and amounts the 人民币大写 total can be written for."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from storage.models import Draft
from testing.client import Sandbox, User, joined
from tests.forms.conftest import Seat, seat


def button_labels(box: Sandbox, who: Seat) -> list[str]:
    message: dict[str, Any] | None = box.api.last_message(who.user.id)
    assert message is not None
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def to_budget(box: Sandbox, who: Seat, kind: str) -> None:
    await box.send(who.user, "/plan")
    await box.send(who.user, "2028")
    await box.send(who.user, "Goals for 2028")
    await box.press(who.user, kind)
    await box.send(who.user, "2")
    await box.press(who.user, "Done")


async def test_quzhou_budget_categories_are_quzhou_own_seed004_9(sandbox: Sandbox) -> None:
    """Seed 004 第九条: 项目合作 (实验材料费, 测试化验加工费, 科研业务费, 劳务费, 专家咨询费), 学术交流, 人才服务, 其他."""
    who = await seat(sandbox.services.db, User(5301, "Quzhou", "en"), "Quzhou Budget Station", "quzhou")
    await to_budget(sandbox, who, "Strategy consulting")
    labels = button_labels(sandbox, who)
    assert labels[:8] == [
        "Project cooperation: experimental materials", "Project cooperation: testing, assay and processing",
        "Project cooperation: research operations", "Project cooperation: labour",
        "Project cooperation: expert consultation",
        "Academic exchange (society meetings, forums, training in Quzhou)",
        "Talent services (allowances for academicians and experts working in Quzhou)", "Other necessary expenses",
    ]
    assert "Expert travel" not in labels and "Books and materials" not in labels, "guiyang's list is not quzhou's"


async def test_quzhou_budget_categories_in_chinese_seed004_9(sandbox: Sandbox) -> None:
    """The same list as the seed words it (seed 004 第九条)."""
    who = await seat(sandbox.services.db, User(5302, "衢州站长", "zh-CN"), "衢州预算服务站", "quzhou")
    await sandbox.send(who.user, "/plan")
    await sandbox.send(who.user, "2028")
    await sandbox.send(who.user, "目标")
    await sandbox.press(who.user, "战略咨询")
    await sandbox.send(who.user, "2")
    await sandbox.press(who.user, "完成")
    labels = button_labels(sandbox, who)
    assert "服务站项目合作：测试化验加工费" in labels and "服务站人才服务（院士、专家来衢开展工作补助）" in labels
    assert "专家差旅费" not in labels


async def test_budget_amount_too_large_for_capitals_is_refused(sandbox: Sandbox) -> None:
    """A budget total is written in 人民币大写 (seed 003 申报书 四、经费支出预算 "合计 ￥ (人民币大写)"): an amount
    or a total beyond 千亿 is refused with a clear answer, the draft unchanged, and the form goes on."""
    who = await seat(sandbox.services.db, User(5303, "Guiyang", "en"), "Guiyang Budget Station", "guiyang-kczg")
    await to_budget(sandbox, who, "Tackling technical problems")
    await sandbox.press(who.user, "Preparation")
    await sandbox.send(who.user, "2028-01-05")
    await sandbox.send(who.user, "2028-02-01")
    await sandbox.press(who.user, "Done")
    await sandbox.press(who.user, "Expert travel")
    await sandbox.send(who.user, "Travel")
    async with sandbox.services.db.session() as session:
        before = (await session.exec(select(Draft))).one()
    refused = joined(await sandbox.send(who.user, "1000000000000"))
    assert "too large to write in Chinese capital numerals" in refused, refused
    async with sandbox.services.db.session() as session:
        after = (await session.exec(select(Draft))).one()
    assert (after.rev, after.state) == (before.rev, before.state)
    await sandbox.send(who.user, "999,999,999,999")
    listed = joined(await sandbox.press(who.user, "Skip"))
    assert "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元整" in listed
    await sandbox.press(who.user, "Add another")
    await sandbox.press(who.user, "Other")
    await sandbox.send(who.user, "Anything")
    total = joined(await sandbox.send(who.user, "1"))
    assert "the total would be" in total and "too large to write in Chinese capital numerals" in total, total
    kept = joined(await sandbox.send(who.user, "0.99"))
    assert "Basis of the estimate" in kept, "999,999,999,999.99 is still writable"
    summary = joined(await sandbox.press(who.user, "Skip"))
    assert "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分" in summary


async def test_budget_in_chinese_says_why_an_amount_is_refused(sandbox: Sandbox) -> None:
    who = await seat(sandbox.services.db, User(5304, "贵阳站长", "zh-CN"), "贵阳预算工作站", "guiyang-kczg")
    await sandbox.send(who.user, "/plan")
    await sandbox.send(who.user, "2028")
    await sandbox.send(who.user, "目标")
    await sandbox.press(who.user, "技术攻关")
    await sandbox.send(who.user, "2")
    await sandbox.press(who.user, "完成")
    await sandbox.press(who.user, "筹备")
    await sandbox.send(who.user, "2028-01-05")
    await sandbox.send(who.user, "2028-02-01")
    await sandbox.press(who.user, "完成")
    await sandbox.press(who.user, "专家差旅费")
    await sandbox.send(who.user, "差旅")
    refused = joined(await sandbox.send(who.user, "2000000000000"))
    assert "无法用人民币大写书写" in refused, refused
