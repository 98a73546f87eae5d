"""Verdicts of an assessment round from each profile's ``[assessment]`` rules (pure).

Grades, the 优秀 quota, award tiers and the consequences the bot proposes. A tie at a quota or tier
boundary is never broken here: it is returned as a ``Tie`` for staff to decide (``staff_order``), and
the tied stations get no grade or tier until then.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rules.assessment_spec import AssessmentSpec
from rules.profile import Profile
from rules.scoring import LedgerTotals, ScoreLine, estimate_score


@dataclass(frozen=True)
class Participant:
    """One station in the round: ``total`` points (None: no points), ``took_part`` (submitted material)."""

    station_id: int
    total: float | None = None
    took_part: bool = True
    new: bool = False
    staff_grade: str | None = None
    absence_excused: bool = False


@dataclass(frozen=True)
class Tie:
    """Stations with equal points across a boundary: ``slots`` of them get ``what`` (a grade or tier id)."""

    what: str
    station_ids: tuple[int, ...]
    slots: int
    points: float


@dataclass(frozen=True)
class Verdict:
    station_id: int
    grade: str | None  # None: waiting for staff (a grade to choose, or a tie to decide)
    rank: int | None = None
    tier: str | None = None
    absent: bool = False
    excused: bool = False
    waiting: str = ""  # "grade" (staff choose) or "tie"


@dataclass
class Outcome:
    verdicts: dict[int, Verdict] = field(default_factory=dict)
    ties: list[Tie] = field(default_factory=list)
    participants: int = 0

    @property
    def complete(self) -> bool:
        return not self.ties and all(v.grade is not None for v in self.verdicts.values())


def quota_size(share: float, participants: int) -> int:
    """"不超过 … 20%": at most share × participants, rounded down (20 % of 7 is 1)."""
    return math.floor(share * participants + 1e-9)


def _ordered(stations: Sequence[Participant], staff_order: Sequence[int]) -> list[Participant]:
    position = {sid: n for n, sid in enumerate(staff_order)}
    return sorted(stations, key=lambda p: (-(p.total or 0.0), position.get(p.station_id, len(position)),
                                           p.station_id))


def _select(stations: list[Participant], slots: int, what: str, staff_order: Sequence[int]
            ) -> tuple[list[Participant], list[Participant], Tie | None]:
    """The first ``slots`` by points; a tie across the boundary not ordered by staff is returned instead.

    Returns (chosen, rest, tie): tied stations are in neither list while the tie is open.
    """
    if slots <= 0 or not stations:
        return [], stations, None
    if len(stations) <= slots:
        return stations, [], None
    boundary = stations[slots - 1].total or 0.0
    if (stations[slots].total or 0.0) != boundary:
        return stations[:slots], stations[slots:], None
    tied = [p for p in stations if (p.total or 0.0) == boundary]  # staff-ordered first (``_ordered``)
    above = [p for p in stations if (p.total or 0.0) > boundary]
    decided = set(staff_order)
    if all(p.station_id in decided for p in tied[:slots - len(above)]):
        return stations[:slots], stations[slots:], None
    below = [p for p in stations if (p.total or 0.0) < boundary]
    tie = Tie(what, tuple(p.station_id for p in tied), slots - len(above), boundary)
    return above, below, tie


def decide(spec: AssessmentSpec, stations: Sequence[Participant], staff_order: Sequence[int] = ()) -> Outcome:
    """Grades (and ranks and tiers) of every station of one profile's round.

    ``staff_order``: station ids in the order staff decided ties (first wins); only ties use it.
    """
    outcome = Outcome()
    fail = spec.failing_grade.id
    present = [p for p in stations if p.took_part]
    outcome.participants = len(present)
    for p in stations:
        if not p.took_part:
            given = fail if spec.absence_fails else p.staff_grade
            outcome.verdicts[p.station_id] = Verdict(p.station_id, given, absent=True, excused=p.absence_excused,
                                                     waiting="" if given else "grade")
    ranked = _ordered(present, staff_order) if spec.points else list(present)
    ranks = _ranks(ranked) if spec.points else {}
    passing: list[Participant] = []
    for p in ranked:
        if spec.verdict == "pass_mark":
            assert spec.pass_mark is not None
            grade: str | None = fail if (p.total or 0.0) < spec.pass_mark else spec.default_pass_grade.id
        else:
            grade = p.staff_grade if p.staff_grade and spec.grade(p.staff_grade) else None
        outcome.verdicts[p.station_id] = Verdict(p.station_id, grade, ranks.get(p.station_id),
                                                 waiting="" if grade else "grade")
        if grade is not None and grade != fail:
            passing.append(p)
    if spec.quota is not None:
        slots = quota_size(spec.quota.share, outcome.participants)
        chosen, _, tie = _select(passing, slots, spec.quota.grade, staff_order)
        for p in chosen:
            outcome.verdicts[p.station_id] = _with(outcome.verdicts[p.station_id], grade=spec.quota.grade)
        if tie is not None:
            outcome.ties.append(tie)
            for sid in tie.station_ids:
                outcome.verdicts[sid] = _with(outcome.verdicts[sid], grade=None, waiting="tie")
    if spec.awards is not None:
        eligible = [p for p in passing if not (spec.awards.exclude_new_stations and p.new)]
        rest = eligible
        for tier in spec.awards.tiers:
            chosen, rest, tie = _select(rest, tier.max_stations, tier.id, staff_order)
            for p in chosen:
                outcome.verdicts[p.station_id] = _with(outcome.verdicts[p.station_id], tier=tier.id)
            if tie is not None:
                outcome.ties.append(tie)
                for sid in tie.station_ids:
                    outcome.verdicts[sid] = _with(outcome.verdicts[sid], waiting="tie")
                break  # the next tier's stations depend on how staff decide this tie
    return outcome


def _ranks(ordered: Sequence[Participant]) -> dict[int, int]:
    """Competition ranking (1, 2, 2, 4): equal points share a rank."""
    ranks: dict[int, int] = {}
    for n, p in enumerate(ordered):
        if n and (ordered[n - 1].total or 0.0) == (p.total or 0.0):
            ranks[p.station_id] = ranks[ordered[n - 1].station_id]
        else:
            ranks[p.station_id] = n + 1
    return ranks


def _with(verdict: Verdict, **changes: object) -> Verdict:
    values = {**verdict.__dict__, **changes}
    return Verdict(**values)


@dataclass(frozen=True)
class Proposal:
    """A consequence the bot proposes for staff to confirm: never applied on its own."""

    station_id: int
    action: str
    article: str
    clawback: bool = False


def proposals(spec: AssessmentSpec, outcome: Outcome, history: Mapping[int, Sequence[bool]] | None = None
              ) -> list[Proposal]:
    """Consequences of a complete outcome; ``history``: per station, earlier rounds failed or not, newest last.

    ``consecutive_fails`` counts this round and the rounds right before it (quzhou 第十八条（五）: two in a row).
    A station with a revocation proposed gets no rectification proposal beside it.
    """
    fail = spec.failing_grade.id
    found: list[Proposal] = []
    for sid, verdict in sorted(outcome.verdicts.items()):
        failed = verdict.grade == fail
        earlier = list((history or {}).get(sid, ()))
        streak = 0
        for past in reversed(earlier):
            if not past:
                break
            streak += 1
        mine: list[Proposal] = []
        for rule in spec.consequences:
            hit = (rule.trigger == "fail" and failed) or \
                  (rule.trigger == "consecutive_fails" and failed and streak + 1 >= rule.years) or \
                  (rule.trigger == "absent" and verdict.absent and not verdict.excused)
            if hit:
                mine.append(Proposal(sid, rule.action, rule.article, rule.clawback))
        if any(p.action == "revocation" for p in mine):
            mine = [p for p in mine if p.action == "revocation"][:1]
        found += mine
    return found


def period_of(spec: AssessmentSpec, last_year: int) -> tuple[int, int]:
    """(first year, last year) of the period ending with ``last_year`` (gd-quality: three years)."""
    return last_year - spec.period_years + 1, last_year


def missing_material(profile: Profile, submitted: set[tuple[str, int]], period: tuple[int, int],
                     founded_on: dt.date | None) -> list[tuple[str, int]]:
    """``(kind, covered year)`` of the yearly material of the period not submitted (years before founding skipped)."""
    first, last = period
    missing: list[tuple[str, int]] = []
    for year in range(first, last + 1):
        if founded_on is not None and year < founded_on.year:
            continue
        for spec in profile.duties:  # only what is owed: a duty switched off is never missing
            if (spec.id, year) not in submitted:
                missing.append((spec.id, year))
    return missing


def snapshot_of(totals: LedgerTotals) -> dict[str, Any]:
    """``totals`` as JSON can hold them: the distinct demand units per type (sets) become sorted lists."""
    data = dataclasses.asdict(totals)
    data["units_by_type"] = {kind: sorted(units) for kind, units in totals.units_by_type.items()}
    return data


def totals_from_snapshot(data: Mapping[str, Any] | None, year: int) -> LedgerTotals:
    """The ``LedgerTotals`` frozen in a snapshot (unknown keys of newer or older snapshots ignored)."""
    known = {f.name for f in dataclasses.fields(LedgerTotals)}
    values = {k: v for k, v in (data or {}).items() if k in known}
    values["year"] = year
    values["units_by_type"] = {kind: set(units) for kind, units in (values.get("units_by_type") or {}).items()}
    return LedgerTotals(**values)


@dataclass(frozen=True)
class RoundPoints:
    """A station's points in a round: every row (automatic and staff-scored), the total, rows still unscored."""

    lines: list[ScoreLine]
    total: float | None
    unscored: list[str]


