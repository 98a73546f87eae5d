"""What staff see while scoring the manual rows of the assessment table (pure: no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from conversations.types import Button, Reply, keyboard
from locales import TN, Join, Raw, T, Text
from rules.manual_scores import PointsProblem, SheetProblem

PREFIX = "ms"
CANCEL_HINT = T("(/cancel to stop)")


@dataclass(frozen=True)
class CardRow:
    item_id: str
    label: str
    maximum: float
    points: float | None


def _points(value: float) -> Raw:
    return Raw(str(int(value)) if float(value).is_integer() else str(value))


def station_list(year: int, stations: Sequence[tuple[int, str, int, int]]) -> Reply:
    """``stations``: ``(id, name, rows scored, manual rows)``; one button per station opens its card."""
    if not stations:
        return Reply(T("No station's table has rows scored by staff."))
    lines: list[Text] = [T("Rows scored by staff, {year}: pick a station.", year=Raw(str(year)))]
    buttons = []
    for station_id, name, scored, total in stations:
        lines.append(T("{station}: {scored} of {total} rows scored", station=Raw(name), scored=scored, total=total))
        buttons.append([Button(Raw(f"{name} ({scored}/{total})"), f"{PREFIX}:c:{station_id}:{year}")])
    return Reply(Join(tuple(lines)), keyboard(*buttons))


def card(station_id: int, station_name: str, year: int, rows: Sequence[CardRow], *, edit: bool = False,
         saved: Text | None = None) -> Reply:
    """One station: each manual row with its points (or "not scored") and maximum; a button per row."""
    lines: list[Text] = []
    if saved is not None:
        lines.append(saved)
    lines.append(T("{station}, {year}: rows scored by staff", station=Raw(station_name), year=Raw(str(year))))
    for row in rows:
        if row.points is None:
            lines.append(T("{item}: not scored yet (max {maximum})", item=T(row.label), maximum=_points(row.maximum)))
        else:
            lines.append(T("{item}: {points} of {maximum}", item=T(row.label), points=_points(row.points),
                           maximum=_points(row.maximum)))
    scored = [row.points for row in rows if row.points is not None]
    lines.append(TN("Scored: {points} of {maximum} points; {n} row open.", "Scored: {points} of {maximum} points; {n} rows open.",
                    len(rows) - len(scored), points=_points(sum(scored)),
                    maximum=_points(sum(row.maximum for row in rows))))
    buttons = [[Button(Join((T(row.label), Raw(f" ≤{_points(row.maximum).text}")), ""),
                       f"{PREFIX}:r:{station_id}:{year}:{index}")] for index, row in enumerate(rows)]
    return Reply(Join(tuple(lines)), keyboard(*buttons), edit=edit)


def ask_points(row: CardRow) -> Reply:
    return Reply(Join((T("Type the points for {item}: a number from 0 to {maximum}.", item=T(row.label),
                         maximum=_points(row.maximum)), CANCEL_HINT), " "))


def problem_text(label: str, problem: PointsProblem) -> Text:
    """What is wrong with typed points and what is expected (the chat's reply, the console's cell message)."""
    maximum = _points(problem.maximum)
    return {
        "not_a_number": T("That is not a number. Type the points for {item} from 0 to {maximum}, e.g. 7 or 7.5.",
                          item=T(label), maximum=maximum),
        "negative": T("Points cannot be negative. Type a number from 0 to {maximum}.", maximum=maximum),
        "above_max": T("{item} has at most {maximum} points. Type a number from 0 to {maximum}.",
                       item=T(label), maximum=maximum),
        "too_precise": T("Use at most one decimal place (e.g. 7.5).", maximum=maximum),
    }.get(problem.kind, Raw(problem.kind))


def points_problem(row: CardRow, problem: PointsProblem) -> Reply:
    """A localized refusal that says what is expected, and keeps waiting for the number."""
    return Reply(Join((problem_text(row.label, problem), CANCEL_HINT), " "))


def saved(row: CardRow, points: float) -> Text:
    return T("Saved: {item} {points} of {maximum}.", item=T(row.label), points=_points(points),
             maximum=_points(row.maximum))


def sheet_sent(year: int) -> T:
    return T("The score sheet for {year}: fill in column F (points) and send the file back here to import it. "
             "Nothing is written unless every row is valid. (/cancel to stop)", year=Raw(str(year)))


def sheet_problem(problem: SheetProblem) -> Text:
    what = {
        "station_missing": T("the station id is missing."),
        "station_unknown": T("no station {value} with rows scored by staff.", value=Raw(problem.value)),
        "item_unknown": T("unknown row {value}; expected one of {expected}.", value=Raw(problem.value),
                          expected=Raw(problem.expected)),
        "duplicate": T("row {value} appears twice for this station.", value=Raw(problem.value)),
        "wrong_maximum": T("the maximum {value} does not match the table's {expected}; use a fresh score sheet.",
                           value=Raw(problem.value), expected=Raw(problem.expected)),
        "not_a_number": T("{value} is not a number; expected {expected}.", value=Raw(problem.value),
                          expected=Raw(problem.expected)),
        "negative": T("{value} is negative; expected {expected}.", value=Raw(problem.value),
                      expected=Raw(problem.expected)),
        "above_max": T("{value} is above the maximum; expected {expected}.", value=Raw(problem.value),
                       expected=Raw(problem.expected)),
        "too_precise": T("{value} has more than one decimal place.", value=Raw(problem.value)),
    }.get(problem.kind, Raw(problem.kind))
    return T("Line {line}, column {column}: {problem}", line=problem.line, column=Raw(problem.column), problem=what)


MAX_PROBLEMS_SHOWN = 20


def import_refused(problems: Sequence[SheetProblem]) -> Reply:
    lines: list[Text] = [TN("Import refused: {n} problem, nothing was written. Correct it and send the file again.",
                            "Import refused: {n} problems, nothing was written. Correct them and send the file again.",
                            len(problems))]
    lines += [sheet_problem(p) for p in problems[:MAX_PROBLEMS_SHOWN]]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines.append(T("… and {n} more.", n=len(problems) - MAX_PROBLEMS_SHOWN))
    return Reply(Join(tuple(lines)))


def import_done(rows: int, stations: int) -> Reply:
    return Reply(T("Imported {rows} scores for {stations} stations.", rows=rows, stations=stations))
