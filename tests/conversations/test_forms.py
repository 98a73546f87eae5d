"""The real form files: they load for every profile, variants apply, and each can be filled to submission."""

from __future__ import annotations

from pathlib import Path

import pytest

from conversations.engine import FormContext
from conversations.fields.text import CREDIT_EXAMPLE
from conversations.formspec import FormFileError, form_ids, load_form, parse_form_file
from tests.conversations.support import PROFILES, TODAY, Driver, ctx_for


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("form_id", ["change_report", "annual_plan", "annual_summary", "activity"])
def test_every_form_loads_for_every_profile(form_id: str, profile: str) -> None:
    form = load_form(form_id, profile)
    assert form.id == form_id and form.profile_id == profile and form.fields
    assert Driver(form, ctx_for(profile)).draft.step == form.fields[0].name


def test_form_ids() -> None:
    assert form_ids() == ["activity", "annual_plan", "annual_summary", "change_report", "efficiency_report",
                          "rectification_report", "self_check", "station_application"]


def test_only_guiyang_has_the_phases_group() -> None:
    for profile in PROFILES:
        names = [f.name for f in load_form("annual_plan", profile).fields]
        assert ("phases" in names) is (profile == "guiyang-kczg")
    names = [f.name for f in load_form("annual_plan", "guiyang-kczg").fields]
    assert names.index("phases") == names.index("activities") + 1


def test_drop_and_relabel_variants() -> None:
    wuhan = load_form("activity", "wuhan-qis")
    new_experts = wuhan.field("new_experts")
    assert new_experts is not None and [s.name for s in new_experts.fields] == ["name", "title"]
    participants = wuhan.field("participants")
    assert participants is not None and participants.label == "Enterprises served (家次)"
    quzhou_new = load_form("activity", "quzhou").field("new_experts")
    assert quzhou_new is not None and [s.name for s in quzhou_new.fields] == ["name", "title", "outside_province"]
    goals = load_form("annual_plan", "quzhou").field("goals")
    assert goals is not None and "cooperation project" in goals.label


def test_unknown_form_is_refused() -> None:
    with pytest.raises(FormFileError, match="no form 'nope'"):
        load_form("nope", "quzhou")


BAD_FILES = [
    ('id = "x"\nversion = 1\ntitle = "X"\n[[fields]]\nname = "a"\ntype = "number"\nlabel = "A"\n',
     "fields[0] (a).type"),
    ('id = "x"\nversion = 1\ntitle = "X"\n[[fields]]\nname = "a"\ntype = "text"\nlabel = "A"\ncolour = "red"\n',
     "fields[0] (a).colour: Extra inputs are not permitted"),
    ('id = "x"\nversion = 1\ntitle = "X"\n[[fields]]\nname = "a"\ntype = "choice"\nlabel = "A"\n',
     "needs `choices` or `choices_from`"),
    ('id = "x"\nversion = 1\ntitle = "X"\n[[fields]]\nname = "a"\ntype = "text"\nlabel = "A"\nrelevant = "b == 1"\n',
     "unknown fields ['b']"),
    ('id = "x"\nversion = 1\ntitle = "X"\n[[fields]]\nname = "a"\ntype = "text"\nlabel = "A"\nrelevant = "open(1)"\n',
     "uses Call"),
    ('id = "x"\nversion = 1\ntitle = "X"\n[[fields]]\nname = "a"\ntype = "text"\nlabel = "A"\n'
     '[variants.quzhou]\ndrop = ["zz"]\n', "variants.quzhou: variant refers to unknown field 'zz'"),
    ('id = "x"\nversion = 1\ntitle = "X"\n[[fields]]\nname = "a"\ntype = "text"\nlabel = "A"\n'
     '[[fields]]\nname = "a"\ntype = "text"\nlabel = "B"\n', "duplicate field name 'a'"),
    ('id = "x"\nversion = "one"\ntitle = "X"\n', "version: Input should be a valid integer"),
    ('id = "x"\nversion = 1\ntitle = "X"\n[[fields]]\nname = "d"\ntype = "date"\nlabel = "D"\nmin = 3\n',
     "ISO date string"),
    ('id = "x"\nversion = 1\ntitle = "X"\n[[fields]\n', "not valid TOML"),
]


@pytest.mark.parametrize(("content", "expected"), BAD_FILES)
def test_a_bad_form_file_names_file_key_and_expectation(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormFileError) as info:
        parse_form_file(path)
    assert "broken.toml" in str(info.value) and expected in str(info.value)


