"""Chinese working days: statutory holidays off, adjusted working weekends (调休) on.

chinese-calendar knows 2004–2026 only, while the first busy season (plans due before March
2027) lies beyond it. Staff therefore load each year's official schedule (a CSV or TOML file,
see ``parse_holiday_file``). Loaded days override day by day on top of what the library knows:
a one-line file never turns the library's other holidays into working days. For a year nobody
loaded, Monday to Friday is assumed and the calendar records that it guessed, so callers can
warn staff.
"""

from __future__ import annotations

import csv
import datetime as dt
import tomllib
from collections import Counter
from collections.abc import Mapping

import chinese_calendar

from locales import Raw, T, Text, render, translator

KINDS = {"holiday": False, "workday": True}
# The one year range of the product (API paths, exports, holiday files): wide enough for any
# station's history and plans, narrow enough that a typo (year 0, 10000) is refused, not stored.
YEAR_MIN = 2000
YEAR_MAX = 2100
NAME_LENGTH = 100  # a day's name, as stored (holiday_day.name)
# The statutory holidays (全国年节及纪念日放假办法) as the Gregorian window each always touches.
# A loaded year the library does not know that misses one of them is reported as incomplete.
FESTIVAL_WINDOWS: tuple[tuple[str, tuple[int, int], tuple[int, int]], ...] = (
    ("New Year's Day", (1, 1), (1, 1)),
    ("Spring Festival", (1, 20), (2, 21)),
    ("Qingming", (4, 3), (4, 7)),
    ("Labour Day", (5, 1), (5, 1)),
    ("Dragon Boat Festival", (5, 26), (6, 26)),
    ("National Day", (10, 1), (10, 1)),
)


class HolidayFileError(ValueError):
    """A schedule file line that cannot be read; the message names the line and what was expected."""

    def __init__(self, text: Text) -> None:
        super().__init__(render(text, translator("en")))
        self.text = text


class WorkdayCalendar:
    """Working days from, in order: staff-loaded days, chinese-calendar (2004–2026), Monday–Friday.

    Loaded days override one by one; every other day is the library's answer where it has
    one, else the weekend rule. ``guessed_years_used`` collects the years answered by the
    Monday–Friday guess without a loaded schedule, so the caller can tell staff to load it.
    """

    def __init__(self, overrides: Mapping[dt.date, bool] | None = None, loaded_years: set[int] | None = None) -> None:
        self.overrides = dict(overrides or {})
        self.loaded_years = set(loaded_years or {d.year for d in self.overrides})
        self.guessed_years_used: set[int] = set()

    def library_knows(self, year: int) -> bool:
        """Whether chinese-calendar has the official schedule of ``year`` (it raises beyond 2026)."""
        try:
            chinese_calendar.is_workday(dt.date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def known_years(self) -> set[int]:
        """Years whose official schedule is known, from the library or loaded by staff."""
        library = {y for y in range(2004, 2040) if self.library_knows(y)}
        return library | self.loaded_years

    def is_guessed(self, year: int) -> bool:
        """True when only the Monday–Friday fallback applies to ``year``."""
        return year not in self.loaded_years and not self.library_knows(year)

    def is_workday(self, day: dt.date) -> bool:
        """Statutory holidays off, 调休 weekends on; records the year when it had to guess."""
        if day in self.overrides:
            return self.overrides[day]
        library = library_is_workday(day)
        if library is not None:
            return library
        if day.year not in self.loaded_years:
            self.guessed_years_used.add(day.year)
        return day.weekday() < 5

    def incomplete_years(self) -> list[int]:
        """Loaded years the library does not know whose file misses a statutory holiday."""
        return sorted(y for y in self.loaded_years if missing_festivals(y, self.overrides))


def library_is_workday(day: dt.date) -> bool | None:
    """chinese-calendar's answer for ``day``, or None for a year it does not know."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def missing_festivals(year: int, days: Mapping[dt.date, bool]) -> list[str]:
    """Statutory holidays of ``year`` that ``days`` (date → is working day) does not mark off.

    Empty for a year the library knows: there the library fills every day the file leaves out.
    """
    if library_is_workday(dt.date(year, 6, 1)) is not None:
        return []
    missing = []
    for name, (m1, d1), (m2, d2) in FESTIVAL_WINDOWS:
        start, end = dt.date(year, m1, d1), dt.date(year, m2, d2)
        if not any(not workday and start <= day <= end for day, workday in days.items()):
            missing.append(name)
    return missing


def library_disagreements(days: list[tuple[dt.date, bool, str]]) -> list[tuple[dt.date, bool, bool]]:
    """``(day, file says working day, library says working day)`` wherever the two differ."""
    found = []
    for day, workday, _ in days:
        library = library_is_workday(day)
        if library is not None and library != workday:
            found.append((day, workday, library))
    return found


def add_workdays(day: dt.date, n: int, cal: WorkdayCalendar) -> dt.date:
    """The date ``n`` working days after ``day`` (the day itself is not counted)."""
    if n < 0:
        raise ValueError("n must be ≥ 0")
    current = day
    while n:
        current += dt.timedelta(days=1)
        if cal.is_workday(current):
            n -= 1
    return current


def workdays_between(start: dt.date, end: dt.date, cal: WorkdayCalendar) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
    if end < start:
        return -workdays_between(end, start, cal)
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        count += cal.is_workday(current)
    return count


def previous_working_day(day: dt.date, cal: WorkdayCalendar) -> dt.date:
    """The last working day before ``day`` (a reminder "the working day before the deadline")."""
    current = day - dt.timedelta(days=1)
    while not cal.is_workday(current):
        current -= dt.timedelta(days=1)
    return current


def schedule_known(year: int, loaded_years: set[int]) -> bool:
    """True when the year's official schedule is known (library or staff-loaded), not guessed."""
    return year in loaded_years or WorkdayCalendar().library_knows(year)


def _row(date_text: str, kind: str, name: str, where: Text) -> tuple[dt.date, bool, str]:
    try:
        day = dt.date.fromisoformat(date_text.strip())
    except ValueError as exc:
        raise HolidayFileError(T("{where}: expected a date like 2027-02-06, got {value}", where=where,
                                 value=repr(date_text))) from exc
    if not YEAR_MIN <= day.year <= YEAR_MAX:
        raise HolidayFileError(T("{where}: the year must be between {low} and {high}, got {value}", where=where,
                                 low=str(YEAR_MIN), high=str(YEAR_MAX), value=str(day.year)))
    if len(name.strip()) > NAME_LENGTH:
        raise HolidayFileError(T("{where}: the name is at most {limit} characters, got {count}", where=where,
                                 limit=NAME_LENGTH, count=len(name.strip())))
    kind = kind.strip().lower()
    if kind not in KINDS:
        raise HolidayFileError(T("{where}: kind must be 'holiday' or 'workday' (调休 make-up day), got {value}",
                                 where=where, value=repr(kind)))
    return day, KINDS[kind], name.strip()


def _line(number: int) -> Text:
    return T("line {number}", number=str(number))


def _toml_rows(text: str) -> list[tuple[dt.date, bool, str]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise HolidayFileError(T("not valid TOML: {problem}", problem=str(exc))) from exc
    year = data.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool)):
        raise HolidayFileError(T("year must be a number like year = 2027, got {value}", value=repr(year)))
    days = data.get("days", [])
    if not isinstance(days, list) or not all(isinstance(entry, dict) for entry in days):
        raise HolidayFileError(T("days must be a list of [[days]] tables with date, kind and name"))
    rows = []
    for index, entry in enumerate(days):
        where = Raw(f"days[{index}]")
        row = _row(str(entry.get("date")), str(entry.get("kind", "")), str(entry.get("name", "")), where)
        if isinstance(year, int) and row[0].year != year:
            raise HolidayFileError(T("{where}: expected a date in {year} (the file's year), got {value}",
                                     where=where, year=str(year), value=row[0].isoformat()))
        rows.append(row)
    return rows


