"""Policy profiles: one TOML file per regulation, validated strictly when loaded.

A malformed profile must stop the bot at start with the file, the key and what was expected,
never surface later as a wrong deadline in someone's chat.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rules.datafile import load_validated

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
SOCIETY_LEVELS = ("national", "provincial", "municipal")
ID = r"^[a-z][a-z0-9_]*$"


class ProfileError(ValueError):
    """A profile file that does not match the schema."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(_Strict):
    id: str = Field(pattern=ID, max_length=24)
    label: str = Field(min_length=1)


class ChangeKind(Item):
    working_days: int = Field(ge=1, le=60)
    category: Literal["personnel", "host_unit", "other"]
    source: str = ""


class DueDate(_Strict):
    """Due on ``month``/``day``; ``exclusive`` means strictly before that day ("before March")."""

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    exclusive: bool = False


class AnnualSubmission(_Strict):
    id: Literal["plan", "summary", "efficiency_report", "self_check"]
    label: str
    due: DueDate
    covers: Literal["this_year", "last_year"]
    source: str = ""


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
    low: float
    high: float | None = None
    points: float


class ScoreItem(_Strict):
    """One row of an assessment table. ``metric`` names a ledger total; ``manual`` rows need staff input."""

    id: str = Field(pattern=ID)
    label: str
    group: str
    max_points: float | None = None
    metric: str | None = None
    points_each: float | None = None
    bands: tuple[Band, ...] = ()
    cap_group: str | None = None
    manual: bool = False
    target: int | None = None

    @model_validator(mode="after")
    def _rule(self) -> ScoreItem:
        rules = [self.manual, self.points_each is not None, bool(self.bands), self.target is not None]
        if sum(rules) != 1:
            raise ValueError("a score item needs exactly one of `manual`, `points_each`, `bands`, `target`")
        if not self.manual and not self.metric:
            raise ValueError("a computed score item needs a `metric`")
        return self


class Scoring(_Strict):
    """``caps`` limit the sum of the items sharing a ``cap_group`` (rows the table caps as a whole)."""

    kind: Literal["table", "counters"]
    pass_mark: float | None = None
    items: tuple[ScoreItem, ...]
    caps: dict[str, float] = Field(default_factory=dict)
    source: str = ""


class YearlyEvaluation(_Strict):
    enabled: bool = False
    window_start: str = "11-01"
    window_end: str = "12-31"


class RatingSpec(_Strict):
    dimensions: tuple[Item, ...] = Field(min_length=1)
    scale: int = Field(default=5, ge=2, le=10)
    target: float = Field(default=80, ge=0, le=100)
    alert_threshold: float = Field(default=60, ge=0, le=100)
    reminder_days: tuple[int, ...] = (3, 7)
    token_days: int = Field(default=14, ge=1, le=90)
    yearly_evaluation: YearlyEvaluation = YearlyEvaluation()
    source: str = ""


class Reminders(_Strict):
    annual_days_before: tuple[int, ...] = (30, 14, 7, 1)
    overdue_every_days: int = Field(default=7, ge=1)
    expiry_days_before: tuple[int, ...] = (90, 30)
    no_progress_months: int | None = None
    progress_note_dates: tuple[str, ...] = ()


class Profile(_Strict):
    id: str
    label: str
    jurisdiction_label: str
    timezone: str = "Asia/Shanghai"
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
    reminders: Reminders = Reminders()
    manager_certificate_years: int | None = None
    agreement_min_years: int | None = None
    subsidy_yuan: dict[str, int] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique_ids(self) -> Profile:
        for name in ("station_types", "activity_types", "change_kinds", "outcome_fields", "budget_categories",
                     "phases"):
            ids = [item.id for item in getattr(self, name)]
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"`{name}` has duplicate ids: {', '.join(duplicates)}")
        return self

    def change_kind(self, kind_id: str) -> ChangeKind:
        for kind in self.change_kinds:
            if kind.id == kind_id:
                return kind
        raise KeyError(f"profile {self.id} has no change kind {kind_id!r}")

    def submission(self, submission_id: str) -> AnnualSubmission | None:
        return next((s for s in self.annual_submissions if s.id == submission_id), None)

    @property
    def rating_alert_threshold(self) -> float:
        return self.rating.alert_threshold


def load_profile_file(path: Path) -> Profile:
    profile, _ = load_validated(path, Profile, ProfileError)
    if profile.id != path.stem:
        raise ProfileError(f"{path.name}: id: expected {path.stem!r} (the file name), got {profile.id!r}")
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