def test_change_report_manager_change_happy_path() -> None:
    driver = Driver(load_form("change_report", "gd-quality"), ctx_for("gd-quality"))
    assert "Step 1 of 5" in driver.last()
    driver.press("c:0")
    assert "Step 2 of 8" in driver.last()
    driver.press(f"d:{TODAY:%Y%m%d}")
    driver.text("张三")
    driver.text("技术部 副主任")
    driver.text("138 1234 5678")
    driver.press("s")
    driver.text("原站长退休，由张三接任。")
    driver.file("任命文件.pdf")
    driver.press("ok")
    assert driver.draft.step == "summary"
    out = driver.press("sub")
    assert out.submitted is not None and out.draft is None
    assert out.submitted["kind"] == "manager_change" and out.submitted["new_person_phone"] == "13812345678"
    assert out.submitted["old_value"] is None and out.submitted["event_date"] == "2027-02-10"
    assert "new_credit_code" not in out.submitted and len(out.submitted["attachments"]) == 1


def test_change_report_host_rename_asks_for_credit_code() -> None:
    driver = Driver(load_form("change_report", "gd-quality"), ctx_for("gd-quality"))
    driver.text("依托单位更名")
    driver.text("2027-02-01")
    assert driver.draft.step == "new_host_name"
    driver.text("佛山某科技有限公司")
    driver.text(CREDIT_EXAMPLE[:17] + "0" if CREDIT_EXAMPLE[17] != "0" else CREDIT_EXAMPLE[:17] + "1")
    assert driver.draft.step == "new_credit_code" and "last character should be" in driver.last()
    driver.text(CREDIT_EXAMPLE)
    driver.text("佛山旧名有限公司")
    driver.text("股东变更后更名。")
    driver.press("s")
    out = driver.press("sub")
    assert out.submitted is not None and out.submitted["new_credit_code"] == CREDIT_EXAMPLE


