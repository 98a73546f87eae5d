"""The service ledger (/log) end to end: happy paths in both languages, back/skip/edit, restarts."""

from __future__ import annotations

from sqlmodel import select

from bot.services import FixedClock
from bot.settings import Settings
from storage.models import Activity, DemandUnit, Draft
from testing.client import Sandbox, joined
from tests.forms.conftest import Seat


async def fill_activity_until_unit(box: Sandbox, who: Seat) -> None:
    await box.send(who.user, "/log")
    await box.press(who.user, "Quality training and consulting" if (who.user.language_code or "").startswith("en") else "质量技术培训与咨询")


async def test_log_activity_in_english_with_a_new_demand_unit(sandbox: Sandbox, alice: Seat) -> None:
    first = joined(await sandbox.send(alice.user, "/log"))
    assert "Step 1 of" in first
    await sandbox.press(alice.user, "Quality training and consulting")
    assert "Step 3 of" in joined(await sandbox.send(alice.user, "Quality management training for ceramics firms"))
    await sandbox.send(alice.user, "2027-01-20")
    await sandbox.press(alice.user, "Skip")  # one-day event: no end date
    await sandbox.press(alice.user, "➕ Add a new one")
    await sandbox.send(alice.user, "Foshan Example Ceramics Co., Ltd.")
    await sandbox.press(alice.user, "Skip")  # credit code is optional
    await sandbox.send(alice.user, "Wang Wu")
    await sandbox.send(alice.user, "13800138000")
    await sandbox.send(alice.user, "Cut the kilns' energy use")
    await sandbox.press(alice.user, "➕ Add experts to the roster")
    await sandbox.press(alice.user, "Confirm")
    await sandbox.send(alice.user, "Chen Yi")
    await sandbox.send(alice.user, "Professor, ceramics")
    await sandbox.press(alice.user, "Yes")
    await sandbox.press(alice.user, "Add another")
    await sandbox.send(alice.user, "Liu Er")
    await sandbox.send(alice.user, "Engineer")
    await sandbox.press(alice.user, "No")
    await sandbox.press(alice.user, "Done")
    await sandbox.send(alice.user, "2")
    await sandbox.send(alice.user, "35")
    await sandbox.press(alice.user, "None of these (all 0)")
    summary = joined(await sandbox.press(alice.user, "Skip"))  # no evidence files
    assert "Please check your answers" in summary
    assert "Foshan Example Ceramics" in summary
    done = joined(await sandbox.press(alice.user, "Submit"))
    assert "Recorded in the station ledger" in done
    async with sandbox.services.db.session() as session:
        activity = (await session.exec(select(Activity))).one()
        unit = (await session.exec(select(DemandUnit))).one()
        drafts = (await session.exec(select(Draft))).all()
    assert activity.station_id == alice.station.id and activity.demand_unit_id == unit.id
    assert (activity.experts_count, activity.expert_days, activity.participants) == (2, 4, 35), "2 experts x 2 days"
    assert activity.experts == "Chen Yi、Liu Er" and activity.experts_outside_province == 1
    assert activity.started_on.isoformat() == "2027-01-20"
    assert unit.contact_phone == "13800138000"
    assert drafts == [], "the draft is gone once submitted"


async def test_log_activity_in_chinese_shows_chinese_steps(sandbox: Sandbox, li: Seat) -> None:
    first = joined(await sandbox.send(li.user, "/log"))
    assert "步骤 1/" in first
    await sandbox.press(li.user, "质量技术培训与咨询")
    await sandbox.send(li.user, "陶瓷企业质量管理培训")
    reply = joined(await sandbox.send(li.user, "昨天"))
    assert "步骤 4/" in reply
    await sandbox.press(li.user, "跳过")
    await sandbox.press(li.user, "➕ 新增单位")
    await sandbox.send(li.user, "佛山某陶瓷有限公司")
    await sandbox.press(li.user, "跳过")
    await sandbox.send(li.user, "王五")
    await sandbox.send(li.user, "0757-83381234")
    await sandbox.send(li.user, "窑炉节能改造")
    await sandbox.press(li.user, "➕ 新增专家到名册")
    await sandbox.press(li.user, "确认")
    await sandbox.send(li.user, "陈一")
    await sandbox.send(li.user, "教授")
    await sandbox.press(li.user, "是")
    await sandbox.press(li.user, "再加一项")
    await sandbox.send(li.user, "刘二")
    await sandbox.send(li.user, "高级工程师")
    await sandbox.press(li.user, "否")
    await sandbox.press(li.user, "完成")
    await sandbox.send(li.user, "３")
    await sandbox.send(li.user, "48")
    await sandbox.send(li.user, "解决技术难题: 2")
    await sandbox.send_photo(li.user)
    summary = joined(await sandbox.press(li.user, "完成"))
    assert "请核对" in summary and "佛山某陶瓷有限公司" in summary
    assert "已记入服务站工作台帐" in joined(await sandbox.press(li.user, "提交"))
    async with sandbox.services.db.session() as session:
        activity = (await session.exec(select(Activity))).one()
    assert activity.started_on.isoformat() == "2027-01-31", "昨天 on 1 Feb 2027"
    assert (activity.experts_count, activity.experts_outside_province, activity.expert_days) == (2, 1, 6)
    assert activity.outcomes.get("problems_solved") == 2
    assert activity.attachments[0]["kind"] == "photo"


