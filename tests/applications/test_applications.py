"""Station applications through the real Application: link, form, review with the seed's checklist, 公示, approval.

The rules come from the profiles' [application] sections: wuhan-qis 第十三条 (preconditions),
第十五条（四） (公示 5 days, objections answered), 第十九条 (at most 50 stations); quzhou 第三条（六）
(one station per society).
"""

from __future__ import annotations

import re

from sqlmodel import select

from bot.handlers.notices import enqueue_notice_endings
from bot.services import FixedClock
from conversations.fields.text import CREDIT_EXAMPLE
from storage.models import (
    Draft,
    Objection,
    Person,
    PublicNotice,
    Society,
    Station,
    StationApplication,
    Submission,
    SubmissionVersion,
)
from testing.client import Sandbox, User, joined
from testing.outbox_flush import render_pending
from tests.conftest import SHANGHAI, STAFF

APPLICANT = User(5101, "Wang", "en")
OBJECTOR = User(5102, "Zhao", "en")
STRANGER = User(5103, "Nobody", "en")


async def staff_link(box: Sandbox, profile: str) -> str:
    """Staff publish the profile's application link; returns the deep-link token."""
    await box.send(STAFF, "/start")
    calls = await box.send(STAFF, f"/apply_link {profile}")
    assert any(c.method == "sendPhoto" for c in calls), "the link comes with its QR code"
    match = re.search(r"start=([A-Za-z0-9_-]+)", joined(calls))
    assert match is not None
    return match.group(1)


async def fill_common_head(box: Sandbox, who: User, station_name: str, society: str) -> None:
    await box.send(who, station_name)
    await box.press(who, "Other station") if "Other station" in _buttons(box, who) else await box.send(who, "1")
    await box.send(who, "江岸区")
    await box.send(who, "武汉某某检测有限公司")
    await box.send(who, CREDIT_EXAMPLE)
    await box.send(who, "Li Wei")
    await box.send(who, "武汉市江岸区某路1号 430000")
    await box.send(who, "2019-05-01")
    await box.press(who, _buttons(box, who)[0])  # nature of the unit: the first box
    await box.press(who, "Confirm")
    for kind in ("Metrology", "Standards", "Inspection and testing", "Certification", "Quality management"):
        await box.press(who, kind)
    await box.press(who, "Confirm")
    await box.send(who, "A testing company of 120 people serving the Wuhan auto parts cluster.")
    await box.send(who, society)
    await box.press(who, "Provincial society")
    await box.press(who, "Skip")
    await box.send(who, "Wang Fang")
    await box.send(who, "Quality department, director")
    await box.send(who, "13912345678")
    await box.press(who, "Skip")
    await box.press(who, "Station manager")


