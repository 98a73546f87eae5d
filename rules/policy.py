"""Policy overrides: a society's own rules on top of a profile (duties, dates, change-report limits).

A profile says only what its regulation says. What the regulation does not impose — a plan
wuhan-qis never asks for, a date guiyang never sets, a 10-working-day limit for an address
change — is off unless the society turns it on in an override file, one per profile. Every
duty, date and limit that comes from an override is labelled "society rule" wherever it is
shown. The file is validated as strictly as a profile: a typo stops the load with the key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rules.datafile import where
from rules.profile import ID, SOCIETY_RULE, AnnualSubmission, ChangeKind, DueDate, Profile, all_profiles


class PolicyError(ValueError):
    """An override file that does not match the schema or its profile."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OverrideDue(_Strict):
    """A date the society sets ("before March": ``month = 3, day = 1, exclusive = true``)."""

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    exclusive: bool = False


class OverrideDuty(_Strict):
    """Turn on a duty the profile declares (``id`` only, optionally ``due``), or add a new one (all keys)."""

    id: str = Field(pattern=ID, max_length=24)
    due: OverrideDue | None = None
    label: str | None = Field(default=None, min_length=1)
    form: str | None = Field(default=None, pattern=ID)
    covers: Literal["this_year", "last_year"] | None = None
    note: str = ""


class ChangeLimit(_Strict):
    """A change-report limit the society sets: ``working_days`` Chinese working days after the event."""

    kind: str = Field(pattern=ID)
    working_days: int = Field(ge=1, le=60)


class PolicyOverride(_Strict):
    profile: str = Field(min_length=1)
    note: str = ""
    duties: tuple[OverrideDuty, ...] = ()
    change_limits: tuple[ChangeLimit, ...] = ()


def _problems(override: PolicyOverride, profile: Profile, forms: Collection[str]) -> list[str]:
    """What does not fit the profile: unknown change kinds, incomplete new duties, unknown forms, repeats."""
    problems = []
    ids = [d.id for d in override.duties]
    problems += [f"duties: {i!r} is listed twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    for index, duty in enumerate(override.duties):
        spot = f"duties[{index}] ({duty.id})"
        declared = profile.submission(duty.id)
        if declared is not None:
            extra = [key for key in ("label", "form", "covers") if getattr(duty, key) is not None]
            if extra:
                problems.append(f"{spot}: {', '.join(extra)} cannot change a duty {profile.id} declares; "
                                "give only `due`")
            continue
        missing = [key for key in ("label", "form", "covers") if getattr(duty, key) is None]
        if missing:
            problems.append(f"{spot}: a new duty (not declared by {profile.id}: "
                            f"{', '.join(s.id for s in profile.annual_submissions)}) needs {', '.join(missing)}")
        if duty.form is not None and duty.form not in forms:
            problems.append(f"{spot}.form: expected one of {', '.join(sorted(forms))}, got {duty.form!r}")
    kinds = {k.id for k in profile.change_kinds}
    limits = [c.kind for c in override.change_limits]
    problems += [f"change_limits: {k!r} is listed twice" for k in sorted({k for k in limits if limits.count(k) > 1})]
    for index, limit in enumerate(override.change_limits):
        if limit.kind not in kinds:
            problems.append(f"change_limits[{index}].kind: expected one of {', '.join(sorted(kinds))}, "
                            f"got {limit.kind!r}")
    return problems


def parse_override(raw: dict[str, Any], forms: Collection[str], name: str = "override") -> PolicyOverride:
    """Validate a parsed override against the schema and its profile; every problem names the key."""
    try:
        override = PolicyOverride.model_validate(raw)
    except ValidationError as exc:
        raise PolicyError("\n".join(f"{name}: {where(tuple(e['loc']), raw)}: {e['msg']}"
                                    for e in exc.errors())) from None
    profiles = all_profiles()
    profile = profiles.get(override.profile)
    if profile is None:
        raise PolicyError(f"{name}: profile: expected one of {', '.join(sorted(profiles))}, got {override.profile!r}")
    problems = _problems(override, profile, forms)
    if problems:
        raise PolicyError("\n".join(f"{name}: {problem}" for problem in problems))
    return override


def parse_override_text(text: str, forms: Collection[str], name: str = "override") -> tuple[PolicyOverride, dict[str, Any]]:
    """An override file's text, parsed and validated; also the raw table (it is what gets stored)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{name}: not valid TOML: {exc}") from None
    return parse_override(raw, forms, name), raw


def _due(due: OverrideDue) -> DueDate:
    return DueDate(month=due.month, day=due.day, exclusive=due.exclusive, source=SOCIETY_RULE)


def apply_override(profile: Profile, override: PolicyOverride | None) -> Profile:
    """The profile as the society runs it: listed duties on (dates from the override), new duties and limits added.

    Everything the override sets carries the source "society rule". The result is not
    re-validated as a profile file: a profile file may not switch society rules on, this may.
    """
    if override is None:
        return profile
    if override.profile != profile.id:
        raise PolicyError(f"override for {override.profile} applied to profile {profile.id}")
    listed = {d.id: d for d in override.duties}
    duties: list[AnnualSubmission] = []
    for spec in profile.annual_submissions:
        duty = listed.pop(spec.id, None)
        if duty is None:
            duties.append(spec)
            continue
        update: dict[str, Any] = {"enabled": True}
        if duty.due is not None:
            update["due"] = _due(duty.due)
        duties.append(spec.model_copy(update=update))
    for duty in listed.values():
        assert duty.label is not None and duty.form is not None and duty.covers is not None
        duties.append(AnnualSubmission(id=duty.id, label=duty.label, form=duty.form, covers=duty.covers,
                                       due=_due(duty.due) if duty.due else None, source=SOCIETY_RULE))
    limits = {c.kind: c.working_days for c in override.change_limits}
    kinds: list[ChangeKind] = [
        kind.model_copy(update={"working_days": limits[kind.id], "source": SOCIETY_RULE}) if kind.id in limits else kind
        for kind in profile.change_kinds
    ]
    return profile.model_copy(update={"annual_submissions": tuple(duties), "change_kinds": tuple(kinds)})
