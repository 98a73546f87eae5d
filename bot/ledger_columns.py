"""The ledger sheet's columns, taken from the activity form's declarations (``column = …``).

A column the form declares appears in the export with no code change: its title is the field's
``column_label`` (else its label) in the reader's language, and its cells follow the field's type
(a choice shows its label, a date is a date, a counters field gives one number column per item, an
attachment field the number of files). Only what no question fills is named here: the row's id,
the station, when it was logged, and the columns computed at submission from the roster and the
demand unit (``bot.submit``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import Any

from conversations.columns import declared_columns
from conversations.formspec import FieldSpec, load_form
from locales import T, Translator, render
from rules.profile import Profile

LEDGER_FORM = "activity"

# A cell's kind decides its format: "text", "number", "date" or "datetime".
Cell = Callable[[Any, int | None], Any]  # (stored value, station id) -> the cell's value


@dataclass(frozen=True)
class LedgerColumn:
    """One column of the ledger sheet: the Activity column it reads, its title, width and cell.

    ``cell`` None: the stored value as it is; ``key``: one counter of a counters column (a JSON object);
    ``counted``: the number of items of a JSON list (attachments), counted by the database.
    """

    source: str
    header: str
    width: int
    kind: str
    cell: Cell | None = None
    key: str | None = None
    counted: bool = False


WIDTHS = {"text": 36, "long_text": 40, "choice": 16, "multi_choice": 20, "date": 12}


def _number(value: Any, _station: int | None) -> Any:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value if isinstance(value, int | float) else None


def _yes_no(tr: Translator) -> Cell:
    yes, no = render(T("Yes"), tr), render(T("No"), tr)

    def cell(value: Any, _station: int | None) -> str | None:
        return None if value is None else yes if value else no

    return cell


def _choice(spec: FieldSpec, profiles: dict[int | None, Profile], tr: Translator, joined: bool) -> Cell:
    """A stored choice id as the label the person picked, from the station's own profile."""
    own = {c.id: render(T(c.label), tr) for c in spec.choices}
    labels: dict[int | None, dict[str, str]] = {}
    for station_id, profile in profiles.items():
        items = getattr(profile, spec.choices_from, ()) if spec.choices_from else ()
        labels[station_id] = {**own, **{item.id: render(T(item.label), tr) for item in items}}

    def one(value: Any, station: int | None) -> str:
        return labels.get(station, own).get(str(value), str(value))

    def cell(value: Any, station: int | None) -> str | None:
        if value is None or value == "":
            return None
        if joined:
            return "、".join(one(v, station) for v in (value if isinstance(value, list) else [value]))
        return one(value, station)

    return cell


def _field_columns(spec: FieldSpec, forms: Sequence[tuple[FieldSpec, Profile]],
                   profiles: dict[int | None, Profile], tr: Translator) -> list[LedgerColumn]:
    """The sheet columns of one declared field (a counters field gives one per item, over every profile)."""
    assert spec.column is not None
    kind = spec.type
    header = render(T(spec.column_label or spec.label), tr)
    width = WIDTHS.get(kind, 8)
    if kind == "counters":
        items: dict[str, str] = {}
        for field, profile in forms:
            for item in getattr(profile, field.choices_from or "", ()):
                items.setdefault(item.id, render(T(item.label), tr))
        return [LedgerColumn(spec.column, label, 8, "number", key=key) for key, label in items.items()]
    if kind in ("choice", "multi_choice"):
        return [LedgerColumn(spec.column, header, width, "text", _choice(spec, profiles, tr, kind == "multi_choice"))]
    if kind == "date":
        return [LedgerColumn(spec.column, header, width, "date")]
    if kind == "integer":  # an integer column reads as an int
        return [LedgerColumn(spec.column, header, width, "number")]
    if kind == "money":
        return [LedgerColumn(spec.column, header, width, "number", _number)]
    if kind == "yes_no":
        return [LedgerColumn(spec.column, header, width, "text", _yes_no(tr))]
    if kind == "attachment":
        return [LedgerColumn(spec.column, header, width, "number", counted=True)]
    return [LedgerColumn(spec.column, header, width, "text")]


def _computed(tr: Translator) -> list[LedgerColumn]:
    """Columns no question fills: the submission computes them from the roster and the unit picked."""
    yes, no = render(T("Yes"), tr), render(T("No"), tr)
    return [
        LedgerColumn("experts", render(T("Experts"), tr), 20, "text"),
        LedgerColumn("experts_count", render(T("Number of experts"), tr), 8, "number"),
        LedgerColumn("experts_outside_province", render(T("Experts from outside the province"), tr), 8, "number"),
        LedgerColumn("expert_days", render(T("Expert days"), tr), 8, "number"),
        LedgerColumn("demand_unit_id", render(T("Demand unit served"), tr), 8, "text",
                     lambda value, _station: yes if value is not None else no),
    ]


