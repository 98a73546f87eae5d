"""Field types: how a typed answer is parsed and checked, and how a stored answer is shown.

Every parser raises ``FieldError`` with a T() text that says what is expected; stored values
are plain JSON (dates as ISO strings, money as "1234.50") so a draft survives in a DB row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from conversations.fields.base import Choice, FieldError, FormContext, normalise, value_text
from conversations.fields.choices import options, parse_choice, parse_counters, parse_multi
from conversations.fields.dates import parse_date
from conversations.fields.numbers import parse_integer, parse_money
from conversations.fields.text import CREDIT_EXAMPLE, parse_credit_code, parse_email, parse_phone, parse_text
from conversations.formspec import FieldSpec
from locales import Join, Raw, T, Text
from rules.numerals import MAX_AMOUNT, to_chinese_capital, writable

SUMMARY_TEXT_LIMIT = 300

__all__ = [
    "Choice", "FieldError", "FormContext", "capitals_problem", "default_value", "display", "example",
    "is_answered", "normalise", "options", "parse", "repeat_totals",
]


def default_value(spec: FieldSpec, ctx: FormContext) -> int | None:
    """An integer field's suggested answer ("next_year" for a plan, for instance), offered as a button."""
    if spec.default is None:
        return None
    if isinstance(spec.default, int):
        return spec.default
    duty_year = ctx.facts.get("duty_year")
    if spec.name == "year" and isinstance(duty_year, int):
        # A yearly duty's form offers the year the station owes (rules.deadlines.filing_year, given by the
        # shell): this year's plan until it is filed, then next year's. ``default`` is the answer without it.
        return duty_year
    offset = {"last_year": -1, "this_year": 0, "next_year": 1}[spec.default]
    return ctx.today.year + offset


def parse(spec: FieldSpec, raw: str, ctx: FormContext, scope: Mapping[str, Any]) -> Any:
    """A typed answer as its stored value; ``scope`` holds the answers a constraint may refer to."""
    kind = spec.type
    if kind in {"text", "long_text"}:
        return parse_text(raw, spec)
    if kind == "integer":
        return parse_integer(raw, spec)
    if kind == "money":
        return parse_money(raw, spec)
    if kind == "date":
        return parse_date(raw, spec, ctx, scope)
    if kind in {"choice", "yes_no"}:
        return parse_choice(raw, spec, ctx)
    if kind == "multi_choice":
        return parse_multi(raw, spec, ctx)
    if kind == "counters":
        return parse_counters(raw, spec, ctx)
    if kind == "phone":
        return parse_phone(raw)
    if kind == "email":
        return parse_email(raw)
    if kind == "credit_code":
        return parse_credit_code(raw)
    if kind == "attachment":
        raise FieldError(T("Please send the file itself (📎 → File or Photo), not a text message."))
    raise FieldError(T("Please use the buttons below to answer this question."))


def _plain_example(spec: FieldSpec, ctx: FormContext) -> str | None:
    kind = spec.type
    default = default_value(spec, ctx)
    if kind == "integer":
        return str(default if default is not None else spec.min if isinstance(spec.min, int) and spec.min > 0 else 3)
    generated = {
        "money": "12,500.00", "phone": "13812345678", "email": "name@example.com",
        "credit_code": CREDIT_EXAMPLE,
    }
    if kind == "date":
        return ctx.today.isoformat()
    return generated.get(kind)


def example(spec: FieldSpec, ctx: FormContext) -> Text | None:
    """A valid answer to show with the question and with every rejection."""
    if spec.example:
        return T(spec.example)
    plain = _plain_example(spec, ctx)
    return Raw(plain) if plain is not None else None


def is_answered(value: Any) -> bool:
    return value is not None and value != [] and value != ""


def display(spec: FieldSpec, value: Any, ctx: FormContext) -> Text:
    """A stored answer for the summary: locale-formatted dates and money, labels for choices."""
    if not is_answered(value):
        return T("— (skipped)")
    kind = spec.type
    if kind in {"choice", "yes_no"}:
        labels = dict(options(spec, ctx))
        key = ("yes" if value else "no") if kind == "yes_no" else value
        return labels.get(key, Raw(str(value)))
    if kind == "multi_choice":
        labels = dict(options(spec, ctx))
        return Join(tuple(labels.get(v, Raw(str(v))) for v in value), "、")
    if kind == "counters":
        labels = dict(options(spec, ctx))
        lines = tuple(T("{label}: {value}", label=labels.get(k, Raw(k)), value=n) for k, n in value.items() if n)
        return Join(lines, "; ") if lines else T("none")
    if kind == "money":
        return value_text(Decimal(value))
    if kind == "date":
        return value_text(dt.date.fromisoformat(value))
    if kind == "attachment":
        files = value if isinstance(value, list) else [value]
        return Join(tuple(Raw(f"📎 {f.get('name', '')}") for f in files), ", ")
    if kind == "repeat":
        return _display_rows(spec, value, ctx)
    text = str(value)
    return Raw(text if len(text) <= SUMMARY_TEXT_LIMIT else text[:SUMMARY_TEXT_LIMIT] + "…")


def _display_rows(spec: FieldSpec, rows: list[dict[str, Any]], ctx: FormContext) -> Text:
    lines: list[Text] = []
    for number, row in enumerate(rows, 1):
        cells = tuple(display(sub, row.get(sub.name), ctx) for sub in spec.fields if is_answered(row.get(sub.name)))
        lines.append(Join((Raw(f"{number}."), Join(cells, " · ")), " "))
    lines.extend(repeat_totals(spec, rows))
    return Join(tuple(lines))


def _money_totals(spec: FieldSpec, rows: list[dict[str, Any]]) -> list[tuple[FieldSpec, Decimal]]:
    return [(sub, sum((Decimal(r[sub.name]) for r in rows if is_answered(r.get(sub.name))), Decimal("0.00")))
            for sub in spec.fields if sub.type == "money"]


def capitals_problem(spec: FieldSpec, rows: list[dict[str, Any]]) -> Text | None:
    """Why these rows cannot be taken: a total the budget must show in 人民币大写 and cannot."""
    if not spec.total_in_capitals:
        return None
    for _, total in _money_totals(spec, rows):
        if not writable(total):
            return T("With this amount the total would be {total} yuan, too large to write in Chinese capital "
                     "numerals (人民币大写 goes up to {max} yuan). Please check the amount.", total=total, max=MAX_AMOUNT)
    return None


def repeat_totals(spec: FieldSpec, rows: list[dict[str, Any]]) -> list[Text]:
    """Totals of every money column; budgets also get the total in capitals (人民币大写)."""
    lines: list[Text] = []
    for sub, total in _money_totals(spec, rows):
        lines.append(T("Total {label}: {amount}", label=T(sub.label), amount=total))
        if spec.total_in_capitals and writable(total):
            lines.append(T("Total in words: {capital}", capital=Raw(to_chinese_capital(total))))
        elif spec.total_in_capitals:
            lines.append(T("Total in words: too large for Chinese capital numerals"))
    return lines
