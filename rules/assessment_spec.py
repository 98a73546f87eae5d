"""The ``[assessment]`` section of a policy profile: how the yearly (or three-yearly) round is decided.

Every rule carries its ``source`` (the seed's article, or "society rule"), like the rest of the profile.
Validated strictly when the profile loads (``rules/profile.py``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

GRADE_ID = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Grade(_Strict):
    """A grade of the round (优秀 / 良好 / 合格 / 不合格); ``passing = false`` marks the failing one."""

    id: str = Field(pattern=GRADE_ID, max_length=20)
    label: str = Field(min_length=1)
    passing: bool = True


class ManualRow(_Strict):
    """A row staff score in the round when the profile's table has no such row (wuhan-qis annex groups)."""

    id: str = Field(pattern=GRADE_ID, max_length=24)
    label: str = Field(min_length=1)
    max_points: float = Field(gt=0)


class Quota(_Strict):
    """At most ``share`` of the stations that took part get ``grade`` (quzhou: 优秀 ≤ 20 %), best points first."""

    grade: str
    share: float = Field(gt=0, le=1)
    source: str = Field(min_length=1)


class AwardTier(_Strict):
    id: str = Field(pattern=GRADE_ID, max_length=20)
    label: str = Field(min_length=1)
    max_stations: int = Field(ge=1)
    amount_yuan: int = Field(ge=0)


class Awards(_Strict):
    """Ranking awards by points among passing stations (wuhan-qis 第十九条: 一等 ≤3, 二等 ≤5, 三等 ≤10)."""

    tiers: tuple[AwardTier, ...] = Field(min_length=1)
    exclude_new_stations: bool = False
    source: str = Field(min_length=1)


Trigger = Literal["fail", "consecutive_fails", "absent", "certificate_expiry"]
Action = Literal["rectification", "revocation", "reexamination"]


class Consequence(_Strict):
    """What the bot proposes (staff confirm) when ``trigger`` happens.

    ``fail``: the round's grade is the failing one; ``consecutive_fails``: ``years`` failing rounds in a
    row (this one included); ``absent``: the station did not take part (without a reason staff accept);
    ``certificate_expiry``: the manager certificate expires within the period.
    """

    trigger: Trigger
    action: Action
    years: int = Field(default=1, ge=1)
    clawback: bool = False
    article: str = Field(min_length=1)
    source: str = Field(min_length=1)


class AssessmentSpec(_Strict):
    """How a round is decided.

    ``verdict = "pass_mark"``: below ``pass_mark`` points fails (quzhou 第十七条); ``"staff"``: staff choose a
    grade with the figures beside them (gd-quality 第十四条 gives grades without point boundaries).
    ``points``: the round has a points total (the profile's table, and/or ``manual_rows``), shown and ranked.
    ``escalation_*``: the revocation staff may propose when a rectification is not achieved.
    """

    period_years: int = Field(ge=1, le=5)
    period_source: str = Field(min_length=1)
    verdict: Literal["pass_mark", "staff"]
    pass_mark: float | None = Field(default=None, ge=0)
    grades: tuple[Grade, ...] = Field(min_length=2)
    grades_source: str = Field(min_length=1)
    points: bool = False
    manual_rows: tuple[ManualRow, ...] = ()
    manual_rows_source: str = ""
    quota: Quota | None = None
    awards: Awards | None = None
    absence_fails: bool = False
    absence_source: str = ""
    publicity_days: int | None = Field(default=None, ge=1, le=30)
    publicity_source: str = ""
    rectification_days: int = Field(default=90, ge=7, le=365)
    rectification_source: str = Field(min_length=1)
    consequences: tuple[Consequence, ...] = ()
    escalation_article: str = Field(min_length=1)
    escalation_clawback: bool = False
    escalation_source: str = Field(min_length=1)
    # Exit (退出) on the host unit's request or by agreement, the plaque returned (gd-quality 第二十二条);
    # empty where the regulation describes no exit.
    exit_article: str = ""
    exit_source: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> AssessmentSpec:
        ids = [g.id for g in self.grades]
        if len(set(ids)) != len(ids):
            raise ValueError("`grades` has duplicate ids")
        if [g.passing for g in self.grades].count(False) != 1:
            raise ValueError("exactly one grade must have `passing = false` (the failing grade)")
        if self.verdict == "pass_mark" and (self.pass_mark is None or not self.points):
            raise ValueError("`verdict = \"pass_mark\"` needs `pass_mark` and `points = true`")
        if bool(self.exit_article) != bool(self.exit_source):
            raise ValueError("give both `exit_article` and `exit_source`, or neither")
        if self.quota is not None:
            if self.quota.grade not in ids:
                raise ValueError(f"quota.grade: expected one of {ids}, got {self.quota.grade!r}")
            if not self.points:
                raise ValueError("a `quota` ranks by points: set `points = true`")
        if self.awards is not None and not self.points:
            raise ValueError("`awards` rank by points: set `points = true`")
        for name, value, needed in (("absence_source", self.absence_source, self.absence_fails),
                                    ("publicity_source", self.publicity_source, self.publicity_days is not None),
                                    ("manual_rows_source", self.manual_rows_source, bool(self.manual_rows))):
            if needed and not value:
                raise ValueError(f"`{name}` is required: say which article (or \"society rule\")")
        return self

    @property
    def failing_grade(self) -> Grade:
        return next(g for g in self.grades if not g.passing)

    def grade(self, grade_id: str) -> Grade | None:
        return next((g for g in self.grades if g.id == grade_id), None)

    @property
    def default_pass_grade(self) -> Grade:
        """The grade a station above the pass mark gets when no quota lifts it (quzhou 合格)."""
        passing = [g for g in self.grades if g.passing and (self.quota is None or g.id != self.quota.grade)]
        return passing[-1]
