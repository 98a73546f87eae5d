"""Policy profiles: one TOML file per regulation, validated strictly when loaded.

A malformed profile must stop the bot at start with the file, the key and what was expected,
never surface later as a wrong deadline in someone's chat.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rules.assessment_spec import AssessmentSpec
from rules.datafile import load_validated

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
SOCIETY_LEVELS = ("national", "provincial", "municipal")
ID = r"^[a-z][a-z0-9_]*$"
MONTH_DAY = r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


# Counts the ledger code derives (rows, distinct needs, the roster's experts and days): no form column holds them.
DERIVED_METRICS = ("activities", "needs_served", "expert_days", "expert_days_average", "experts_distinct",
                   "experts_outside_province")
# Names profiles used before ``sum:<column>``: each is the sum of a column the activity form declares.
COLUMN_METRICS = {"participants": "sum:participants"}
LEDGER_METRICS = (*DERIVED_METRICS, *COLUMN_METRICS)
COLUMN = re.compile(r"^[a-z][a-z0-9_]*$")


def metric_problem(metric: str, activity_ids: set[str], outcome_ids: set[str],
                   columns: Collection[str] | None = None) -> str | None:
    """None when ``metric`` names ledger totals this profile records; else what was expected.

    Metrics: one of ``LEDGER_METRICS``, ``activity:<id>+<id>`` (activities of those types),
    ``units:<id>+<id>`` (distinct demand units served by activities of those types),
    ``outcome:<id>+<id>`` or ``sum:<column>`` (a numeric ledger column the activity form declares).
    ``columns`` are those declared numeric columns; the caller that loaded the forms passes them
    (rules/ knows no forms), and without them only the shape of ``sum:<column>`` is checked.
    """
    prefix, _, rest = metric.partition(":")
    if not rest:
        if metric not in LEDGER_METRICS:
            return f"expected one of {', '.join(LEDGER_METRICS)}, activity:<id>, units:<id>, outcome:<id> " \
                f"or sum:<column>, got {metric!r}"
        metric = COLUMN_METRICS.get(metric, metric)
        prefix, _, rest = metric.partition(":")
        if not rest:
            return None
    if prefix == "sum":
        if not COLUMN.match(rest):
            return f"sum: expected a column name (lowercase letters, digits, _), got {rest!r}"
        if columns is not None and rest not in columns:
            return (f"{metric}: the activity form declares no numeric column {rest!r} "
                    f"(declared: {', '.join(sorted(columns)) or 'none'})")
        return None
    known = {"activity": activity_ids, "units": activity_ids, "outcome": outcome_ids}.get(prefix)
    if known is None:
        return f"expected the prefix activity:, units:, outcome: or sum:, got {prefix!r}"
    missing = [part for part in rest.split("+") if part not in known]
    return f"{prefix} ids not in this profile: {', '.join(missing)}" if missing else None


class ProfileError(ValueError):
    """A profile file that does not match the schema."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(_Strict):
    id: str = Field(pattern=ID, max_length=24)
    label: str = Field(min_length=1)


SOCIETY_RULE = "society rule"
SOURCE = r"^(society rule(: .+)?|seed [0-9]{3} \S.*)$"
SOURCE_ARTICLE = re.compile(r"^seed (?P<seed>[0-9]{3}) (?P<article>[^\s:：;,，]+)")


def is_society_rule(source: str) -> bool:
    """"society rule" (optionally with a note after a colon): the society's own rule, not the seed's."""
    return source.startswith(SOCIETY_RULE)


def source_article(source: str) -> tuple[str, str] | None:
    """``("002", "第十六条")`` from ``"seed 002 第十六条: ..."``; None for a society rule."""
    found = SOURCE_ARTICLE.match(source)
    return (found["seed"], found["article"]) if found else None


