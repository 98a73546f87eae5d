"""Satisfaction as the seeds word it: level points, the station's mean, "高于 80", and the 3-rating minimum."""

from __future__ import annotations

import pytest

from rules.profile import load_profile
from rules.satisfaction import MIN_RATINGS_FOR_AGGREGATES, aggregate, meets_target

WUHAN = load_profile("wuhan-qis").rating
DIMENSIONS = ("venue", "response", "expertise", "integrity", "expectations")


def answer(*stars: int) -> dict[str, int]:
    return dict(zip(DIMENSIONS, stars, strict=True))


@pytest.mark.parametrize(("value", "met"), [(80.0, False), (80.1, True), (79.9, False), (100.0, True)])
def test_wuhan_satisfaction_target_strictly_above_80_seed002_annex(value: float, met: bool) -> None:
    """附件 服务满意度评价: 满意度高于80分 — exactly 80 does not meet it."""
    assert meets_target(value, WUHAN) is met


def test_at_least_wording_includes_the_target() -> None:
    spec = WUHAN.model_copy(update={"target_comparison": "at_least"})
    assert meets_target(80.0, spec) and not meets_target(79.9, spec)


def test_all_satisfied_answers_give_80_and_do_not_meet_above_80_seed002_annex() -> None:
    """Three units answering 满意 on every question: 80, which is not 高于80分."""
    result = aggregate([answer(4, 4, 4, 4, 4)] * 3, WUHAN)
    assert (result.count, result.average, result.met) == (3, 80.0, False)
    assert result.per_dimension == dict.fromkeys(DIMENSIONS, 4.0)


def test_station_score_is_the_mean_of_the_ratings_seed002_annex() -> None:
    ratings = [answer(5, 5, 5, 5, 5), answer(4, 4, 4, 4, 5), answer(3, 4, 4, 4, 4)]  # 100, 84, 76
    result = aggregate(ratings, WUHAN)
    assert result.average == round((100 + 84 + 76) / 3, 2) and result.met is True


@pytest.mark.parametrize("n", [0, 1, 2])
def test_fewer_than_3_ratings_give_no_figure_society_rule(n: int) -> None:
    """Mission rule: managers never see an aggregate of fewer than 3 ratings (it identifies the rater)."""
    result = aggregate([answer(2, 3, 4, 5, 1)] * n, WUHAN)
    assert result.count == n and result.average is None and result.met is None and result.per_dimension == {}
    assert not result.shown and MIN_RATINGS_FOR_AGGREGATES == 3


def test_answers_outside_the_scale_are_ignored() -> None:
    result = aggregate([answer(5, 5, 5, 5, 5), {"venue": 9, "response": True}, answer(1, 1, 1, 1, 1)], WUHAN)
    assert result.count == 3 and result.average == 60.0  # (100 + 20) / 2: the broken rating has no stars
