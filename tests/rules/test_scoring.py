"""Minimums and score estimates from the ledger, with worked examples computed by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from rules.profile import load_profile
from rules.scoring import LedgerTotals, estimate_score, minimums_status, totals_from_rows


@dataclass
class Row:
    activity_type: str = "tackling"
    demand_unit_id: int | None = 1
    need_id: int | None = None
    expert_days: int = 0
    participants: int = 0
    outcomes: dict[str, Any] = field(default_factory=dict)


@dataclass
class ExpertDays:
    expert_id: int
    outside_province: bool = False
    days: int = 0


def test_totals_from_rows() -> None:
    rows = [Row(need_id=7, expert_days=2, outcomes={"problems_solved": 2, "flag": True}),
            Row(activity_type="talent", demand_unit_id=None, outcomes={"problems_solved": 1})]
    experts = [ExpertDays(1, days=1), ExpertDays(2, days=1), ExpertDays(3)]
    totals = totals_from_rows(rows, year=2027, experts=experts)
    assert totals.year == 2027 and totals.activities == 2 and totals.needs_served == 1
    assert totals.by_type == {"tackling": 1, "talent": 1}
    assert totals.outcomes == {"problems_solved": 3}, "booleans are not counts"
    assert totals.experts_distinct == 3 and totals.expert_days == 2
    assert totals.metric("activity:tackling+talent") == 2
    with pytest.raises(KeyError):
        totals.metric("year")


def test_guiyang_minimums_by_society_level() -> None:
    rows = [Row(need_id=n) for n in range(4)] + [Row(demand_unit_id=None)]
    experts = [ExpertDays(1, outside_province=True, days=3), ExpertDays(2, days=3)]
    totals = totals_from_rows(rows, experts=experts)
    status = {m.id: m for m in minimums_status(totals, load_profile("guiyang-kczg"), "provincial")}
    assert (status["needs_served"].actual, status["needs_served"].required, status["needs_served"].met) == (4, 5, False)
    assert status["experts"].actual == 2
    assert "experts_outside" not in status, "only national societies have the outside-province floor"
    national = {m.id: m for m in minimums_status(totals, load_profile("guiyang-kczg"), "national")}
    assert national["experts_outside"].required == 5 and national["experts_outside"].actual == 1
    municipal = {m.id: m for m in minimums_status(totals, load_profile("guiyang-kczg"), "municipal")}
    assert municipal["needs_served"].met and municipal["needs_served"].required == 3


def test_wuhan_minimums() -> None:
    totals = LedgerTotals(units_by_type={"training": set(range(200))}, outcomes={"media_city": 3, "media_national": 1})
    status = {m.id: m for m in minimums_status(totals, load_profile("wuhan-qis"), "provincial")}
    assert status["enterprises_trained"].met and status["enterprise_visits"].required == 500
    assert (status["media_reports"].actual, status["media_reports"].met) == (4, False)


def test_quzhou_score_worked_example_seed004_annex() -> None:
    # expert days 35 -> 3 (30–40 band); consulting: 1 report + 2 adopted = 3 x 5 = 15, capped at 10;
    # exchange: 1 big meeting 10 + 1 salon 5 = 15, capped at 10; problems: 2 x 5 = 10 (no cap);
    # group standard 3 (no cap); one provincial award = the first award, 5; 1 national media report 5.
    # Automatic = 3 + 10 + 10 + 10 + 3 + 5 + 5 = 46; building (35) is staff-assessed: the range is 46..81.
    rows = [Row(expert_days=35, outcomes={"reports_written": 1, "reports_adopted": 2, "big_meetings": 1, "salons": 1,
                                          "problems_solved": 2, "standards_group": 1, "awards_provincial": 1,
                                          "media_national": 1})]
    quzhou = load_profile("quzhou")
    estimate = estimate_score(totals_from_rows(rows, experts=[ExpertDays(1, days=35)]), quzhou, {})
    assert estimate is not None
    assert (estimate.automatic, estimate.manual_scored, estimate.low, estimate.high) == (46, 0, 46, 81)
    assert estimate.passes is None, "60 lies within 46..81: no verdict (第十七条 低于60分为不合格)"
    assert [line.id for line in estimate.awaiting] == ["facilities", "funding_systems", "project_planning",
                                                       "coordination", "radiation"]
    assert estimate.manual_points_missing == 35
    assert estimate.group_total("operation") == 23 and estimate.group_total("output") == 23
    # Staff add building: facilities 12 (clipped to its 10), funding 8, planning 4 -> 46 + 22 = 68..78.
    with_building = estimate_score(totals_from_rows(rows, experts=[ExpertDays(1, days=35)]), quzhou,
                                   {"facilities": 12, "funding_systems": 8, "project_planning": 4})
    assert with_building is not None
    assert (with_building.manual_scored, with_building.low, with_building.high) == (22, 68, 78)
    assert with_building.passes is True, "the whole range is at or above 60"
    assert [line.id for line in with_building.awaiting] == ["coordination", "radiation"]


def test_quzhou_states_failing_only_when_even_full_staff_marks_stay_below_60_seed004_art17() -> None:
    """第十七条: 评分低于 60 分的为不合格. Automatic 13 + at most 35 from staff = 48 < 60: failing is certain."""
    quzhou = load_profile("quzhou")
    estimate = estimate_score(totals_from_rows([Row(expert_days=35, outcomes={"problems_solved": 2})],
                                               experts=[ExpertDays(1, days=35)]), quzhou, {})
    assert estimate is not None and (estimate.low, estimate.high) == (13, 48)
    assert estimate.passes is False


@pytest.mark.parametrize(("manual", "passes"), [
    ({"facilities": 10, "funding_systems": 10, "project_planning": 5, "coordination": 4, "radiation": 6}, True),
    ({"facilities": 0}, None),
    ({"facilities": 0, "funding_systems": 0, "project_planning": 0, "coordination": 0, "radiation": 0}, False),
])
def test_quzhou_verdict_only_when_the_range_is_on_one_side_of_60_seed004_art17(
        manual: dict[str, float], passes: bool | None) -> None:
    quzhou = load_profile("quzhou")
    # experts' days 45 -> 5; 2 reports -> 10; 1 big meeting -> 10; 2 problems -> 10: 35 automatic.
    rows = [Row(expert_days=45, outcomes={"problems_solved": 2, "reports_written": 2, "big_meetings": 1})]
    estimate = estimate_score(totals_from_rows(rows, experts=[ExpertDays(1, days=45)]), quzhou, manual)
    assert estimate is not None and estimate.automatic == 35
    assert estimate.passes is passes
    assert estimate.high == estimate.low + sum(line.max_points or 0 for line in estimate.awaiting)
    if manual == {"facilities": 0}:
        assert (estimate.low, estimate.high) == (35, 60), "60 is reachable: no verdict"


def test_quzhou_exactly_60_passes_seed004_art17() -> None:
    """Only a score below 60 fails (评分低于 60 分的为不合格): 60 with nothing awaiting passes."""
    from rules.scoring import verdict

    assert verdict(60, 60, 60) is True and verdict(59.5, 59.5, 60) is False and verdict(55, 60, 60) is None


@pytest.mark.parametrize(("awards", "points"), [
    ({}, 0),
    ({"awards_city": 1}, 5),                            # the first award: 5
    ({"awards_national": 1}, 5),
    ({"awards_city": 1, "awards_national": 1}, 7),      # 5 + the city one's 2 (national taken as the first)
    ({"awards_provincial": 2, "awards_national": 1}, 11),  # 5 + 3 + 3
    ({"awards_city": 4}, 11),                           # 5 + 3 x 2, no cap
])
def test_quzhou_awards(awards: dict[str, int], points: int) -> None:
    estimate = estimate_score(LedgerTotals(outcomes=awards), load_profile("quzhou"))
    assert estimate is not None
    assert next(line for line in estimate.lines if line.id == "awards").points == points


@pytest.mark.parametrize(("days", "points"), [(0, 0), (29, 0), (30, 3), (40, 3), (41, 5), (200, 5)])
def test_quzhou_expert_day_bands(days: int, points: int) -> None:
    estimate = estimate_score(LedgerTotals(expert_days_average=days), load_profile("quzhou"))
    assert estimate is not None
    assert next(line for line in estimate.lines if line.id == "expert_days").points == points


def test_quzhou_uncapped_output_can_pass_alone() -> None:
    # Media: 4 national x 5 = 20; problems: 5 x 5 = 25; commercialised: 3 x 5 = 15 -> 60, no caps.
    totals = LedgerTotals(outcomes={"media_national": 4, "problems_solved": 5, "results_commercialised": 3})
    estimate = estimate_score(totals, load_profile("quzhou"))
    assert estimate is not None and estimate.total == 60 and estimate.passes is True


def test_wuhan_counters_against_targets() -> None:
    totals = LedgerTotals(participants=120, outcomes={"media_city": 2, "media_national": 1, "diagnoses": 30})
    estimate = estimate_score(totals, load_profile("wuhan-qis"))
    assert estimate is not None and estimate.passes is None and estimate.kind == "counters"
    lines = {line.id: line for line in estimate.lines}
    assert (lines["enterprise_visits"].actual, lines["enterprise_visits"].target, lines["enterprise_visits"].met) == (
        120, 500, False)
    assert lines["media_reports"].actual == 3
    assert lines["diagnoses"].met is True
    assert all(line.points is None for line in estimate.lines)


def test_profiles_without_scoring() -> None:
    assert estimate_score(LedgerTotals(), load_profile("gd-quality")) is None
    assert minimums_status(LedgerTotals(), load_profile("gd-quality"), "national") == []
