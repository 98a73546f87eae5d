"""Staff-scored rows of an assessment table: which rows, and whether typed points fit (pure).

The quzhou table (seed 004 annex) leaves 35 building points to staff: facilities, funding and
systems, planning, coordination, radiation. Points are checked against the row's maximum here,
so chat, the score-sheet import and the API refuse the same things.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rules.profile import Profile, ScoreItem


def manual_items(profile: Profile) -> list[ScoreItem]:
    """The rows staff score, in table order: the table's manual rows, then the round's own (wuhan-qis annex parts)."""
    items = [item for item in profile.scoring.items if item.manual] if profile.scoring else []
    for row in profile.assessment.manual_rows if profile.assessment else ():
        items.append(ScoreItem(id=row.id, label=row.label, group="assessment", max_points=row.max_points, manual=True))
    return items


@dataclass(frozen=True)
class PointsProblem:
    """Why typed points were refused: ``kind`` is ``not_a_number``, ``negative``, ``above_max`` or ``too_precise``."""

    kind: str
    maximum: float


def parse_points(text: str, item: ScoreItem) -> float | PointsProblem:
    """``"7.5"`` → 7.5 within ``0..max_points``; at most one decimal (assessors give halves, not 7.333)."""
    maximum = float(item.max_points or 0)
    cleaned = text.strip().replace("，", ".").replace("。", ".").replace("分", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return PointsProblem("not_a_number", maximum)
    if not value.is_finite():
        return PointsProblem("not_a_number", maximum)
    if value < 0:
        return PointsProblem("negative", maximum)
    if value > Decimal(str(maximum)):
        return PointsProblem("above_max", maximum)
    if value != value.quantize(Decimal("0.1")):
        return PointsProblem("too_precise", maximum)
    return float(value)


@dataclass(frozen=True)
class SheetRow:
    """One data row of an imported score sheet, as read (cells may be anything a person typed)."""

    line: int
    station_id: object
    item_id: object
    maximum: object
    points: object


@dataclass(frozen=True)
class SheetProblem:
    """``column`` is the sheet's column letter; ``kind`` says what is wrong with that cell."""

    line: int
    column: str
    kind: str
    value: str = ""
    expected: str = ""


SHEET_COLUMNS = {"station_id": "A", "station": "B", "item_id": "C", "item": "D", "maximum": "E", "points": "F"}


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _as_number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(Decimal(value.strip()))
        except InvalidOperation:
            return None
    return None


def check_sheet(rows: Sequence[SheetRow], profiles: Mapping[int, Profile]
                ) -> tuple[dict[int, dict[str, float]], list[SheetProblem]]:
    """Every row checked; ``({station: {item: points}}, [])`` only when all rows are valid.

    ``profiles`` maps each station that may be scored to its profile: a station id not in it is
    unknown. A row whose maximum differs from the profile's (an old or edited sheet) is refused, as
    the points were given against another scale. An empty points cell leaves the row unscored.
    """
    values: dict[int, dict[str, float]] = {}
    problems: list[SheetProblem] = []
    seen: set[tuple[int, str]] = set()
    for row in rows:
        station_id = _as_int(row.station_id)
        if row.station_id in (None, ""):
            problems.append(SheetProblem(row.line, SHEET_COLUMNS["station_id"], "station_missing"))
            continue
        if station_id is None or station_id not in profiles:
            problems.append(SheetProblem(row.line, SHEET_COLUMNS["station_id"], "station_unknown", str(row.station_id)))
            continue
        items = {item.id: item for item in manual_items(profiles[station_id])}
        item = items.get(str(row.item_id or "").strip())
        if item is None:
            problems.append(SheetProblem(row.line, SHEET_COLUMNS["item_id"], "item_unknown", str(row.item_id or ""),
                                         ", ".join(items)))
            continue
        if (station_id, item.id) in seen:
            problems.append(SheetProblem(row.line, SHEET_COLUMNS["item_id"], "duplicate", item.id))
            continue
        seen.add((station_id, item.id))
        maximum = _as_number(row.maximum)
        if maximum is None or maximum != float(item.max_points or 0):
            problems.append(SheetProblem(row.line, SHEET_COLUMNS["maximum"], "wrong_maximum", str(row.maximum or ""),
                                         _number_text(float(item.max_points or 0))))
            continue
        if row.points in (None, ""):
            continue
        number = _as_number(row.points)
        parsed = parse_points(str(row.points), item) if number is not None else PointsProblem("not_a_number", maximum)
        if isinstance(parsed, PointsProblem):
            problems.append(SheetProblem(row.line, SHEET_COLUMNS["points"], parsed.kind, str(row.points),
                                         f"0–{_number_text(parsed.maximum)}"))
            continue
        values.setdefault(station_id, {})[item.id] = parsed
    return (values, []) if not problems else ({}, problems)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
