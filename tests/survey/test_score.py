"""The 0–100 score of a rating: (mean of the dimensions − 1) / (scale − 1) × 100."""

from __future__ import annotations

import pytest

from conversations.survey import score


@pytest.mark.parametrize(("stars", "scale", "expected"), [
    ([5, 5, 5, 5, 5], 5, 100.0), ([1, 1, 1, 1, 1], 5, 0.0), ([4, 4, 4, 4, 4], 5, 75.0),
    ([5, 4, 5, 4, 5], 5, 90.0), ([3], 5, 50.0), ([10, 1], 10, 50.0),
])
def test_score_scales_the_mean_to_0_100(stars: list[int], scale: int, expected: float) -> None:
    assert score(stars, scale) == expected


def test_score_needs_dimensions() -> None:
    with pytest.raises(ValueError):
        score([], 5)
