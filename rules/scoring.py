"""Minimums and score estimates computed from the ledger (pure: the caller loads the rows)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from rules.profile import Profile


class LedgerRow(Protocol):
    activity_type: str
    demand_unit_id: int | None
    experts: str
    experts_outside_province: int
    expert_days: int
    participants: int
    outcomes: dict[str, Any]


def expert_names(text: str) -> list[str]:
    for separator in ("，", "、", ";", "；"):
        text = text.replace(separator, ",")
    return [name.strip() for name in text.split(",") if name.strip()]


@dataclass
class LedgerTotals:
    """A station's year, added up once; every minimum and score row reads a metric of it."""

    activities: int = 0
    needs_served: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    expert_days: int = 0
    experts_distinct: int = 0
    experts_outside_province: int = 0
    participants: int = 0

    def metric(self, name: str) -> float:
        """``activities``, ``needs_served``, ``expert_days`` ..., ``activity:<type>``, ``outcome:a+b``."""
        if name.startswith("outcome:"):
            return float(sum(self.outcomes.get(part, 0) for part in name[len("outcome:"):].split("+")))
        if name.startswith("activity:"):
            return float(sum(self.by_type.get(part, 0) for part in name[len("activity:"):].split("+")))
        value = getattr(self, name, None)
        if not isinstance(value, int):
            raise KeyError(f"unknown ledger metric {name!r}")
        return float(value)


def totals_from_rows(rows: Iterable[LedgerRow]) -> LedgerTotals:
    totals = LedgerTotals()
    names: set[str] = set()
    for row in rows:
        totals.activities += 1
        totals.needs_served += row.demand_unit_id is not None
        totals.by_type[row.activity_type] = totals.by_type.get(row.activity_type, 0) + 1
        for key, value in (row.outcomes or {}).items():
            if isinstance(value, int) and not isinstance(value, bool):
                totals.outcomes[key] = totals.outcomes.get(key, 0) + value
        totals.expert_days += row.expert_days
        totals.experts_outside_province += row.experts_outside_province
        totals.participants += row.participants
        names.update(expert_names(row.experts))
    totals.experts_distinct = len(names)
    return totals


@dataclass(frozen=True)
class MinimumStatus:
    id: str
    label: str
    required: int
    actual: int
    met: bool


def minimums_status(totals: LedgerTotals, profile: Profile, society_level: str) -> list[MinimumStatus]:
    result = []
    for minimum in profile.yearly_minimums:
        required = minimum.required(society_level)
        if required is None:
            continue
        actual = int(totals.metric(minimum.metric))
        result.append(MinimumStatus(minimum.id, minimum.label, required, actual, actual >= required))
    return result


@dataclass(frozen=True)
class ScoreLine:
    id: str
    label: str
    group: str
    points: float | None
    max_points: float | None
    actual: float | None = None
    target: int | None = None
    manual: bool = False


@dataclass(frozen=True)
class ScoreEstimate:
    kind: str
    total: float
    lines: list[ScoreLine]
    passes: bool | None
    manual_points_missing: float


def _computed(item: Any, value: float) -> float:
    if item.bands:
        for band in item.bands:
            if value >= band.low and (band.high is None or value <= band.high):
                return float(band.points)
        return 0.0
    return float(item.points_each) * value


def estimate_score(totals: LedgerTotals, profile: Profile, manual: Mapping[str, float] | None = None) -> ScoreEstimate | None:
    """The profile's table filled in from the ledger; manual rows count only what staff entered.

    ``passes`` compares with the pass mark (quzhou: < 60 fails). 优秀 is relative (top 20%),
    so it is never claimed here.
    """
    scoring = profile.scoring
    if scoring is None:
        return None
    manual = manual or {}
    lines: list[ScoreLine] = []
    group_used: dict[str, float] = {}
    missing = 0.0
    for item in scoring.items:
        if item.manual:
            given = manual.get(item.id)
            if given is None:
                missing += item.max_points or 0
            points = min(float(given or 0), item.max_points or float(given or 0))
            lines.append(ScoreLine(item.id, item.label, item.group, points if given is not None else None,
                                   item.max_points, manual=True))
            continue
        assert item.metric is not None
        value = totals.metric(item.metric)
        if item.target is not None:
            lines.append(ScoreLine(item.id, item.label, item.group, None, None, value, item.target))
            continue
        points = _computed(item, value)
        if item.max_points is not None:
            points = min(points, item.max_points)
        if item.cap_group is not None and item.cap_group in scoring.caps:
            room = scoring.caps[item.cap_group] - group_used.get(item.cap_group, 0.0)
            points = max(0.0, min(points, room))
            group_used[item.cap_group] = group_used.get(item.cap_group, 0.0) + points
        lines.append(ScoreLine(item.id, item.label, item.group, points, item.max_points, value))
    total = sum(line.points or 0 for line in lines)
    passes = total >= scoring.pass_mark if scoring.pass_mark is not None else None
    return ScoreEstimate(scoring.kind, total, lines, passes, missing)
