"""Satisfaction: points per answer level, a rating's score, a station's mean, the target, the minimum.

Pure: the caller loads the ratings. Every satisfaction figure the bot shows comes from here, so
the level points (a profile setting), the target's wording ("高于 80" is strictly above) and the
anonymity minimum are applied the same way on every surface.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rules.profile import RatingSpec

# Mission rule (society rule): managers see rating aggregates only, never from fewer than 3 ratings,
# since one or two ratings of a station with few demand units identify the rater.
MIN_RATINGS_FOR_AGGREGATES = 3
MIN_RATINGS_SOURCE = "society rule: aggregates only, never from fewer than 3 ratings (the rater could be told)"


def level_points(spec: RatingSpec) -> tuple[float, ...]:
    """Points of 1 star, 2 stars ... ``scale`` stars (worst to best)."""
    if spec.level_points is not None:
        return tuple(reversed(spec.level_points))
    return tuple(round(stars / spec.scale * 100, 4) for stars in range(1, spec.scale + 1))


def points_for(stars: int, spec: RatingSpec) -> float:
    if not 1 <= stars <= spec.scale:
        raise ValueError(f"stars must lie within 1–{spec.scale}, got {stars}")
    return level_points(spec)[stars - 1]


def rating_score(stars: Sequence[int], spec: RatingSpec) -> float:
    """One rating on 0–100: the mean of its dimensions' level points (满意 on every question = 80)."""
    if not stars:
        raise ValueError("a score needs at least one dimension")
    return round(sum(points_for(s, spec) for s in stars) / len(stars), 1)


def meets_target(value: float, spec: RatingSpec) -> bool:
    """The target as the seed words it: ``above`` is strictly above (seed 002 annex: 满意度高于80分)."""
    return value > spec.target if spec.target_comparison == "above" else value >= spec.target


@dataclass(frozen=True)
class SatisfactionAggregate:
    """A station's ratings summarised; every figure is None below the minimum (only ``count`` is shown).

    ``average``: the mean of the ratings' scores (0–100); ``per_dimension``: mean stars per question.
    """

    count: int
    average: float | None
    per_dimension: dict[str, float]
    met: bool | None

    @property
    def shown(self) -> bool:
        return self.average is not None


def summarise(count: int, average: float | None, per_dimension: Mapping[str, float], spec: RatingSpec,
              minimum: int = MIN_RATINGS_FOR_AGGREGATES) -> SatisfactionAggregate:
    """The one gate every aggregate passes: below ``minimum`` ratings only the count survives."""
    if count < minimum or average is None:
        return SatisfactionAggregate(count, None, {}, None)
    average = round(average, 2)
    return SatisfactionAggregate(count, average, {k: round(v, 2) for k, v in per_dimension.items()},
                                 meets_target(average, spec))


def aggregate(ratings: Iterable[Mapping[str, object]], spec: RatingSpec,
              minimum: int = MIN_RATINGS_FOR_AGGREGATES) -> SatisfactionAggregate:
    """Summarise ratings given as ``{dimension id: stars}``; below ``minimum`` ratings nothing but the count.

    Each rating's score is computed from its stars with the profile's level points; answers outside
    the scale are ignored. The level table is looked up once and each rating read in one pass.
    """
    points = dict(enumerate(level_points(spec), start=1))
    known = [d.id for d in spec.dimensions]
    count = 0
    scores: list[float] = []
    star_sums = dict.fromkeys(known, 0)
    star_counts = dict.fromkeys(known, 0)
    for answer in ratings:
        count += 1
        total = 0.0
        n = 0
        for key in known:
            value = answer.get(key)
            if type(value) is int and value in points:
                total += points[value]
                n += 1
                star_sums[key] += value
                star_counts[key] += 1
        if n:
            scores.append(round(total / n, 1))
    average = sum(scores) / len(scores) if scores else None
    per_dimension = {key: star_sums[key] / star_counts[key] for key in known if star_counts[key]}
    return summarise(count, average, per_dimension, spec, minimum)
