"""Answers to table columns, as the form file declares them (``column = "started_on"``).

A new ledger column is then a model column, its migration and one line in the form file: the
hand-written mapping per column that every new question used to need is gone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from conversations.formspec import FieldSpec, FormSpec


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
