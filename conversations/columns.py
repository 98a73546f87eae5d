"""Answers to table columns, as the form file declares them (``column = "started_on"``).

A new ledger column is then a model column, its migration and one line in the form file: the
hand-written mapping per column that every new question used to need is gone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from conversations.formspec import FieldSpec, FormSpec, load_form
from rules.profile import Profile, ProfileError, all_profiles


def declared_columns(form: FormSpec) -> dict[str, FieldSpec]:
    """Column name -> the field that fills it."""
    return {f.column: f for f in form.fields if f.column is not None}


def column_value(spec: FieldSpec, value: Any) -> Any:
    """A stored answer (plain JSON, see ``conversations.fields``) as the column's value."""
    kind = spec.type
    if kind == "date":
        return dt.date.fromisoformat(value) if isinstance(value, str) and value else None
    if kind == "integer":
        return int(value or 0)
    if kind == "money":
        return Decimal(str(value)) if value not in (None, "") else None
    if kind == "yes_no":
        return bool(value) if value is not None else None
    if kind == "counters":
        return dict(value or {})
    if kind in ("attachment", "multi_choice"):
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]
    return "" if value is None else str(value)


def column_values(form: FormSpec, answers: Mapping[str, Any]) -> dict[str, Any]:
    return {column: column_value(spec, answers.get(spec.name)) for column, spec in declared_columns(form).items()}


ACTIVITY_FORM = "activity"
SUMMABLE = ("integer", "money")


def summable_columns(form: FormSpec) -> set[str]:
    """The declared columns a ``sum:<column>`` metric may add up (integer and money answers)."""
    return {column for column, spec in declared_columns(form).items() if spec.type in SUMMABLE}


def ledger_metric_columns(profile_id: str) -> set[str]:
    """The summable ledger columns the activity form declares as ``profile_id`` sees it (its variant applied)."""
    return summable_columns(load_form(ACTIVITY_FORM, profile_id))


def check_profile_metrics(profiles: Iterable[Profile]) -> None:
    """Refuse, at start, a profile row that scores a ledger column the activity form does not declare.

    rules/ checks the rest of a metric when the profile loads; the declared columns are the forms'
    knowledge, so they are passed in here, where both are loaded.
    """
    problems = [f"{profile.id}.toml: {problem}" for profile in profiles
                for problem in profile.metric_problems(ledger_metric_columns(profile.id))]
    if problems:
        raise ProfileError("\n".join(problems))


def ledger_sum_columns() -> set[str]:
    """Every summable ledger column any profile's activity form declares (what a full total adds up)."""
    return set().union(*(ledger_metric_columns(profile_id) for profile_id in all_profiles()))
