"""Chinese working days: Spring Festival, National Day, 调休, staff-loaded schedules, the Mon–Fri fallback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.calendar import (
    HolidayFileError,
    WorkdayCalendar,
    add_workdays,
    parse_holiday_file,
    previous_working_day,
    workdays_between,
)

D = dt.date
EXAMPLE = Path(__file__).resolve().parents[2] / "rules" / "holidays" / "2027.example.csv"


def test_spring_festival_2026_matches_the_library() -> None:
    cal = WorkdayCalendar()
    for day in range(15, 24):
        assert not cal.is_workday(D(2026, 2, day)) and not chinese_calendar.is_workday(D(2026, 2, day))
    assert cal.is_workday(D(2026, 2, 14)), "Saturday 14 Feb 2026 is a 调休 working day"
    assert cal.is_workday(D(2026, 2, 28)), "Saturday 28 Feb 2026 is a 调休 working day"
    # Thu 12 Feb + 5 working days: 13, 14 (Sat, 调休), then 24, 25, 26 after the holiday.
    assert add_workdays(D(2026, 2, 12), 5, cal) == D(2026, 2, 26)


def test_national_day_2025_and_2026() -> None:
    cal = WorkdayCalendar()
    assert cal.is_workday(D(2025, 9, 28)), "Sunday 28 Sep 2025 is a 调休 working day"
    assert not any(cal.is_workday(D(2025, 10, d)) for d in range(1, 9))
    assert cal.is_workday(D(2025, 10, 11)), "Saturday 11 Oct 2025 is a 调休 working day"
    # Fri 26 Sep + 5: 28 (Sun, 调休), 29, 30, then 9 and 10 Oct after the 1–8 Oct holiday.
    assert add_workdays(D(2025, 9, 26), 5, cal) == D(2025, 10, 10)
    off_2026 = [d for d in range(1, 10) if not cal.is_workday(D(2026, 10, d))]
    assert off_2026 == [d for d in range(1, 10) if not chinese_calendar.is_workday(D(2026, 10, d))]
    assert {1, 2, 3, 5, 6, 7} <= set(off_2026)


def test_adjusted_saturday_counts_as_a_working_day() -> None:
    cal = WorkdayCalendar()
    # Fri 13 Feb 2026 → the next working day is Saturday 14 Feb (调休), not Monday.
    assert add_workdays(D(2026, 2, 13), 1, cal) == D(2026, 2, 14)
    assert workdays_between(D(2026, 2, 13), D(2026, 2, 24), cal) == 2, "14 Feb (调休) and 24 Feb"
    assert cal.guessed_years_used == set()


def test_2027_falls_back_to_monday_to_friday_and_says_it_guessed() -> None:
    cal = WorkdayCalendar()
    assert cal.is_guessed(2027) and not cal.is_guessed(2026)
    assert 2026 in cal.known_years() and 2027 not in cal.known_years()
    assert add_workdays(D(2027, 2, 5), 1, cal) == D(2027, 2, 8), "Friday → Monday"
    assert cal.guessed_years_used == {2027}


def test_loaded_2027_schedule_takes_precedence() -> None:
    days = parse_holiday_file(EXAMPLE.read_text(encoding="utf-8"), "csv")
    cal = WorkdayCalendar({d: w for d, w, _ in days}, {2027})
    assert not cal.is_guessed(2027) and 2027 in cal.known_years()
    assert not cal.is_workday(D(2027, 2, 8)), "loaded holiday on a Monday"
    assert cal.is_workday(D(2027, 2, 14)), "loaded 调休 Sunday"
    # Fri 5 Feb + 1: 6–13 are loaded holidays, 14 (Sun) is a loaded working day.
    assert add_workdays(D(2027, 2, 5), 1, cal) == D(2027, 2, 14)
    assert previous_working_day(D(2027, 2, 14), cal) == D(2027, 2, 5)
    assert cal.guessed_years_used == set()


def test_loaded_schedule_can_override_the_library() -> None:
    cal = WorkdayCalendar({D(2026, 2, 14): False}, {2026})
    assert not cal.is_workday(D(2026, 2, 14))
    # Issue 16: a loaded file overrides day by day; its unlisted days keep the library's answer.
    assert not cal.is_workday(D(2026, 2, 16)), "Spring Festival 2026 stays a holiday"
    assert not cal.is_workday(D(2026, 10, 1)) and cal.is_workday(D(2026, 2, 13))


def test_example_file_says_it_is_not_official() -> None:
    header = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    assert "EXAMPLE" in header and "NOT the official" in header


def test_toml_schedule() -> None:
    text = ('year = 2027\n[[days]]\ndate = 2027-10-01\nkind = "holiday"\nname = "国庆节"\n'
            '[[days]]\ndate = 2027-09-26\nkind = "workday"\nname = "国庆调休"\n')
    assert parse_holiday_file(text, "toml") == [(D(2027, 10, 1), False, "国庆节"), (D(2027, 9, 26), True, "国庆调休")]


@pytest.mark.parametrize(("text", "fmt", "message"), [
    ("date,kind,name\n2027-13-01,holiday,x\n", "csv", "line 2: expected a date"),
    ("date,kind,name\n2027-01-01,holiday,x\n2027-01-02,vacation,x\n", "csv", "line 3: kind must be"),
    ("date,kind,name\n2027-01-01,holiday,x\n2027-01-01,holiday,x\n", "csv", "listed twice"),
    ("day,type\n2027-01-01,holiday\n", "csv", "line 1: expected the header"),
    ("date,kind,name\n", "csv", "lists no days"),
    ('year = 2027\n[[days]]\ndate = "soon"\nkind = "holiday"\n', "toml", "days[0]: expected a date"),
    ("year = 2027\n[[days]\n", "toml", "not valid TOML"),
    ('year = 2027\n[[days]]\ndate = 2028-01-01\nkind = "holiday"\n', "toml", "days[0]: expected a date in 2027"),
])
def test_holiday_file_errors_name_the_line(text: str, fmt: str, message: str) -> None:
    with pytest.raises(HolidayFileError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_holiday_file(text, fmt)


@given(st.dates(D(2004, 1, 1), D(2026, 11, 30)), st.integers(0, 30))
def test_add_workdays_round_trips_with_workdays_between(day: dt.date, n: int) -> None:
    cal = WorkdayCalendar()
    later = add_workdays(day, n, cal)
    assert workdays_between(day, later, cal) == n
    assert workdays_between(later, day, cal) == -n
    assert later >= day and (n == 0) == (later == day)


@given(st.dates(D(2004, 1, 1), D(2026, 11, 30)), st.dates(D(2004, 1, 1), D(2026, 11, 30)), st.integers(0, 20))
def test_add_workdays_is_monotonic(a: dt.date, b: dt.date, n: int) -> None:
    cal = WorkdayCalendar()
    first, second = sorted((a, b))
    assert add_workdays(first, n, cal) <= add_workdays(second, n, cal)
    assert add_workdays(first, n, cal) <= add_workdays(first, n + 1, cal)


def test_negative_workdays_are_refused() -> None:
    with pytest.raises(ValueError, match="n must be"):
        add_workdays(D(2026, 1, 5), -1, WorkdayCalendar())