class ChangeKind(Item):
    """A reportable change; ``fields`` are the change-report form's field names it asks for.

    ``working_days`` is the reporting limit, set only where ``source`` (a seed article) sets
    one; a limit the seed does not set is the society's rule, given in a policy override file.
    """

    working_days: int | None = Field(default=None, ge=1, le=60)
    category: Literal["personnel", "host_unit", "other"]
    fields: tuple[str, ...] = ()
    source: str = Field(min_length=1, pattern=SOURCE)


class DueDate(_Strict):
    """Due on ``month``/``day``; ``exclusive`` means strictly before that day ("before March").

    ``source`` is where the date comes from: the seed's article, or "society rule".
    """

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    exclusive: bool = False
    source: str = Field(pattern=SOURCE)


class AnnualSubmission(_Strict):
    """A yearly duty: filed with its own ``form`` (conversations/forms/<form>.toml), one per covered year.

    ``source`` says who imposes the duty (the seed's article, or "society rule"); ``due`` is
    absent when nobody set a date. A duty ``enabled = false`` is declared so a policy override
    can turn it on; only enabled duties are owed.
    """

    id: str = Field(pattern=ID, max_length=24)
    label: str = Field(min_length=1)
    form: str = Field(pattern=ID)
    due: DueDate | None = None
    covers: Literal["this_year", "last_year"]
    source: str = Field(pattern=SOURCE)
    enabled: bool = True


class Regulation(_Strict):
    """The seed a profile encodes and the short name its articles are cited with (an English msgid)."""

    seed: str = Field(pattern=r"^[0-9]{3}$")
    name: str = Field(min_length=1)


class Minimum(_Strict):
    """A yearly floor on a ledger metric, possibly by the founding society's level."""

    id: str = Field(pattern=ID)
    label: str
    metric: str
    minimum: int | None = Field(default=None, ge=0)
    by_society_level: dict[str, int] | None = None
    source: str = ""

    @model_validator(mode="after")
    def _one_rule(self) -> Minimum:
        if (self.minimum is None) == (self.by_society_level is None):
            raise ValueError("give exactly one of `minimum` or `by_society_level`")
        if self.by_society_level and set(self.by_society_level) - set(SOCIETY_LEVELS):
            raise ValueError(f"`by_society_level` keys must be among {SOCIETY_LEVELS}")
        return self

    def required(self, society_level: str) -> int | None:
        if self.minimum is not None:
            return self.minimum
        assert self.by_society_level is not None
        return self.by_society_level.get(society_level)


class Band(_Strict):
    """``low <= value <= high`` scores ``points``; ``high`` absent: no upper bound; ``low_exclusive``: ``low < value``."""

    low: float
    high: float | None = None
    low_exclusive: bool = False
    points: float

    def contains(self, value: float) -> bool:
        above = value > self.low if self.low_exclusive else value >= self.low
        return above and (self.high is None or value <= self.high)


class ScoreGroup(_Strict):
    id: str = Field(pattern=ID)
    label: str
    points: float = Field(ge=0)


class ScoreItem(_Strict):
    """One row of an assessment table, computed by exactly one rule.

    ``manual``: staff score it (facilities, systems ...). ``bands``: ``metric`` falls in a band.
    ``weights``: points per unit of each outcome field; with ``first_points`` the first unit
    scores that instead (quzhou awards: first award 5, each further 2/3/4 by level).
    ``target``: a counter shown against a target, not scored (wuhan-qis volumes); ``part_of``
    names the (manual) row whose points it informs, so one annex row with four volume targets
    keeps one maximum (seed 002 annex: 线下服务 10 points for all four).
    ``capped = false`` marks the rows the table says 本项不封顶 (no cap).
    """

    id: str = Field(pattern=ID)
    label: str
    group: str
    max_points: float | None = Field(default=None, ge=0)
    capped: bool = True
    metric: str | None = None
    manual: bool = False
    bands: tuple[Band, ...] = ()
    weights: dict[str, float] = Field(default_factory=dict)
    first_points: float | None = None
    target: int | None = Field(default=None, ge=0)
    part_of: str | None = None

    @model_validator(mode="after")
    def _rule(self) -> ScoreItem:
        if self.part_of is not None and (self.target is None or self.max_points is not None):
            raise ValueError("`part_of` is for `target` counters without `max_points` (the row holds the points)")
        rules = [self.manual, bool(self.bands), bool(self.weights), self.target is not None]
        if sum(rules) != 1:
            raise ValueError("a score item needs exactly one of `manual`, `bands`, `weights`, `target`")
        if (self.bands or self.target is not None) and not self.metric:
            raise ValueError("`bands` and `target` rows need a `metric`")
        if (self.manual or self.capped) and self.max_points is None and self.target is None:
            raise ValueError("manual and capped rows need `max_points`")
        if self.first_points is not None and not self.weights:
            raise ValueError("`first_points` only applies to `weights` rows")
        return self


