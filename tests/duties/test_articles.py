"""Each yearly duty, date and change-report limit against the seed's own article (issue 10 sections 1 and 2)."""

from __future__ import annotations

import datetime as dt

from bot.services import FixedClock
from conversations.duties import source_text
from locales import translator
from rules.deadlines import annual_due_date, deadline_for
from rules.profile import all_profiles, load_profile
from testing.client import Sandbox, User, joined
from tests.conftest import SHANGHAI
from tests.forms.conftest import seat
from tests.forms.test_change_report_and_review import report_manager_change

D = dt.date


def duties(profile_id: str) -> dict[str, str | None]:
    """Duty id → due date source, of the duties the regulation alone imposes."""
    return {s.id: (s.due.source if s.due else None) for s in load_profile(profile_id).duties}


def test_gd_quality_plan_and_summary_before_march_seed000_article12() -> None:
    """每年3月前须向省质促会报送当年的工作计划和上一年度的工作总结."""
    gd = load_profile("gd-quality")
    assert set(duties("gd-quality")) == {"plan", "summary"}
    assert all(str(source).startswith("seed 000 第十二条") for source in duties("gd-quality").values())
    assert annual_due_date("plan", 2027, gd) == D(2027, 2, 28) and annual_due_date("summary", 2028, gd) == D(2028, 2, 29)


def test_gd_scst_imposes_no_yearly_duty_seed001() -> None:
    """Seed 001 asks for periodic inspection (五（三）) but no yearly plan, summary or date: all off."""
    assert duties("gd-scst") == {}
    assert {s.id for s in load_profile("gd-scst").annual_submissions} == {"plan", "summary"}


def test_wuhan_efficiency_report_due_31_october_seed002_article16() -> None:
    """当年10月底前将评估报告报送市市场监管局; not sending it can cost the title (第十八条（四）)."""
    wuhan = load_profile("wuhan-qis")
    assert set(duties("wuhan-qis")) == {"efficiency_report"}, "seed 002 asks for no plan or summary"
    spec = wuhan.submission("efficiency_report")
    assert spec is not None and spec.form == "efficiency_report" and "第十八条（四）" in spec.source
    assert annual_due_date(spec, 2027, wuhan) == D(2027, 10, 31)
    assert str(duties("wuhan-qis")["efficiency_report"]).startswith("seed 002 第十六条")


def test_guiyang_yearly_self_check_without_date_seed003_section4_3() -> None:
    """四（三）1 a yearly assessment; 四（三）3 the station's self-check report goes to the city 科协 — no date."""
    assert duties("guiyang-kczg") == {"self_check": None}, "the old 12-31 date was not the seed's"
    spec = load_profile("guiyang-kczg").submission("self_check")
    assert spec is not None and spec.source.startswith("seed 003 四（三）3") and spec.form == "self_check"


def test_quzhou_plan_and_summary_every_year_without_date_seed004_article12() -> None:
    """建站单位每年度要制定年度工作计划，并对上年度工作站运行情况和绩效进行总结 — no date is named."""
    assert duties("quzhou") == {"plan": None, "summary": None}
    assert all(s.source.startswith("seed 004 第十二条") for s in load_profile("quzhou").duties)


def test_change_report_limits_only_where_seed000_articles18_19_set_them() -> None:
    """5 working days for manager/liaison (第十八条), 10 for host rename/equity (第十九条); nothing elsewhere."""
    for profile in all_profiles().values():
        limits = {k.id: k.working_days for k in profile.change_kinds if k.working_days is not None}
        expected = ({"manager_change": 5, "liaison_change": 5, "host_rename": 10, "equity_change": 10}
                    if profile.id == "gd-quality" else {})
        assert limits == expected, profile.id
    assert deadline_for("address_change", D(2027, 3, 1), load_profile("gd-quality")) is None


async def test_wuhan_status_shows_efficiency_report_due_31_october_seed002_article16(
        sandbox: Sandbox, clock: FixedClock) -> None:
    clock.set(dt.datetime(2027, 10, 20, 9, 0, tzinfo=SHANGHAI))
    manager = await seat(sandbox.services.db, User(5500, "Wuhan", "en"), "Wuhan QI Station", "wuhan-qis")
    status = joined(await sandbox.send(manager.user, "/status"))
    assert ("Annual service-efficiency self-assessment report: due Oct 31, 2027 (in 11 days) "
            "(the Measures 第十六条)") in status
    opened = joined(await sandbox.press(manager.user, "Annual service-efficiency self-assessment report"))
    assert "Which year does this self-assessment cover?" in opened and "Example: 2027" in opened
    zh = await seat(sandbox.services.db, User(5501, "武汉", "zh-CN"), "武汉另一站", "wuhan-qis")
    assert "（《办法》第十六条）" in joined(await sandbox.send(zh.user, "/status"))


async def test_wuhan_change_report_has_no_deadline_unless_the_society_sets_one_seed002(
        sandbox: Sandbox, clock: FixedClock) -> None:
    """Seed 002 sets no reporting limit: no "late by N working days", no deadline on /status."""
    await sandbox.send(User(900001, "Staff", "zh-hans"), "/start")
    clock.set(dt.datetime(2027, 3, 30, 10, 0, tzinfo=SHANGHAI))
    manager = await seat(sandbox.services.db, User(5502, "Wuhan", "en"), "Wuhan change station", "wuhan-qis")
    done = await report_manager_change(sandbox, manager, "2027-03-01")
    assert "No reporting deadline is set for this change." in done and "late" not in done


async def test_gd_quality_change_report_late_after_5_working_days_seed000_article18(
        sandbox: Sandbox, clock: FixedClock) -> None:
    clock.set(dt.datetime(2027, 3, 30, 10, 0, tzinfo=SHANGHAI))
    manager = await seat(sandbox.services.db, User(5503, "GD", "en"), "GD change station", "gd-quality")
    done = await report_manager_change(sandbox, manager, "2027-03-01")
    assert "Deadline was Mar 8, 2027" in done and "late by" in done


def test_an_annex_is_cited_as_an_annex_in_chinese_seed002_annex() -> None:
    """seed 002 annex (服务满意度评价): the citation reads 附件 on Chinese pages, not the English word."""
    profile = load_profile("wuhan-qis")
    cited = source_text(profile, "seed 002 annex 服务满意度评价")
    assert cited.render(translator("zh_Hans")).endswith("附件")
    assert "annex" not in cited.render(translator("zh_Hans"))
