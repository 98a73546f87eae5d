"""A draft started on an older version of its form: keep what still fits, so weeks of gathering survive.

An applicant may keep a draft for weeks while the society edits the form file. Answers to questions the
new version still asks, in the same shape, are kept; the rest is set aside (counted, never guessed at).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conversations.formspec import FieldSpec, FormSpec, relevant_fields

_STRINGS = frozenset({"text", "long_text", "phone", "email", "credit_code", "choice", "date"})


def fits(spec: FieldSpec, value: Any) -> bool:
    """Whether a stored answer has the shape this field stores (see ``conversations.fields``)."""
    kind = spec.type
    if value is None:
        return not spec.required
    if kind in _STRINGS:
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "money":
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)
    if kind == "yes_no":
        return isinstance(value, bool)
    if kind == "multi_choice":
        return isinstance(value, list)
    if kind == "counters":
        return isinstance(value, dict)
    if kind == "attachment":
        return isinstance(value, (list, dict))
    if kind == "repeat":
        names = {s.name for s in spec.fields}
        return isinstance(value, list) and all(isinstance(row, dict) and set(row) <= names for row in value)
    return False


def carry_over(form: FormSpec, answers: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """The answers the current form version can keep, and how many were set aside."""
    kept = {name: value for name, value in answers.items()
            if (spec := form.field(name)) is not None and fits(spec, value)}
    return kept, len(answers) - len(kept)


def first_open(form: FormSpec, answers: Mapping[str, Any]) -> str | None:
    """The first question that applies and has no answer yet (None: all answered)."""
    return next((f.name for f in relevant_fields(form, answers) if f.name not in answers), None)