class Scoring(_Strict):
    kind: Literal["table", "counters"]
    pass_mark: float | None = None
    groups: tuple[ScoreGroup, ...] = Field(min_length=1)
    items: tuple[ScoreItem, ...] = Field(min_length=1)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _groups_known(self) -> Scoring:
        known = {g.id for g in self.groups}
        rows = {i.id: i for i in self.items}
        for index, item in enumerate(self.items):
            if item.group not in known:
                raise ValueError(f"items[{index}] ({item.id}).group: expected one of {sorted(known)}, got {item.group!r}")
            row = rows.get(item.part_of or "")
            if item.part_of is not None and (row is None or not row.manual or row.group != item.group):
                raise ValueError(f"items[{index}] ({item.id}).part_of: expected a manual row of group {item.group!r}, "
                                 f"got {item.part_of!r}")
        return self


class Question(_Strict):
    """A question of the demand side's yearly evaluation of the station (guiyang-kczg)."""

    id: str = Field(pattern=ID)
    question: str
    kind: Literal["scale", "text", "yes_no"]
    required: bool = True


class YearlyEvaluation(_Strict):
    enabled: bool = False
    window_start: str = Field(default="11-01", pattern=MONTH_DAY)
    window_end: str = Field(default="12-31", pattern=MONTH_DAY)
    questions: tuple[Question, ...] = ()

    @model_validator(mode="after")
    def _questions_when_enabled(self) -> YearlyEvaluation:
        if self.enabled and not self.questions:
            raise ValueError("an enabled yearly evaluation needs `questions`")
        return self


class RatingSpec(_Strict):
    """Demand units rate each service on ``dimensions`` (1..scale); averages are shown on 0–100.

    ``level_points``: the points of each level from the best (``scale`` stars, 非常满意) down to the
    worst (1 star, 非常不满意); without it each level is worth ``stars / scale × 100`` (100/80/60/40/20
    on five levels). ``target_comparison``: ``above`` when the seed says 高于 (strictly above),
    ``at_least`` for 不低于/达到.
    """

    dimensions: tuple[Item, ...] = Field(min_length=1)
    scale: int = Field(default=5, ge=2, le=10)
    level_points: tuple[float, ...] | None = None
    level_points_source: str = "society rule"
    target: float = Field(default=80, ge=0, le=100)
    target_comparison: Literal["above", "at_least"] = "above"
    target_comparison_source: str = "society rule"
    alert_threshold: float = Field(default=60, ge=0, le=100)
    reminder_days: tuple[int, ...] = (3, 7)
    token_days: int = Field(default=14, ge=1, le=90)
    yearly_evaluation: YearlyEvaluation = YearlyEvaluation()
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _levels(self) -> RatingSpec:
        if self.level_points is not None:
            if len(self.level_points) != self.scale:
                raise ValueError(f"`level_points` needs one value per level ({self.scale}), got {len(self.level_points)}")
            if any(not 0 <= p <= 100 for p in self.level_points):
                raise ValueError("`level_points` must lie within 0–100")
            if list(self.level_points) != sorted(self.level_points, reverse=True):
                raise ValueError("`level_points` go from the best level down to the worst")
        return self