def ledger_columns(station_profiles: dict[int | None, Profile], tr: Translator) -> list[LedgerColumn]:
    """Every column after ID and station, in the order the forms declare them (first profile first).

    Stations of several profiles share a column when their forms declare the same one; a column only
    one profile's form declares is still a column (empty for the others' rows).
    """
    forms: list[tuple[FieldSpec, Profile]] = []
    by_column: dict[str, FieldSpec] = {}
    for profile in sorted({p.id: p for p in station_profiles.values()}.values(), key=lambda p: p.id):
        for name, spec in declared_columns(load_form(LEDGER_FORM, profile.id)).items():
            by_column.setdefault(name, spec)
            forms.append((spec, profile))
    columns: list[LedgerColumn] = []
    for name, spec in by_column.items():
        columns += _field_columns(spec, [(f, p) for f, p in forms if f.column == name], station_profiles, tr)
    computed = [c for c in _computed(tr) if c.source not in by_column]  # a form that asks for one wins
    return columns + computed + [LedgerColumn("created_at", render(T("Logged at"), tr), 16, "datetime")]


def ledger_cells(columns: Sequence[LedgerColumn], names: dict[int | None, str],
                 local: Callable[[Any], Any] = lambda value: value) -> LedgerCells:
    """The columns to read (id and station first) and a function from a read row to the sheet's cells.

    It runs for every ledger row (a million in a network's year): neighbouring stored values that are
    their own cells are copied in one ``itemgetter``, the counters of one JSON column are read in one
    pass (an empty object, most rows, gives its empty cells at once), and an attachment list is
    counted by the database (``counted``), never decoded. ``local`` turns a stored time into the sheet's.
    """
    sources = ["id", "station_id"]
    counted: set[str] = set()
    for column in columns:
        if column.source not in sources:
            sources.append(column.source)
        if column.counted:
            counted.add(column.source)
    # Steps: (COPY, indices) copy a run; (CELL, index, cell) convert one; (COUNTERS, index, keys) counters.
    steps: list[tuple[Any, ...]] = []
    for column in columns:
        index = sources.index(column.source)
        last = steps[-1] if steps else None
        if column.key is not None:
            if last is not None and last[0] == _COUNTERS and last[1] == index:
                steps[-1] = (_COUNTERS, index, (*last[2], column.key))
            else:
                steps.append((_COUNTERS, index, (column.key,)))
        elif column.cell is not None:
            steps.append((_CELL, index, column.cell))
        elif column.kind == "datetime":
            steps.append((_CELL, index, lambda value, _station: local(value)))
        elif last is not None and last[0] == _COPY:
            steps[-1] = (_COPY, (*last[1], index))
        else:
            steps.append((_COPY, (index,)))
    plan: list[tuple[int, Any, Any]] = []
    for step in steps:
        if step[0] == _COPY:
            plan.append((_COPY, itemgetter(*step[1]), len(step[1]) > 1))
        elif step[0] == _COUNTERS:
            plan.append((_COUNTERS, step[1], (step[2], (None,) * len(step[2]))))
        else:
            plan.append((_CELL, step[1], step[2]))

    def cells(row: Sequence[Any]) -> list[Any]:
        station = row[1]
        name = names.get(station)
        out = [row[0], name if name is not None else str(station)]
        for kind, first, second in plan:
            if kind == _COPY:
                if second:
                    out.extend(first(row))
                else:
                    out.append(first(row))
            elif kind == _CELL:
                out.append(second(row[first], station))
            else:
                keys, empty = second
                given = row[first]
                if not given:
                    out.extend(empty)
                else:
                    out.extend([_count_of(given.get(key)) for key in keys])
        return out

    return LedgerCells(sources, frozenset(counted), cells)


_COPY, _CELL, _COUNTERS = 0, 1, 2


@dataclass(frozen=True)
class LedgerCells:
    """What to read for the ledger sheet and how a read row becomes its cells (``ledger_cells``)."""

    sources: list[str]
    counted: frozenset[str]  # sources read as their number of items (a JSON list counted in SQL)
    cells: Callable[[Sequence[Any]], list[Any]]


def _count_of(value: Any) -> Any:
    """A counter's cell: a number (never a boolean), else empty."""
    kind = type(value)
    return value if kind is int or kind is float else None