def round_points(profile: Profile, totals: LedgerTotals, manual: Mapping[str, float]) -> RoundPoints:
    """The profile's table from the frozen totals plus the staff's points; ``total`` None where no points count."""
    spec = profile.assessment
    lines: list[ScoreLine] = []
    estimate = estimate_score(totals, profile, manual)
    if estimate is not None and estimate.kind == "table":
        lines += estimate.lines
    elif estimate is not None:  # a counters table (wuhan-qis annex): its points rows are the ones experts score
        lines += [line for line in estimate.lines if line.manual]
    for row in spec.manual_rows if spec else ():
        given = manual.get(row.id)
        lines.append(ScoreLine(row.id, row.label, "assessment", given, row.max_points, manual=True))
    unscored = [line.id for line in lines if line.manual and line.points is None]
    total = round(sum(line.points or 0.0 for line in lines), 2) if spec is not None and spec.points else None
    return RoundPoints(lines, total, unscored)


def new_station(founded_on: dt.date | None, period_end: int) -> bool:
    """Founded (granted the title) in the assessed year: wuhan-qis 第十九条 keeps it out of the ranking."""
    return founded_on is not None and founded_on.year >= period_end


CERTIFICATE_NOTICE_DAYS = 90


def certificate_proposals(spec: AssessmentSpec, expiries: Mapping[int, dt.date | None], today: dt.date
                          ) -> list[Proposal]:
    """A re-examination for each manager certificate expired or expiring within 90 days (gd-quality 第十七条)."""
    rule = next((c for c in spec.consequences if c.trigger == "certificate_expiry"), None)
    if rule is None:
        return []
    limit = today + dt.timedelta(days=CERTIFICATE_NOTICE_DAYS)
    return [Proposal(sid, rule.action, rule.article) for sid, expiry in sorted(expiries.items())
            if expiry is not None and expiry <= limit]