def _plan(driver: Driver, guiyang: bool) -> None:
    assert "Example: 2027" in driver.last(), "this year's plan until it is filed (issue 10 section 5)"
    driver.press("u")
    driver.text("服务10家企业。")
    driver.press("c:0")
    driver.text("4")
    assert "Item 1 added." in driver.last()
    driver.press("a")
    driver.text("技术攻关")
    driver.text("2")
    driver.press("ok")
    if guiyang:
        assert driver.draft.step == "phases"
        driver.press("c:0")
        driver.text("2028-01-01")
        driver.text("2027-12-01")
        assert "on or after" in driver.last()
        driver.text("2028-03-31")
        driver.press("ok")
    assert driver.draft.step == "budget"
    driver.press("c:0")
    driver.text("5名省外专家差旅")
    driver.text("1.5万")
    driver.text("5次×3000元")
    driver.press("a")
    driver.press("c:1")
    driver.text("年度交流会")
    driver.text("¥2,000.50")
    driver.press("s")
    assert "Total Amount (yuan): CN¥17,000.50" in driver.last()
    driver.press("ok")
    driver.file("plan.docx", mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    driver.press("ok")


@pytest.mark.parametrize("profile", ["gd-quality", "guiyang-kczg"])
def test_annual_plan_happy_path_with_budget_totals(profile: str) -> None:
    ctx = ctx_for(profile)
    driver = Driver(load_form("annual_plan", profile), ctx)
    _plan(driver, guiyang=profile == "guiyang-kczg")
    assert driver.draft.step == "summary"
    summary = driver.last()
    assert "1. 人才培训 · 4" in summary and "2. 技术攻关 · 2" in summary
    assert "Total in words: 壹万柒仟元伍角" in summary and "1. 专家差旅费 · 5名省外专家差旅 · CN¥15,000.00 · 5次×3000元" in summary
    out = driver.press("sub")
    assert out.submitted is not None
    assert out.submitted["year"] == 2027
    assert out.submitted["budget"] == [
        {"category": "travel", "content": "5名省外专家差旅", "amount": "15000.00", "basis": "5次×3000元"},
        {"category": "meeting", "content": "年度交流会", "amount": "2000.50", "basis": None},
    ]
    assert ("phases" in out.submitted) is (profile == "guiyang-kczg")


def test_annual_plan_refuses_a_non_word_attachment() -> None:
    driver = Driver(load_form("annual_plan", "quzhou"), ctx_for("quzhou"))
    _plan_until_attachments(driver)
    before = driver.draft
    assert driver.file("photo.jpg", mime="image/jpeg", kind="photo").draft is before


def _plan_until_attachments(driver: Driver) -> None:
    driver.text("2028")
    driver.text("目标")
    driver.text("1")
    driver.text("3")
    driver.press("ok")
    driver.press("s")
    assert driver.draft.step == "attachments"


def test_repeat_group_back_remove_and_min_rows() -> None:
    driver = Driver(load_form("annual_plan", "quzhou"), ctx_for("quzhou"))
    driver.text("2028")
    driver.text("目标")
    assert driver.draft.step == "activities" and driver.draft.ui["sub"] == "activity_type"
    assert "f:7:3:s" not in driver.actions(), "a required group cannot be skipped"
    driver.press("c:0")
    driver.press("b")
    assert driver.draft.ui["sub"] == "activity_type"
    driver.press("c:1")
    driver.text("3")
    driver.press("rl")
    assert driver.draft.answers["activities"] == [] and driver.draft.ui["sub"] == "activity_type"
    driver.press("b")
    assert driver.draft.step == "goals"
    driver.press("kp")
    driver.text("2")
    driver.text("5")
    driver.press("ok")
    assert driver.draft.answers["activities"] == [{"activity_type": "consulting", "target": 5}]


def test_annual_summary_shows_ledger_counts_read_only(ctx: FormContext) -> None:
    driver = Driver(load_form("annual_summary", "gd-scst"), ctx)
    assert "Example: 2026" in driver.last() and "f:7:1:u" in driver.actions()
    driver.press("u")
    driver.text("解决技术难题6项。")
    driver.press("s")
    driver.press("s")
    assert "s" not in [a.rsplit(":", 1)[-1] for a in driver.actions()], "the signed summary cannot be skipped"
    driver.file("summary.pdf")
    driver.press("ok")
    summary = driver.last()
    assert "Activities recorded in the ledger for this year (read-only):" in summary
    assert "人才培训: 3" in summary and "咨询论证: 1" in summary
    out = driver.press("sub")
    assert out.submitted == {"year": 2026, "achievements": "解决技术难题6项。", "problems": None,
                             "next_direction": None, "attachments": out.submitted["attachments"]}
    assert [f["name"] for f in out.submitted["attachments"]] == ["summary.pdf"]


def test_activity_happy_path_with_a_new_demand_unit() -> None:
    driver = Driver(load_form("activity", "quzhou"), ctx_for("quzhou"))
    driver.press("c:2")
    driver.text("陶瓷企业窑炉节能技术攻关")
    driver.text("昨天")
    driver.press("s")
    driver.press("c:1")
    assert driver.draft.step == "new_unit_name"
    driver.text("佛山某新材料有限公司")
    driver.press("s")
    driver.text("王五")
    driver.text("0757-12345678")
    assert driver.draft.step == "new_need", "a new unit's need is new: no list to pick from"
    driver.text("窑炉节能")
    driver.press("t:0")
    driver.press("t:2")
    driver.press("ok")
    assert driver.draft.step == "new_experts"
    driver.text("刘二")
    driver.text("工程师")
    driver.press("c:0")
    driver.press("ok")
    driver.text("6")
    driver.text("30")
    driver.press("z")
    driver.file("photo.jpg", mime="image/jpeg", kind="photo")
    driver.file("签到表.pdf")
    driver.press("ok")
    out = driver.press("sub")
    assert out.submitted is not None
    assert out.submitted["demand_unit"] == "new" and out.submitted["new_unit_contact_phone"] == "0757-12345678"
    assert out.submitted["start_date"] == "2027-02-09" and out.submitted["end_date"] is None
    assert out.submitted["outcomes"] == {"problems_solved": 0, "standards": 0}
    assert out.submitted["days_each"] == 6 and len(out.submitted["evidence"]) == 2
    assert out.submitted["new_need"] == "窑炉节能" and out.submitted["expert_picks"] == ["1", "new"]
    assert out.submitted["new_experts"] == [{"name": "刘二", "title": "工程师", "outside_province": True}]


def test_activity_known_demand_unit_skips_the_new_unit_questions() -> None:
    driver = Driver(load_form("activity", "wuhan-qis"), ctx_for("wuhan-qis"))
    driver.press("c:0")
    driver.text("质量管理培训")
    driver.text("2027-02-03")
    driver.text("2027-02-04")
    driver.text("佛山某陶瓷")
    assert driver.draft.step == "need" and "Step 6 of 10" in driver.last()
    driver.press("c:0")
    assert driver.draft.answers["need"] == "5" and driver.draft.step == "expert_picks"