def _buttons(box: Sandbox, who: User) -> list[str]:
    msg = box.api.last_message(who.id) or {}
    return [b.get("text", "") for row in (msg.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def fill_wuhan(box: Sandbox, who: User, station_name: str = "武汉汽车零部件质量服务站",
                     society: str = "湖北省质量协会", professionals: str = "6") -> str:
    await fill_common_head(box, who, station_name, society)
    await box.send(who, "Station head Wang Fang (12 years); 6 quality engineers.")
    await box.send(who, "Chen Jing, chief quality officer")
    await box.send(who, professionals)
    await box.send(who, "12")
    await box.send(who, "300 m² office with a metrology lab.")
    await box.press(who, "Yes")
    await box.send(who, "Serve 500 enterprise-visits a year in the auto parts cluster.")
    await box.send(who, "2027-01-01")
    await box.send(who, "2029-12-31")
    await box.send_document(who, "合作协议（签章）.pdf")
    await box.send_document(who, "营业执照.pdf")
    await box.press(who, "Done")
    await box.send_document(who, "管理制度.pdf")
    await box.press(who, "Done")
    await box.send_document(who, "2026审计报告.pdf")
    await box.send_document(who, "项目清单.pdf")
    await box.press(who, "Done")
    summary = joined(await box.press(who, "Skip"))
    assert "Please check your answers" in summary, summary[-400:]
    return joined(await box.press(who, "Submit"))


async def tick_all(box: Sandbox, count: int) -> None:
    for number in range(1, count + 1):
        await box.press(STAFF, f"☐ {number}")


async def test_whole_application_return_resubmit_notice_objection_approve_then_status(
        sandbox: Sandbox, clock: FixedClock) -> None:
    """Apply, return with a comment, resubmit, accept (all 第十三条 items ticked), 公示 5 days (第十五条（四）)
    with an objection answered, approve; the applicant then runs /status as the new station's manager."""
    token = await staff_link(sandbox, "wuhan-qis")
    intro = joined(await sandbox.send(APPLICANT, f"/start {token}"))
    assert "Application for a new station" in intro and "Proposed name of the station" in intro
    done = await fill_wuhan(sandbox, APPLICANT)
    assert "Application submitted" in done and "version 1" in done

    card = joined(await render_pending(sandbox, STAFF.id))
    assert "持续运营2年以上" in card and "seed 002 第十三条（一）" in card, "each item names its article"
    assert "↳ 依托单位：成立日期: 2019年5月1日; 营业执照及注册登记证书: 📎 营业执照.pdf" in card, "evidence beside the item"
    assert "首席质量官" in card
    # Accepting before ticking is refused and names what is missing.
    refused = joined(await sandbox.press(STAFF, "✅ 通过"))
    assert "尚未勾选" in refused
    await sandbox.press(STAFF, "↩️ 退回并附意见")
    assert "已附意见退回" in joined(await sandbox.send(STAFF, "请补充上年度审计报告的盖章页。"))

    returned = joined(await render_pending(sandbox, APPLICANT.id))
    assert "returned for changes" in returned and "审计报告的盖章页" in returned
    reopened = joined(await sandbox.press(APPLICANT, "✏️ Reopen and edit"))
    assert "Please check your answers" in reopened and "武汉汽车零部件质量服务站" in reopened
    await sandbox.press(APPLICANT, "✏️ Number of experts joining the station")
    await sandbox.send(APPLICANT, "15")
    again = joined(await sandbox.press(APPLICANT, "Submit"))
    assert "version 2" in again

    await render_pending(sandbox, STAFF.id)
    await tick_all(sandbox, 7)
    accepted = joined(await sandbox.press(STAFF, "✅ 通过"))
    match = re.search(r"/object (\d+)", accepted)
    assert match is not None, accepted
    notice_no = match.group(1)
    told = joined(await render_pending(sandbox, APPLICANT.id))
    assert "public notice" in told

    # Someone the bot knows objects during the 公示; staff answer it (not upheld) and the objector hears back.
    async with sandbox.services.db.session() as session:
        session.add(Person(telegram_user_id=OBJECTOR.id, chat_id=OBJECTOR.id, name="Zhao", language="en",
                           role="manager"))
        await session.commit()
    listed = joined(await sandbox.send(OBJECTOR, "/notices"))
    assert "武汉汽车零部件质量服务站" in listed
    filed = joined(await sandbox.send(OBJECTOR, f"/object {notice_no} 该公司2024年才开始检测业务。"))
    assert "is recorded" in filed
    early = joined(await sandbox.press_data(STAFF, f"ap:p:{(await only(sandbox, StationApplication)).id}"))
    assert "公示截至" in early, "no approval while the 公示 runs"
    await render_pending(sandbox, STAFF.id)
    await sandbox.press(STAFF, "异议不成立")
    answered = joined(await sandbox.send(STAFF, "经核实，该公司2019年起持续运营检测业务。"))
    assert "已告知异议人" in answered
    heard = joined(await render_pending(sandbox, OBJECTOR.id))
    assert "not upheld" in heard and "2019年起持续运营" in heard, "the objector hears back in their language"

    clock.advance(days=5)
    listing = joined(await sandbox.send(STAFF, "/applications"))
    assert "公示中" in listing
    await sandbox.press(STAFF, f"#{(await only(sandbox, StationApplication)).id}")
    await sandbox.press(STAFF, "🏷 批准并建立服务站")
    approved = joined(await sandbox.send(STAFF, "WHZL-2027-001\n武汉市质量基础设施“一站式”服务站（江岸）"))
    assert "已批准" in approved

    news = joined(await render_pending(sandbox, APPLICANT.id))
    assert "approved" in news and "WHZL-2027-001" in news
    status = joined(await sandbox.send(APPLICANT, "/status"))
    assert "武汉汽车零部件质量服务站" in status, status[:300]
    async with sandbox.services.db.session() as session:
        station = (await session.exec(select(Station))).one()
        application = (await session.exec(select(StationApplication))).one()
        binding = (await session.exec(select(Person).where(Person.telegram_user_id == APPLICANT.id,
                                                           Person.role == "manager"))).one()
        versions = (await session.exec(select(SubmissionVersion))).all()
        society = await session.get(Society, station.society_id)
        objection = (await session.exec(select(Objection))).one()
    assert (station.policy_profile, station.host_unit_credit_code, station.approval_number) == (
        "wuhan-qis", CREDIT_EXAMPLE, "WHZL-2027-001")
    assert station.plaque_name == "武汉市质量基础设施“一站式”服务站（江岸）"
    assert society is not None and society.name == "湖北省质量协会"
    assert binding.station_id == station.id and application.stage == "approved"
    assert [v.answers["experts"] for v in versions] == [12, 15], "every version is kept"
    assert objection.upheld is False and objection.answer


async def only(box: Sandbox, model: type) -> object:
    async with box.services.db.session() as session:
        return (await session.exec(select(model))).one()


async def accept_without_notice_profile(box: Sandbox) -> None:
    """Tick every item and accept the card waiting for staff."""
    await render_pending(box, STAFF.id)
    application = await only(box, StationApplication)
    assert isinstance(application, StationApplication)
    from rules.profile import load_profile
    rules = load_profile(application.policy_profile).application
    assert rules is not None
    await tick_all(box, len(rules.preconditions))
    await box.press(STAFF, "✅ 通过")


async def test_cap_of_50_stations_warns_before_approving(sandbox: Sandbox, clock: FixedClock) -> None:
    """seed 002 第十九条: at most 50 city stations; the 51st approval needs an explicit 'approve anyway'."""
    async with sandbox.services.db.session() as session:
        for n in range(50):
            session.add(Station(name=f"站{n}", policy_profile="wuhan-qis"))
        await session.commit()
    token = await staff_link(sandbox, "wuhan-qis")
    await sandbox.send(APPLICANT, f"/start {token}")
    await fill_wuhan(sandbox, APPLICANT)
    await accept_without_notice_profile(sandbox)
    clock.advance(days=5, hours=1)
    # The hourly sweep tells staff once that the 公示 is over and awaits their decision.
    assert await enqueue_notice_endings(sandbox.services.db, clock(), SHANGHAI) == 1
    assert await enqueue_notice_endings(sandbox.services.db, clock(), SHANGHAI) == 0
    assert "已于" in joined(await render_pending(sandbox, STAFF.id))
    application = await only(sandbox, StationApplication)
    assert isinstance(application, StationApplication)
    warning = joined(await sandbox.press_data(STAFF, f"ap:p:{application.id}"))
    assert "不超过 50 个" in warning and "第十九条" in warning
    async with sandbox.services.db.session() as session:
        assert len((await session.exec(select(Station))).all()) == 50, "nothing created by the warning"
    await sandbox.press(STAFF, "仍然批准")
    await sandbox.send(STAFF, "WH-051")
    async with sandbox.services.db.session() as session:
        assert len((await session.exec(select(Station))).all()) == 51


async def test_refusal_reaches_the_applicant_with_the_reason(sandbox: Sandbox) -> None:
    token = await staff_link(sandbox, "wuhan-qis")
    await sandbox.send(APPLICANT, f"/start {token}")
    await fill_wuhan(sandbox, APPLICANT, professionals="3")
    await render_pending(sandbox, STAFF.id)
    await sandbox.press(STAFF, "⛔ 不予批准")
    done = joined(await sandbox.send(STAFF, "专业人员不足5名（第十三条（五））。"))
    assert "已不予批准" in done
    news = joined(await render_pending(sandbox, APPLICANT.id))
    assert "was refused" in news and "专业人员不足5名" in news
    async with sandbox.services.db.session() as session:
        assert (await session.exec(select(StationApplication))).one().stage == "refused"
        assert (await session.exec(select(Station))).all() == []
    # The applicant cannot act as a manager: there is no station.
    assert "current role" in joined(await sandbox.send(APPLICANT, "/status"))


async def test_stale_and_forged_buttons_do_nothing(sandbox: Sandbox) -> None:
    token = await staff_link(sandbox, "wuhan-qis")
    await sandbox.send(APPLICANT, f"/start {token}")
    await fill_wuhan(sandbox, APPLICANT)
    await render_pending(sandbox, STAFF.id)
    application = await only(sandbox, StationApplication)
    submission = await only(sandbox, Submission)
    assert isinstance(application, StationApplication) and isinstance(submission, Submission)
    # A tick for version 9 (forged) and an approval of an application still under review are refused.
    stale = joined(await sandbox.press_data(STAFF, f"ap:t:{application.id}:0:9"))
    assert "未做任何操作" in stale
    assert "请先审核" in joined(await sandbox.press_data(STAFF, f"ap:p:{application.id}"))
    assert "未做任何操作" in joined(await sandbox.press_data(STAFF, "ap:t:999:0:1"))
    # The applicant may not press staff buttons, nor accept their own application.
    assert "current role" in joined(await sandbox.press_data(APPLICANT, f"ap:t:{application.id}:0:1"))
    await sandbox.press_data(APPLICANT, f"rv:a:{submission.id}:1")
    async with sandbox.services.db.session() as session:
        row = (await session.exec(select(StationApplication))).one()
        assert row.checklist == {} and row.stage == "review"
        assert (await session.exec(select(Submission))).one().status == "submitted"


async def test_stranger_without_the_link_cannot_reach_the_form(sandbox: Sandbox) -> None:
    await staff_link(sandbox, "wuhan-qis")
    for command in ("/apply", "/start", "/start bogus-token-that-is-long-enough"):
        seen = joined(await sandbox.send(STRANGER, command))
        assert "Proposed name of the station" not in seen
    assert "invitation only" in joined(await sandbox.send(STRANGER, "/apply"))
    async with sandbox.services.db.session() as session:
        assert (await session.exec(select(Person).where(Person.telegram_user_id == STRANGER.id))).all() == []


async def test_the_link_is_reusable_and_the_draft_survives_weeks(sandbox: Sandbox, clock: FixedClock) -> None:
    token = await staff_link(sandbox, "wuhan-qis")
    await sandbox.send(APPLICANT, f"/start {token}")
    await sandbox.send(APPLICANT, "武汉某站")
    clock.advance(days=40)
    resumed = joined(await sandbox.send(APPLICANT, "/apply"))
    assert "Continuing your saved draft" in resumed and "Type of station" in resumed
    second = joined(await sandbox.send(OBJECTOR, f"/start {token}"))
    assert "Proposed name of the station" in second, "a poster link serves many applicants"


async def test_quzhou_one_station_per_society_warns(sandbox: Sandbox, clock: FixedClock) -> None:
    """seed 004 第三条（六）: one recognised station per society in the city."""
    async with sandbox.services.db.session() as session:
        society = Society(name="中国化工学会", level="national")
        session.add(society)
        await session.flush()
        session.add(Station(name="已有服务站", policy_profile="quzhou", society_id=society.id))
        await session.commit()
    token = await staff_link(sandbox, "quzhou")
    await sandbox.send(APPLICANT, f"/start {token}")
    await fill_quzhou(sandbox, APPLICANT, "中国化工学会")
    await accept_without_notice_profile(sandbox)
    clock.advance(days=6)
    application = await only(sandbox, StationApplication)
    assert isinstance(application, StationApplication)
    warning = joined(await sandbox.press_data(STAFF, f"ap:p:{application.id}"))
    assert "中国化工学会" in warning and "第三条（六）" in warning


async def fill_quzhou(box: Sandbox, who: User, society: str) -> None:
    await box.send(who, "衢州氟硅学会服务站")
    await box.press(who, _buttons(box, who)[0])
    await box.send(who, "柯城区")
    await box.send(who, "衢州某某新材料有限公司")
    await box.send(who, CREDIT_EXAMPLE)
    await box.send(who, "Li Wei")
    await box.send(who, "衢州市柯城区某路1号 324000")
    await box.send(who, "2015-05-01")
    await box.press(who, "Enterprise")
    await box.press(who, "Confirm")
    await box.press(who, "Fluorine and silicon new materials")
    await box.press(who, "Confirm")
    await box.send(who, "A fluorosilicon producer with 800 staff.")
    await box.send(who, "The fluorosilicon cluster of Quzhou: 60 enterprises.")
    await box.send(who, society)
    await box.press(who, "National society")
    await box.press(who, "Skip")
    await box.send(who, "Wang Fang")
    await box.send(who, "R&D director")
    await box.send(who, "13912345678")
    await box.press(who, "Skip")
    await box.press(who, "Station liaison")
    await box.send(who, "Ten experts of the society, two staff of the company.")
    await box.send(who, "2")
    await box.send(who, "10")
    await box.send(who, "An office of 200 m².")
    await box.press(who, "Yes")
    await box.send(who, "Joint research on fluorosilicon materials.")
    await box.send(who, "2027-01-01")
    await box.send(who, "2029-12-31")
    await box.send_document(who, "协议.pdf")
    await box.send_document(who, "营业执照.pdf")
    await box.press(who, "Done")
    await box.press(who, "Skip")
    await box.press(who, "Submit")


async def test_quzhou_liaison_approved_after_the_warning_becomes_liaison(sandbox: Sandbox, clock: FixedClock) -> None:
    """seed 004 第三条（六） warned, approved anyway: the applicant chose 'liaison' and is bound as such."""
    token = await staff_link(sandbox, "quzhou")
    await sandbox.send(APPLICANT, f"/start {token}")
    await fill_quzhou(sandbox, APPLICANT, "浙江省化工学会")
    await accept_without_notice_profile(sandbox)
    application = await only(sandbox, StationApplication)
    assert isinstance(application, StationApplication) and application.stage == "notice"
    clock.advance(days=6)
    await sandbox.press_data(STAFF, f"ap:p:{application.id}")  # no other station of this society: no warning
    await sandbox.send(STAFF, "衢科协〔2027〕1号")
    async with sandbox.services.db.session() as session:
        binding = (await session.exec(select(Person).where(Person.telegram_user_id == APPLICANT.id,
                                                           Person.role == "liaison"))).one()
        station = (await session.exec(select(Station))).one()
        notice = (await session.exec(select(PublicNotice))).one()
    assert binding.station_id == station.id and station.approval_number == "衢科协〔2027〕1号"
    assert notice.closed_at is not None, "the 公示 is concluded with the approval"
    late = joined(await sandbox.send(APPLICANT, f"/object {notice.id} too late"))
    assert "no longer accepted" in late


async def test_guiyang_application_with_phases_and_budget_goes_straight_to_decision(sandbox: Sandbox) -> None:
    """seed 003 附件1: phases and a budget (total in 人民币大写); 四（二） has no 公示, so acceptance leads to the decision."""
    who = User(5201, "贵阳申请人", "zh-CN")
    token = await staff_link(sandbox, "guiyang-kczg")
    await sandbox.send(who, f"/start {token}")
    await sandbox.send(who, "贵阳铝加工学会工作站")
    await sandbox.press(who, _buttons(sandbox, who)[0])
    await sandbox.send(who, "白云区")
    await sandbox.send(who, "贵阳某铝业有限公司")
    await sandbox.send(who, CREDIT_EXAMPLE)
    await sandbox.send(who, "张三")
    await sandbox.send(who, "贵阳市白云区某路1号 550000")
    await sandbox.send(who, "2010-03-01")
    await sandbox.press(who, "企事业单位")
    await sandbox.press(who, "确认")
    await sandbox.press(who, "铝及铝加工制造业")
    await sandbox.press(who, "确认")
    await sandbox.send(who, "铝加工企业，员工 600 人。")
    await sandbox.send(who, "贵州省有色金属学会")
    await sandbox.press(who, "省级学会")
    await sandbox.send(who, "学会有 30 名铝加工专家。")
    await sandbox.send(who, "李四")
    await sandbox.send(who, "技术部部长")
    await sandbox.send(who, "13912345678")
    await sandbox.press(who, "跳过")
    await sandbox.press(who, "站长")
    await sandbox.send(who, "站长李四，专职 2 人。")
    await sandbox.send(who, "4")
    await sandbox.send(who, "8")
    await sandbox.send(who, "办公室 100 平方米。")
    await sandbox.press(who, "是")
    await sandbox.send(who, "三年内解决 5 项铝加工技术难题。")
    await sandbox.press(who, "筹备")
    await sandbox.send(who, "2027-03-01")
    await sandbox.send(who, "2027-04-30")
    await sandbox.press(who, "完成")
    await sandbox.press(who, "专家差旅费")
    await sandbox.send(who, "省外专家差旅")
    await sandbox.send(who, "1.5万元")
    budget = joined(await sandbox.send(who, "3 人次 × 5,000 元"))
    assert "壹万伍仟元整" in budget, "the budget total in Chinese capital numerals"
    await sandbox.press(who, "完成")
    await sandbox.send(who, "2027-03-01")
    await sandbox.send(who, "2029-02-28")
    await sandbox.send_document(who, "合作协议.pdf")
    await sandbox.send_document(who, "营业执照.pdf")
    await sandbox.press(who, "完成")
    await sandbox.press(who, "跳过")
    assert "已提交" in joined(await sandbox.press(who, "提交"))
    await accept_without_notice_profile(sandbox)
    async with sandbox.services.db.session() as session:
        application = (await session.exec(select(StationApplication))).one()
        version = (await session.exec(select(SubmissionVersion))).one()
    assert application.stage == "decision"
    assert version.answers["budget"][0]["amount"] == "15000.00" and version.answers["phases"][0]["phase"]
    assert "待批准" in joined(await sandbox.press_data(STAFF, f"ap:s:{application.id}"))
    sandbox.find_button(STAFF, "🏷 批准并建立服务站")  # raises if the decision card lacks it


async def test_another_applicant_cannot_reopen_or_drive_someone_elses_application(sandbox: Sandbox) -> None:
    """Callback data is re-checked against the database: the returned application is its applicant's alone."""
    token = await staff_link(sandbox, "wuhan-qis")
    await sandbox.send(APPLICANT, f"/start {token}")
    await fill_wuhan(sandbox, APPLICANT)
    submission = await only(sandbox, Submission)
    assert isinstance(submission, Submission)
    await sandbox.press_data(STAFF, f"rv:r:{submission.id}:1")
    await sandbox.send(STAFF, "请补充材料。")
    await sandbox.send(OBJECTOR, f"/start {token}")  # a second applicant, with a draft of their own
    refused = joined(await sandbox.press_data(OBJECTOR, f"rv:o:{submission.id}"))
    assert "current role" in refused
    async with sandbox.services.db.session() as session:
        drafts = (await session.exec(select(Draft).where(Draft.form_id == "station_application"))).all()
        applicant = (await session.exec(select(Person).where(Person.telegram_user_id == APPLICANT.id))).one()
    assert [d.subject_key for d in drafts] == ["new:wuhan-qis"] and drafts[0].person_id != applicant.id
    # The owner's own draft buttons are not the other applicant's either.
    assert "moved on" in joined(await sandbox.press_data(APPLICANT, f"f:{drafts[0].id}:1:s"))
