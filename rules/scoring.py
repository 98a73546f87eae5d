"""Minimums and score estimates computed from the ledger (pure: the caller loads the rows)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from rules.profile import COLUMN_METRICS, DERIVED_METRICS, Profile, ScoreItem


class LedgerRow(Protocol):
    """What scoring reads of one ledger activity (storage's row satisfies it)."""

    activity_type: str
    demand_unit_id: int | None
    need_id: int | None
    expert_days: int
    participants: int
    outcomes: dict[str, Any]


class ExpertYear(Protocol):
    """One roster expert's year at a station: the days summed over the activities they joined."""

    expert_id: int
    outside_province: bool
    days: int


def expert_names(text: str) -> list[str]:
    """Names typed on a phone as "张三，李四、王五": the same expert in two activities counts once."""
    for separator in ("，", "、", ";", "；"):
        text = text.replace(separator, ",")
    return [name.strip() for name in text.split(",") if name.strip()]


@dataclass
class LedgerTotals:
    """A station's year, added up once; every minimum and score row reads a metric of it.

    Counts follow the seed's noun (seed 003 三（三）7 "服务的技术需求 N 项", "专家 N 人"): needs and
    experts are distinct (a need served by ten activities is one need, an expert who came five
    times is one person); ``expert_days_average`` is the days per distinct expert (seed 004
    在站时间 "平均年度工作时间"), ``units_by_type`` the distinct demand units per activity type
    (seed 002 annex "为200家以上企业提供培训").
    """

    year: int | None = None
    activities: int = 0
    needs_served: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    units_by_type: dict[str, set[int]] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    expert_days: int = 0
    expert_days_average: float = 0.0
    experts_distinct: int = 0
    experts_outside_province: int = 0
    participants: int = 0
    sums: dict[str, float] = field(default_factory=dict)

    def metric(self, name: str) -> float:
        """``activities``, ``needs_served`` ..., ``activity:<type>``, ``units:<type>``, ``outcome:a+b``, ``sum:<column>``."""
        name = COLUMN_METRICS.get(name, name)
        if name.startswith("sum:"):
            column = name[len("sum:"):]
            if column in self.sums:
                return float(self.sums[column])
            # A snapshot frozen before ``sums`` existed still holds these two as fields.
            return float(getattr(self, column)) if column in LEGACY_SUMS else 0.0
        if name.startswith("outcome:"):
            return float(sum(self.outcomes.get(part, 0) for part in name[len("outcome:"):].split("+")))
        if name.startswith("activity:"):
            return float(sum(self.by_type.get(part, 0) for part in name[len("activity:"):].split("+")))
        if name.startswith("units:"):
            parts = name[len("units:"):].split("+")
            return float(len(set().union(*(self.units_by_type.get(part, set()) for part in parts))))
        if name not in DERIVED_METRICS:
            raise KeyError(f"unknown ledger metric {name!r}")
        return float(getattr(self, name))


LEGACY_SUMS = ("expert_days", "participants")


@dataclass
class Wanted:
    """What a set of metrics reads of the ledger, so the query computes only that (see ``wanted_for``).

    ``units`` / ``outcomes``: the activity types / outcome keys read; None: all of them.
    """

    counts: bool = False
    needs: bool = False
    experts: bool = False
    sums: set[str] = field(default_factory=set)
    units: set[str] | None = field(default_factory=set)
    outcomes: set[str] | None = field(default_factory=set)


def wanted_for(metrics: Iterable[str]) -> Wanted:
    """The parts of ``LedgerTotals`` the metrics read (names as validated by ``rules.profile.metric_problem``)."""
    wanted = Wanted()
    for metric in metrics:
        name = COLUMN_METRICS.get(metric, metric)
        prefix, _, rest = name.partition(":")
        parts = rest.split("+")
        if name in ("activities",) or prefix == "activity":
            wanted.counts = True
        elif name == "needs_served":
            wanted.needs = True
        elif name == "expert_days":
            wanted.sums.add("expert_days")
        elif name in ("expert_days_average", "experts_distinct", "experts_outside_province"):
            wanted.experts = True
        elif prefix == "sum":
            wanted.sums.add(rest)
        elif prefix == "units" and wanted.units is not None:
            wanted.units.update(parts)
        elif prefix == "outcome" and wanted.outcomes is not None:
            wanted.outcomes.update(parts)
        elif prefix not in ("units", "outcome"):
            raise KeyError(f"unknown ledger metric {metric!r}")
    return wanted


def profile_metrics(profile: Profile, minimums_only: bool = False) -> list[str]:
    """The metrics a profile's minimums (and, unless ``minimums_only``, its score rows) read."""
    if minimums_only:
        return [m.metric for m in profile.yearly_minimums]
    return [metric for _, metric in profile.metrics()]


def totals_from_rows(rows: Iterable[LedgerRow], year: int | None = None,
                     experts: Iterable[ExpertYear] = ()) -> LedgerTotals:
    """Add up the rows of one year (the caller selects them) and the roster experts' days that year.

    The reference for ``storage.ledger.totals_by_station``, which does the same in SQL.
    """
    totals = LedgerTotals(year=year)
    needs: set[int] = set()
    for row in rows:
        totals.activities += 1
        if row.need_id is not None:
            needs.add(row.need_id)
        totals.by_type[row.activity_type] = totals.by_type.get(row.activity_type, 0) + 1
        if row.demand_unit_id is not None:
            totals.units_by_type.setdefault(row.activity_type, set()).add(row.demand_unit_id)
        for key, value in (row.outcomes or {}).items():
            if isinstance(value, int) and not isinstance(value, bool):
                totals.outcomes[key] = totals.outcomes.get(key, 0) + value
        totals.expert_days += row.expert_days
        totals.participants += row.participants
    totals.needs_served = len(needs)
    totals.sums = {"expert_days": totals.expert_days, "participants": totals.participants}
    add_experts(totals, experts)
    return totals


def add_experts(totals: LedgerTotals, experts: Iterable[ExpertYear]) -> None:
    """The roster's counts: distinct experts, those from outside the province, days per distinct expert."""
    days: dict[int, int] = {}
    outside: set[int] = set()
    for expert in experts:
        days[expert.expert_id] = days.get(expert.expert_id, 0) + expert.days
        if expert.outside_province:
            outside.add(expert.expert_id)
    totals.experts_distinct = len(days)
    totals.experts_outside_province = len(outside)
    totals.expert_days_average = sum(days.values()) / len(days) if days else 0.0


@dataclass(frozen=True)
class MinimumStatus:
    id: str
    label: str
    required: int
    actual: int
    met: bool


def minimums_status(totals: LedgerTotals, profile: Profile, society_level: str) -> list[MinimumStatus]:
    """Each yearly floor that applies at this society level, with the year's actual count."""
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
    """One row of the estimate; ``points`` is None for counters and for manual rows nobody scored yet."""

    id: str
    label: str
    group: str
    points: float | None
    max_points: float | None
    actual: float | None = None
    target: int | None = None
    manual: bool = False
    capped: bool = True

    @property
    def met(self) -> bool | None:
        """For counters: whether the target is reached."""
        if self.target is None or self.actual is None:
            return None
        return self.actual >= self.target


@dataclass(frozen=True)
class ScoreEstimate:
    """The table filled in so far: a range while rows that staff score are unscored.

    ``automatic``: points of the rows computed from the ledger; ``manual_scored``: points staff gave;
    ``low`` = automatic + manual_scored; ``high`` = low + the maxima of the rows in ``awaiting``.
    ``passes`` is only stated when the whole range lies on one side of ``pass_mark`` (else None, as
    for counter profiles without a pass mark); 优秀 is never claimed.
    """

    kind: str
    lines: list[ScoreLine]
    automatic: float
    manual_scored: float
    awaiting: list[ScoreLine]
    pass_mark: float | None
    passes: bool | None

    @property
    def low(self) -> float:
        return self.automatic + self.manual_scored

    @property
    def high(self) -> float:
        return self.low + self.manual_points_missing

    @property
    def manual_points_missing(self) -> float:
        return sum(line.max_points or 0 for line in self.awaiting)

    @property
    def total(self) -> float:
        """The points known so far (``low``); the final total is only known when nothing awaits staff."""
        return self.low

    @property
    def decided(self) -> bool:
        return self.passes is not None

    def group_total(self, group: str) -> float:
        return sum(line.points or 0 for line in self.lines if line.group == group)


def _weighted(item: ScoreItem, totals: LedgerTotals) -> tuple[float, float]:
    """(units counted, points) of a ``weights`` row.

    With ``first_points`` (quzhou awards: "1项者获5分，超过1项者...另加2、3和4分") the first
    unit scores ``first_points`` and the others their weight. Which award is "the first" is
    not said, so the estimate takes the one with the largest weight as the first: the lower
    reading, because an estimate that promises more than the assessors give misleads.
    """
    units = {key: totals.outcomes.get(key, 0) for key in item.weights}
    count = float(sum(units.values()))
    points = sum(item.weights[key] * n for key, n in units.items())
    if item.first_points is not None and count:
        largest = max(item.weights[key] for key, n in units.items() if n)
        points += item.first_points - largest
    return count, float(points)


def _line(item: ScoreItem, totals: LedgerTotals, manual: Mapping[str, float]) -> ScoreLine:
    if item.manual:
        given = manual.get(item.id)
        points = None if given is None else max(0.0, min(float(given), item.max_points or 0.0))
        return ScoreLine(item.id, item.label, item.group, points, item.max_points, manual=True)
    if item.weights:
        actual, points = _weighted(item, totals)
    else:
        assert item.metric is not None
        actual = totals.metric(item.metric)
        if item.target is not None:
            return ScoreLine(item.id, item.label, item.group, None, item.max_points, actual, item.target)
        points = next((band.points for band in item.bands if band.contains(actual)), 0.0)
    if item.capped and item.max_points is not None:
        points = min(points, item.max_points)
    return ScoreLine(item.id, item.label, item.group, points, item.max_points, actual, capped=item.capped)


def verdict(low: float, high: float, pass_mark: float | None) -> bool | None:
    """Pass (True) or fail (False) only when ``low..high`` is wholly on one side of the mark.

    quzhou 第十七条: 评分低于 60 分的为不合格, so exactly 60 passes.
    """
    if pass_mark is None:
        return None
    if low >= pass_mark:
        return True
    if high < pass_mark:
        return False
    return None


def estimate_score(totals: LedgerTotals, profile: Profile,
                   manual: Mapping[str, float] | None = None) -> ScoreEstimate | None:
    """The profile's table filled in from the ledger and the staff's scores, or None without scoring.

    ``manual``: row id -> points staff gave to a manual row (facilities, systems ...); a row absent
    from it is not scored yet and widens the range by its maximum instead of counting 0 (quzhou's
    building rows are 35 points: a station must not read "failing" before staff have scored them).
    """
    scoring = profile.scoring
    if scoring is None:
        return None
    given = manual or {}
    lines = [_line(item, totals, given) for item in scoring.items]
    automatic = sum(line.points or 0 for line in lines if not line.manual)
    scored = sum(line.points or 0 for line in lines if line.manual)
    awaiting = [line for line in lines if line.manual and line.points is None]
    high = automatic + scored + sum(line.max_points or 0 for line in awaiting)
    passes = verdict(automatic + scored, high, scoring.pass_mark) if scoring.kind == "table" else None
    return ScoreEstimate(scoring.kind, lines, automatic, scored, awaiting, scoring.pass_mark, passes)