def _csv_rows(text: str) -> list[tuple[dt.date, bool, str]]:
    """CSV lines read one by one, so every message names the file's own line number."""
    rows: list[tuple[dt.date, bool, str]] = []
    header: list[str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in next(csv.reader([line]), [])]
        if header is None:
            header = [cell.lower() for cell in cells]
            if not {"date", "kind"} <= set(header) or not set(header) <= {"date", "kind", "name"}:
                raise HolidayFileError(T("{where}: expected the header date,kind,name, got {value}",
                                         where=_line(number), value=repr(line.strip())))
            continue
        values = dict(zip(header, cells, strict=False))
        rows.append(_row(values.get("date", ""), values.get("kind", ""), values.get("name", ""), _line(number)))
    return rows


def parse_holiday_file(text: str, fmt: str) -> list[tuple[dt.date, bool, str]]:
    """Read an official schedule: ``(date, is_workday, name)`` per listed day.

    CSV: a header ``date,kind,name`` (spaces around names allowed); ``kind`` is ``holiday`` or
    ``workday``; lines starting with ``#`` are comments. TOML: ``year = 2027`` and ``[[days]]``
    tables with ``date``, ``kind`` and ``name``. Days not listed keep the library's answer, or
    the weekend rule for a year the library does not know.
    """
    if "\x00" in text:
        raise HolidayFileError(T("the file contains a NUL byte; save it as plain UTF-8 text"))
    rows = _toml_rows(text) if fmt == "toml" else _csv_rows(text)
    if not rows:
        raise HolidayFileError(T("the file lists no days"))
    seen: set[dt.date] = set()
    for day, _, _ in rows:
        if day in seen:
            raise HolidayFileError(T("{day} is listed twice", day=Raw(day.isoformat())))
        seen.add(day)
    return rows


def main_year(days: list[tuple[dt.date, bool, str]]) -> int:
    """The year a schedule file is for: the year most of its days are in (a bridge day may stray)."""
    counts = Counter(day.year for day, _, _ in days)
    return max(counts, key=lambda year: (counts[year], -year))