class Reminders(_Strict):
    annual_days_before: tuple[int, ...] = (30, 14, 7, 1)
    overdue_every_days: int = Field(default=7, ge=1)
    expiry_days_before: tuple[int, ...] = (90, 30)
    no_progress_months: int | None = Field(default=None, ge=1)
    progress_note_dates: tuple[Annotated[str, Field(pattern=MONTH_DAY)], ...] = ()


SOURCE = r"^(seed 00[0-9] \S.*|society rule)"


class Precondition(_Strict):
    """A condition a host unit must meet (the seed's 申报条件), ticked by staff while reviewing.

    ``evidence`` names the application form's answers shown beside the item.
    """

    id: str = Field(pattern=ID, max_length=24)
    label: str = Field(min_length=1)
    evidence: tuple[Annotated[str, Field(pattern=ID)], ...] = ()
    source: str = Field(pattern=SOURCE)


class ApplicationRules(_Strict):
    """How a new station is applied for and approved under this profile.

    ``notice_days``: 公示 period after acceptance (None: no 公示). ``station_cap``: at most this many
    live stations of the profile. ``one_per_society``: one recognised station per founding society.
    ``unit_types`` / ``business_fields``: the paper form's tick boxes.
    """

    preconditions: tuple[Precondition, ...] = Field(min_length=1)
    notice_days: int | None = Field(default=None, ge=1, le=60)
    notice_source: str = ""
    station_cap: int | None = Field(default=None, ge=1)
    one_per_society: bool = False
    cap_source: str = ""
    link_days: int = Field(default=180, ge=1, le=730)
    unit_types: tuple[Item, ...] = Field(min_length=1)
    business_fields: tuple[Item, ...] = Field(min_length=1)
    source: str = Field(pattern=SOURCE)

    @model_validator(mode="after")
    def _sourced(self) -> ApplicationRules:
        if self.notice_days is not None and not self.notice_source:
            raise ValueError("`notice_days` needs `notice_source`")
        if (self.station_cap is not None or self.one_per_society) and not self.cap_source:
            raise ValueError("a cap (`station_cap` or `one_per_society`) needs `cap_source`")
        for name in ("preconditions", "unit_types", "business_fields"):
            ids = [item.id for item in getattr(self, name)]
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"`{name}` has duplicate ids: {', '.join(duplicates)}")
        return self


