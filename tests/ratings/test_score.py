"""The 0–100 score of a rating: the mean of the level points (非常满意 100 … 非常不满意 20 by default).

Seed 002's annex (服务满意度评价) asks for a satisfaction score "高于80分" on five dimensions; it
does not say what each answer level is worth, so the usual 100/80/60/40/20 is a profile setting
(``level_points``) marked as the society's rule.
"""

from __future__ import annotations

import pytest

from conversations.ratings import score
from rules.profile import RatingSpec, load_profile

WUHAN = load_profile("wuhan-qis").rating


@pytest.mark.parametrize(("stars", "expected"), [
    ([5, 5, 5, 5, 5], 100.0), ([1, 1, 1, 1, 1], 20.0), ([4, 4, 4, 4, 4], 80.0),
    ([5, 4, 5, 4, 5], 92.0), ([3], 60.0), ([2, 3], 50.0),
])
def test_wuhan_levels_score_100_80_60_40_20_seed002_annex(stars: list[int], expected: float) -> None:
    """满意 (4 stars) on every question is 80, not 75 as the old (stars − 1)/(scale − 1) formula gave."""
    assert score(stars, WUHAN) == expected


@pytest.mark.parametrize("profile", ["gd-quality", "gd-scst", "wuhan-qis", "guiyang-kczg", "quzhou"])
def test_every_profile_declares_its_level_points_and_target_wording_with_a_source(profile: str) -> None:
    spec = load_profile(profile).rating
    assert spec.level_points == (100, 80, 60, 40, 20)
    assert spec.target_comparison == "above" and "seed 002" in spec.target_comparison_source
    assert spec.level_points_source


def test_level_points_are_a_profile_setting() -> None:
    spec = WUHAN.model_copy(update={"level_points": (100, 90, 70, 30, 0)})
    assert score([4, 4, 2], spec) == round((90 + 90 + 30) / 3, 1)
    default = RatingSpec(dimensions=WUHAN.dimensions, scale=4, source="test")
    assert score([4, 3, 2, 1], default) == 62.5  # 100, 75, 50, 25 when no setting is given


def test_level_points_are_validated() -> None:
    with pytest.raises(ValueError, match="one value per level"):
        RatingSpec(dimensions=WUHAN.dimensions, level_points=(100, 50), source="test")
    with pytest.raises(ValueError, match="best level down"):
        RatingSpec(dimensions=WUHAN.dimensions, level_points=(20, 40, 60, 80, 100), source="test")


def test_score_needs_dimensions() -> None:
    with pytest.raises(ValueError):
        score([], WUHAN)
