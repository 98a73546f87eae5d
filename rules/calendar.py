"""Chinese working days: statutory holidays off, adjusted working weekends (调休) on.

chinese-calendar knows 2004–2026 only, while the first busy season (plans due before March
2027) lies beyond it. Staff therefore load each year's official schedule (a CSV or TOML file,
see ``parse_holiday_file``); loaded days take precedence. For a year nobody loaded, Monday to
Friday is assumed and the calendar records that it guessed, so callers can warn staff.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tomllib
from collections.abc import Mapping

import chinese_calendar

KINDS = {"holiday": False, "workday": True}


class HolidayFileError(ValueError):
    """A schedule file line that cannot be read; the message names the line and what was expected."""


class WorkdayCalendar:
    """Working days from, in order: staff-loaded days, chinese-calendar (2004–2026), Monday–Friday.

    A year in ``loaded_years`` is authoritative: its unlisted days follow the weekend rule and
    the library is not asked. ``guessed_years_used`` collects the years answered by the
    Monday–Friday guess, so the caller can log a warning and tell staff to load the schedule.
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
        if day.year not in self.loaded_years:
            try:
                return bool(chinese_calendar.is_workday(day))
            except NotImplementedError:
                self.guessed_years_used.add(day.year)
        return day.weekday() < 5


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


def _row(date_text: str, kind: str, name: str, where: str) -> tuple[dt.date, bool, str]:
    try:
        day = dt.date.fromisoformat(date_text.strip())
    except ValueError as exc:
        raise HolidayFileError(f"{where}: expected a date like 2027-02-06, got {date_text!r}") from exc
    kind = kind.strip().lower()
    if kind not in KINDS:
        raise HolidayFileError(f"{where}: kind must be 'holiday' or 'workday' (调休 make-up day), got {kind!r}")
    return day, KINDS[kind], name.strip()


def parse_holiday_file(text: str, fmt: str) -> list[tuple[dt.date, bool, str]]:
    """Read an official schedule: ``(date, is_workday, name)`` per listed day.

    CSV: a header ``date,kind,name``; ``kind`` is ``holiday`` or ``workday``; lines starting
    with ``#`` are comments. TOML: ``year = 2027`` and ``[[days]]`` tables with ``date``,
    ``kind`` and ``name``. Days not listed follow the weekend rule.
    """
    rows: list[tuple[dt.date, bool, str]] = []
    if fmt == "toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise HolidayFileError(f"not valid TOML: {exc}") from exc
        year = data.get("year")
        for index, entry in enumerate(data.get("days", [])):
            row = _row(str(entry.get("date")), str(entry.get("kind", "")), str(entry.get("name", "")),
                       f"days[{index}]")
            if isinstance(year, int) and row[0].year != year:
                raise HolidayFileError(f"days[{index}]: expected a date in {year} (the file's year), got {row[0]}")
            rows.append(row)
    else:
        lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        reader = csv.DictReader(io.StringIO("\n".join(lines)))
        if reader.fieldnames is None or not {"date", "kind"} <= {f.strip() for f in reader.fieldnames}:
            raise HolidayFileError("line 1: expected the header date,kind,name")
        for number, raw in enumerate(reader, start=2):
            rows.append(_row(raw.get("date") or "", raw.get("kind") or "", raw.get("name") or "",
                             f"line {number}"))
    if not rows:
        raise HolidayFileError("the file lists no days")
    seen: set[dt.date] = set()
    for day, _, _ in rows:
        if day in seen:
            raise HolidayFileError(f"{day.isoformat()} is listed twice")
        seen.add(day)
    return rows