class Profile(_Strict):
    id: str
    label: str
    jurisdiction_label: str
    society_levels: tuple[str, ...] = SOCIETY_LEVELS
    station_types: tuple[Item, ...]
    activity_types: tuple[Item, ...] = Field(min_length=1)
    change_kinds: tuple[ChangeKind, ...] = Field(min_length=1)
    annual_submissions: tuple[AnnualSubmission, ...]
    yearly_minimums: tuple[Minimum, ...] = ()
    outcome_fields: tuple[Item, ...]
    budget_categories: tuple[Item, ...]
    phases: tuple[Item, ...] = ()
    scoring: Scoring | None = None
    rating: RatingSpec
    regulation: Regulation
    reminders: Reminders = Reminders()
    manager_certificate_years: int | None = Field(default=None, ge=1)
    agreement_min_years: int | None = Field(default=None, ge=1)
    subsidy_yuan: dict[str, int] = Field(default_factory=dict)
    application: ApplicationRules | None = None
    sources: dict[str, str] = Field(default_factory=dict)
    assessment: AssessmentSpec | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        for name in ("station_types", "activity_types", "change_kinds", "outcome_fields", "budget_categories",
                     "phases", "annual_submissions", "yearly_minimums"):
            ids = [item.id for item in getattr(self, name)]
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"`{name}` has duplicate ids: {', '.join(duplicates)}")
        unknown_sources = set(self.sources) - set(type(self).model_fields)
        if unknown_sources:
            raise ValueError(f"`sources` names unknown keys: {', '.join(sorted(unknown_sources))}")
        for level in list(self.subsidy_yuan) + [lvl for m in self.yearly_minimums for lvl in m.by_society_level or {}]:
            if level not in self.society_levels:
                raise ValueError(f"society level {level!r} is not among `society_levels` {list(self.society_levels)}")
        problems = self.metric_problems()
        if problems:
            raise ValueError(problems[0])
        return self

    def metric_problems(self, columns: Collection[str] | None = None) -> list[str]:
        """Each metric row that names totals this profile does not record; ``columns``: see ``metric_problem``."""
        activity_ids, outcome_ids = {a.id for a in self.activity_types}, {o.id for o in self.outcome_fields}
        return [f"{where_}: {problem}" for where_, metric in self.metrics()
                if (problem := metric_problem(metric, activity_ids, outcome_ids, columns))]

    def metrics(self) -> list[tuple[str, str]]:
        """(where in the file, metric) of every minimum and score row that reads the ledger."""
        found = [(f"yearly_minimums ({m.id}).metric", m.metric) for m in self.yearly_minimums]
        for item in self.scoring.items if self.scoring else ():
            if item.metric:
                found.append((f"scoring.items ({item.id}).metric", item.metric))
            found += [(f"scoring.items ({item.id}).weights", f"outcome:{key}") for key in item.weights]
        return found

    def change_kind(self, kind_id: str) -> ChangeKind:
        for kind in self.change_kinds:
            if kind.id == kind_id:
                return kind
        raise KeyError(f"profile {self.id} has no change kind {kind_id!r}")

    def submission(self, submission_id: str) -> AnnualSubmission | None:
        return next((s for s in self.annual_submissions if s.id == submission_id), None)

    @property
    def duties(self) -> tuple[AnnualSubmission, ...]:
        """The yearly duties owed: those the regulation imposes, plus those a policy override turned on."""
        return tuple(s for s in self.annual_submissions if s.enabled)

    def regulation_only_problems(self) -> list[str]:
        """What a profile file may not say: a society's own rule switched on (it belongs in an override)."""
        problems = []
        for spec in self.annual_submissions:
            if spec.enabled and is_society_rule(spec.source):
                problems.append(f"annual_submissions ({spec.id}): a duty the regulation does not impose must be "
                                "`enabled = false`; the society turns it on in a policy override file")
            if spec.due is not None and is_society_rule(spec.due.source):
                problems.append(f"annual_submissions ({spec.id}).due: a date the regulation does not set belongs "
                                "in a policy override file")
        for kind in self.change_kinds:
            if kind.working_days is not None and is_society_rule(kind.source):
                problems.append(f"change_kinds ({kind.id}).working_days: a limit the regulation does not set "
                                "belongs in a policy override file")
        for where_, source in [*((f"annual_submissions ({s.id}).source", s.source) for s in self.annual_submissions),
                               *((f"annual_submissions ({s.id}).due.source", s.due.source)
                                 for s in self.annual_submissions if s.due is not None),
                               *((f"change_kinds ({k.id}).source", k.source) for k in self.change_kinds)]:
            cited = source_article(source)
            if cited is not None and cited[0] != self.regulation.seed:
                problems.append(f"{where_}: cites seed {cited[0]}, but this profile encodes seed {self.regulation.seed}")
        return problems

    @property
    def rating_alert_threshold(self) -> float:
        return self.rating.alert_threshold


def load_profile_file(path: Path) -> Profile:
    profile, _ = load_validated(path, Profile, ProfileError)
    if profile.id != path.stem:
        raise ProfileError(f"{path.name}: id: expected {path.stem!r} (the file name), got {profile.id!r}")
    problems = profile.regulation_only_problems()
    if problems:
        raise ProfileError("\n".join(f"{path.name}: {problem}" for problem in problems))
    return profile


@functools.cache
def all_profiles() -> dict[str, Profile]:
    """Every profile, validated; called at start so a broken file stops the bot early."""
    return {p.stem: load_profile_file(p) for p in sorted(PROFILES_DIR.glob("*.toml"))}


def load_profile(profile_id: str) -> Profile:
    profiles = all_profiles()
    if profile_id not in profiles:
        raise ProfileError(f"unknown policy profile {profile_id!r}; known: {', '.join(sorted(profiles))}")
    return profiles[profile_id]
