"""What a paper document shows: a submission's answers as the strings a Word template places.

Pure: the shell passes the form, the answers, the profile's choices and a Chinese translator,
and gets a plain dict for the template (docxtpl/Jinja). The names below are the template's
vocabulary, documented in ``tools/make_document_templates.py``:

- ``f.<field>``: the answer as text (dates 2027年3月5日, money 17,000.50, choices by label);
- ``box.<field>.<choice id>``: ☑ or ☐, for the paper form's tick boxes;
- ``shown.<field>``: whether the question applied (change reports ask different things);
- ``rows.<repeat>``: the rows of a table, each a dict of texts plus ``n`` (1, 2, ...);
- ``total.<repeat>`` and ``capital.<repeat>``: a table's money total in figures and in 人民币大写;
- ``station``, ``doc``, ``facts``: as passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from conversations.fields import Choice, FormContext, is_answered, options
from conversations.formspec import FieldSpec, FormSpec, relevant_fields
from locales import T, Text
from rules.documents import chinese_date, figures
from rules.numerals import to_chinese_capital

TICKED, UNTICKED = "☑", "☐"
STAMP_RECEIVED = T("stamped copy received")  # beside a printed document, wherever staff see it
STAMP_AWAITING = T("awaiting stamped copy")
Render = Callable[[Text], str]


def _labels(spec: FieldSpec, ctx: FormContext, render: Render) -> dict[str, str]:
    if spec.type == "yes_no":
        return {"yes": "是", "no": "否"}
    return {cid: render(label) for cid, label in options(spec, ctx)}


def cell_text(spec: FieldSpec, value: Any, ctx: FormContext, render: Render) -> str:
    """One answer as the text of its cell; an unanswered question is an empty cell."""
    if not is_answered(value):
        return ""
    kind = spec.type
    if kind == "money":
        return figures(Decimal(value))
    if kind == "date":
        return chinese_date(dt.date.fromisoformat(value))
    if kind in {"choice", "yes_no"}:
        key = ("yes" if value else "no") if kind == "yes_no" else value
        return _labels(spec, ctx, render).get(key, str(key))
    if kind == "multi_choice":
        labels = _labels(spec, ctx, render)
        return "、".join(labels.get(v, str(v)) for v in value)
    if kind == "counters":
        labels = _labels(spec, ctx, render)
        return "；".join(f"{labels.get(k, k)}：{n}" for k, n in value.items() if n)
    if kind == "attachment":
        files = value if isinstance(value, list) else [value]
        return "、".join(str(f.get("name", "")) for f in files)
    if kind == "repeat":
        return ""
    return str(value)


def _boxes(spec: FieldSpec, value: Any, ctx: FormContext) -> dict[str, str]:
    ids = ["yes", "no"] if spec.type == "yes_no" else [cid for cid, _ in options(spec, ctx)]
    if spec.type == "yes_no":
        picked = {"yes" if value else "no"} if value is not None else set()
    else:
        picked = set(value) if isinstance(value, list) else {value}
    return {cid: TICKED if cid in picked else UNTICKED for cid in ids}


def _money_total(spec: FieldSpec, rows: Sequence[Mapping[str, Any]]) -> Decimal | None:
    money = [sub.name for sub in spec.fields if sub.type == "money"]
    if not money:
        return None
    return sum((Decimal(r[m]) for r in rows for m in money[:1] if is_answered(r.get(m))), Decimal("0.00"))


def document_context(form: FormSpec, answers: Mapping[str, Any], *, choices: Mapping[str, Sequence[Choice]],
                     render: Render, today: dt.date, station: Mapping[str, str], doc: Mapping[str, Any],
                     facts: Mapping[str, Any] | None = None, profile_id: str = "") -> dict[str, Any]:
    """The template's variables for one submission version (see the module docstring)."""
    ctx = FormContext(today=today, profile_id=profile_id, choices=choices, render=render)
    relevant = {spec.name for spec in relevant_fields(form, answers)}
    f: dict[str, str] = {}
    box: dict[str, dict[str, str]] = {}
    rows: dict[str, list[dict[str, Any]]] = {}
    total: dict[str, str] = {}
    capital: dict[str, str] = {}
    for spec in form.fields:
        value = answers.get(spec.name) if spec.name in relevant else None
        f[spec.name] = cell_text(spec, value, ctx, render)
        if spec.type in {"choice", "multi_choice", "yes_no"}:
            box[spec.name] = _boxes(spec, value, ctx)
        if spec.type == "repeat":
            given = list(value or [])
            rows[spec.name] = [{"n": str(i), **{sub.name: cell_text(sub, row.get(sub.name), ctx, render)
                                                for sub in spec.fields}} for i, row in enumerate(given, 1)]
            amount = _money_total(spec, given)
            if amount is not None:
                total[spec.name] = figures(amount)
                capital[spec.name] = to_chinese_capital(amount)
    return {"f": f, "box": box, "shown": {spec.name: spec.name in relevant for spec in form.fields},
            "rows": rows, "total": total, "capital": capital, "station": dict(station), "doc": dict(doc),
            "facts": dict(facts or {})}
