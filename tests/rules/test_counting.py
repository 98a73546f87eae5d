"""What the profiles count and how (pure): the nouns of seeds 002, 003 and 004, and where each list comes from."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from rules.numerals import MAX_AMOUNT, to_chinese_capital, writable
from rules.profile import Scoring, all_profiles, load_profile
from rules.scoring import estimate_score, minimums_status, totals_from_rows
from tests.rules.test_scoring import ExpertDays, Row


def test_guiyang_ten_activities_for_one_need_are_one_need_seed003_3_3_7() -> None:
    totals = totals_from_rows([Row(need_id=4) for _ in range(10)] + [Row(need_id=None)],
                              experts=[ExpertDays(1, outside_province=True, days=1) for _ in range(5)])
    status = {m.id: m.actual for m in minimums_status(totals, load_profile("guiyang-kczg"), "national")}
    assert status == {"needs_served": 1, "experts": 1, "experts_outside": 1}, "one need, one person (5 visits)"


def test_quzhou_expert_days_are_averaged_per_expert_seed004_table() -> None:
    """"平均年度工作时间": 45 and 15 days average 30 (3 points); their sum, 60, would have given 5."""
    totals = totals_from_rows([Row()], experts=[ExpertDays(1, days=15), ExpertDays(1, days=30), ExpertDays(2, days=15)])
    assert (totals.expert_days_average, totals.experts_distinct) == (30, 2)
    estimate = estimate_score(totals, load_profile("quzhou"))
    assert estimate is not None
    assert next(line.points for line in estimate.lines if line.id == "expert_days") == 3


@pytest.mark.parametrize(("average", "points"), [(29.5, 0), (30, 3), (40, 3), (40.5, 5)])
def test_quzhou_average_bands_seed004_table(average: float, points: float) -> None:
    """30-40 天计3分, 40天以上计5分, 低于30天不得分."""
    totals = totals_from_rows([], experts=[ExpertDays(1, days=int(average * 2)), ExpertDays(2)])
    estimate = estimate_score(totals, load_profile("quzhou"))
    assert estimate is not None and totals.expert_days_average == average
    assert next(line.points for line in estimate.lines if line.id == "expert_days") == points


def test_wuhan_enterprises_trained_are_distinct_units_seed002_annex() -> None:
    rows = [Row("training", demand_unit_id=1), Row("training", demand_unit_id=1), Row("training", demand_unit_id=2),
            Row("metrology", demand_unit_id=3, participants=7)]
    totals = totals_from_rows(rows)
    status = {m.id: m.actual for m in minimums_status(totals, load_profile("wuhan-qis"), "provincial")}
    assert status["enterprises_trained"] == 2 and status["enterprise_visits"] == 7
    assert totals.metric("units:training+metrology") == 3


def test_wuhan_annex_rows_one_maximum_each_seed002_annex() -> None:
    """线下服务 (10) holds the four volume targets, 经济效益 (5) the 500 家次 and 100 problems; groups add up."""
    scoring = load_profile("wuhan-qis").scoring
    assert scoring is not None
    for group in scoring.groups:
        assert sum(i.max_points or 0 for i in scoring.items if i.group == group.id) == group.points, group.id
    rows = {i.id: i for i in scoring.items}
    parts: dict[str, list[str]] = {}
    for item in scoring.items:
        if item.part_of:
            parts.setdefault(item.part_of, []).append(item.id)
            assert item.max_points is None and item.target is not None
    assert parts == {"offline_service": ["enterprises_trained", "standards_compared", "diagnoses", "brand_integrations"],
                     "economic_benefit": ["enterprise_visits", "problems_solved"],
                     "social_benefit": ["media_reports"]}
    assert (rows["offline_service"].max_points, rows["economic_benefit"].max_points) == (10, 5)
    assert {i.id: i.target for i in scoring.items if i.target} == {
        "enterprises_trained": 200, "standards_compared": 100, "diagnoses": 30, "brand_integrations": 10,
        "enterprise_visits": 500, "problems_solved": 100, "media_reports": 5}
    assert rows["enterprise_visits"].metric == "participants", "the form's 家次 question"
    assert "enterprise_visits" not in {o.id for o in load_profile("wuhan-qis").outcome_fields}, "asked once"


def test_part_of_must_name_a_manual_row_of_the_same_group() -> None:
    base = {"kind": "counters", "source": "seed", "groups": [{"id": "a", "label": "A", "points": 10}]}
    with pytest.raises(ValidationError, match="part_of"):
        Scoring.model_validate({**base, "items": [
            {"id": "row", "label": "Row", "group": "a", "max_points": 10, "metric": "participants", "target": 5},
            {"id": "n", "label": "N", "group": "a", "metric": "participants", "target": 5, "part_of": "row"}]})
    with pytest.raises(ValidationError, match="part_of"):
        Scoring.model_validate({**base, "items": [
            {"id": "n", "label": "N", "group": "a", "max_points": 3, "metric": "participants", "target": 5,
             "part_of": "x"}]})


def test_budget_categories_say_where_they_come_from() -> None:
    """Only a seed's own list is a seed rule (seed 003 四（四）4, seed 004 第九条); the others are the society's."""
    for profile in all_profiles().values():
        source = profile.sources.get("budget_categories", "")
        assert source.startswith(("seed", "society rule")), profile.id
    assert load_profile("guiyang-kczg").sources["budget_categories"].startswith("seed 003 四（四）4")
    assert load_profile("quzhou").sources["budget_categories"].startswith("seed 004 第九条")
    for profile_id in ("gd-quality", "gd-scst", "wuhan-qis"):
        assert load_profile(profile_id).sources["budget_categories"].startswith("society rule")
    quzhou = [c.id for c in load_profile("quzhou").budget_categories]
    assert quzhou == ["coop_materials", "coop_testing", "coop_research", "coop_labour", "coop_experts",
                      "academic_exchange", "talent_services", "other"]


def test_quzhou_subsidy_and_agreement_articles_seed004_3_and_7() -> None:
    sources = load_profile("quzhou").sources
    assert sources["agreement_min_years"].startswith("seed 004 第三条（二）")
    assert sources["subsidy_yuan"].startswith("seed 004 第七条: two payments only")
    assert "year 1" in sources["subsidy_yuan"] and "year 2" in sources["subsidy_yuan"]


def test_capitals_limit() -> None:
    assert writable(MAX_AMOUNT) and not writable(MAX_AMOUNT + Decimal("0.01"))
    assert to_chinese_capital(MAX_AMOUNT).startswith("玖仟玖佰玖拾玖亿")
    with pytest.raises(ValueError):
        to_chinese_capital(MAX_AMOUNT + Decimal("0.01"))