async def test_rejected_answer_keeps_the_draft_and_says_what_is_expected(sandbox: Sandbox, alice: Seat) -> None:
    await fill_activity_until_unit(sandbox, alice)
    await sandbox.send(alice.user, "A title")
    async with sandbox.services.db.session() as session:
        before = (await session.exec(select(Draft))).one()
    for bad in ("2027-02-30", "next tuesday 🎉", "2099-01-01", "x" * 10_000):
        reply = joined(await sandbox.send(alice.user, bad))
        assert reply, f"no answer to {bad[:20]!r}"
    async with sandbox.services.db.session() as session:
        after = (await session.exec(select(Draft))).one()
    assert (after.rev, after.state) == (before.rev, before.state)


async def test_back_skip_and_edit_from_summary(sandbox: Sandbox, alice: Seat) -> None:
    await fill_activity_until_unit(sandbox, alice)
    await sandbox.send(alice.user, "Wrong title")
    back = joined(await sandbox.press(alice.user, "Back"))
    assert "Step 2 of" in back
    await sandbox.send(alice.user, "Right title")
    await sandbox.send(alice.user, "2027-01-20")
    await sandbox.press(alice.user, "Skip")
    await sandbox.press(alice.user, "➕ Add a new one")
    await sandbox.send(alice.user, "Unit A")
    await sandbox.press(alice.user, "Skip")
    await sandbox.send(alice.user, "Wang Wu")
    await sandbox.send(alice.user, "020-12345678")
    await sandbox.send(alice.user, "A need")
    await sandbox.press(alice.user, "Skip")  # no expert took part
    await sandbox.send(alice.user, "12")
    await sandbox.press(alice.user, "None of these (all 0)")
    summary = joined(await sandbox.press(alice.user, "Skip"))
    assert "Right title" in summary and "Wrong title" not in summary
    ask = joined(await sandbox.press(alice.user, "✏️ Title of the activity"))
    assert "Step 2 of 14\nTitle of the activity" in ask and "Current answer: Right title" in ask, ask
    back_to_summary = joined(await sandbox.send(alice.user, "Edited title"))
    assert "Please check your answers" in back_to_summary and "Edited title" in back_to_summary


async def test_restart_in_the_middle_continues_at_the_same_step(settings: Settings, db, clock: FixedClock,  # type: ignore[no-untyped-def]
                                                                 sandbox: Sandbox, alice: Seat) -> None:
    await fill_activity_until_unit(sandbox, alice)
    await sandbox.send(alice.user, "Survives a restart")
    await sandbox.stop()
    async with Sandbox(settings, db, clock) as fresh:
        resumed = joined(await fresh.send(alice.user, "/resume"))
        assert "Step 3 of" in resumed
        nxt = joined(await fresh.send(alice.user, "2027-01-21"))
        assert "Step 4 of" in nxt
        summary_later = joined(await fresh.send(alice.user, "/resume"))
        assert "Step 4 of" in summary_later
    async with db.session() as session:
        draft = (await session.exec(select(Draft))).one()
    assert draft.state["answers"]["title"] == "Survives a restart"
    assert draft.state["answers"]["start_date"] == "2027-01-21"
    await sandbox.start()


async def test_stale_button_does_nothing(sandbox: Sandbox, alice: Seat) -> None:
    await sandbox.send(alice.user, "/log")
    first_screen = sandbox.api.last_message(alice.user.id)
    assert first_screen is not None
    old = dict(first_screen)
    await sandbox.press(alice.user, "Quality training and consulting")
    await sandbox.send(alice.user, "Title")
    async with sandbox.services.db.session() as session:
        before = (await session.exec(select(Draft))).one()
    msg, data = sandbox.find_button(alice.user, "Standard drafting", old) if "Standard drafting" in str(old) else (old, old["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    calls = await sandbox.press_data(alice.user, data, msg)
    assert "moved on" in joined(calls) or any("moved on" in str(c.params.get("text")) for c in calls)
    async with sandbox.services.db.session() as session:
        after = (await session.exec(select(Draft))).one()
    assert (after.rev, after.state) == (before.rev, before.state)


async def test_second_form_while_one_is_open_asks_first(sandbox: Sandbox, alice: Seat) -> None:
    await fill_activity_until_unit(sandbox, alice)
    ask = joined(await sandbox.send(alice.user, "/report"))
    assert "unfinished" in ask
    cont = joined(await sandbox.press(alice.user, "Continue the unfinished one"))
    assert "Step 2 of" in cont
    await sandbox.send(alice.user, "/report")
    started = joined(await sandbox.press(alice.user, "Discard it and start the new one"))
    assert "Draft discarded" in started and "What has changed?" in started
