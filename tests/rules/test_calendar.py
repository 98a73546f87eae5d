"""Chinese working days (Spring Festival, National Day, 调休) and the deadlines built on them."""

from __future__ import annotations

import datetime as dt

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
from rules.deadlines import annual_due_date, deadline_for, due_items, lateness, reminder_moments
from rules.profile import load_profile

D = dt.date


def test_spring_festival_2026_and_its_adjusted_saturdays() -> None:
    cal = WorkdayCalendar()
    assert cal.is_workday(D(2026, 2, 14)), "Saturday 14 Feb 2026 is a 调休 working day"
    assert not cal.is_workday(D(2026, 2, 17)), "Spring Festival"
    assert cal.is_workday(D(2026, 2, 28)), "Saturday 28 Feb 2026 is a 调休 working day"
    # Thu 12 Feb + 5 working days: 13, 14 (Sat, 调休), then 24, 25, 26 after the holiday.
    assert add_workdays(D(2026, 2, 12), 5, cal) == D(2026, 2, 26)


def test_national_day_2025() -> None:
    cal = WorkdayCalendar()
    assert cal.is_workday(D(2025, 9, 28)), "Sunday 28 Sep 2025 is a 调休 working day"
    assert not cal.is_workday(D(2025, 10, 3))
    # Fri 26 Sep + 5: 28 (Sun, 调休), 29, 30, then 9 Oct, 10 Oct... the holiday runs 1–8 Oct 2025.
    assert add_workdays(D(2025, 9, 26), 5, cal) == D(2025, 10, 10)


def test_change_report_deadline_and_lateness_across_spring_festival() -> None:
    gd = load_profile("gd-quality")
    assert deadline_for("manager_change", D(2026, 2, 12), gd) == D(2026, 2, 26)
    # Ten: 13, 14 (调休), 24, 25, 26, 27, 28 (调休 Saturday), 2, 3, 4 March.
    assert deadline_for("host_rename", D(2026, 2, 12), gd) == D(2026, 3, 4)
    assert lateness(D(2026, 2, 26), D(2026, 2, 26)) == 0
    assert lateness(D(2026, 2, 26), D(2026, 3, 2)) == 3, "27 Feb, 28 Feb (调休 Saturday), 2 Mar"


def test_year_beyond_the_library_falls_back_and_says_so() -> None:
    cal = WorkdayCalendar()
    assert cal.is_guessed(2027)
    assert add_workdays(D(2027, 2, 5), 1, cal) == D(2027, 2, 8)
    assert cal.guessed_years_used == {2027}


def test_loaded_schedule_takes_precedence() -> None:
    text = "date,kind,name\n2027-02-08,holiday,春节\n2027-02-09,holiday,春节\n2027-02-13,workday,春节调休\n"
    days = parse_holiday_file(text, "csv")
    cal = WorkdayCalendar({d: w for d, w, _ in days}, {2027})
    assert not cal.is_guessed(2027)
    assert add_workdays(D(2027, 2, 5), 1, cal) == D(2027, 2, 10)
    assert cal.is_workday(D(2027, 2, 13))
    assert cal.guessed_years_used == set()
    assert previous_working_day(D(2027, 2, 10), cal) == D(2027, 2, 5)


def test_toml_schedule_and_errors() -> None:
    days = parse_holiday_file('year = 2027\n[[days]]\ndate = 2027-10-01\nkind = "holiday"\nname = "国庆节"\n', "toml")
    assert days == [(D(2027, 10, 1), False, "国庆节")]
    with pytest.raises(HolidayFileError, match="line 2: expected a date"):
        parse_holiday_file("date,kind,name\n2027-13-01,holiday,x\n", "csv")
    with pytest.raises(HolidayFileError, match="kind must be"):
        parse_holiday_file("date,kind,name\n2027-01-01,vacation,x\n", "csv")
    with pytest.raises(HolidayFileError, match="listed twice"):
        parse_holiday_file("date,kind,name\n2027-01-01,holiday,x\n2027-01-01,holiday,x\n", "csv")


@given(st.dates(D(2004, 1, 1), D(2026, 11, 30)), st.integers(0, 30))
def test_add_workdays_round_trips_with_workdays_between(day: dt.date, n: int) -> None:
    cal = WorkdayCalendar()
    later = add_workdays(day, n, cal)
    assert workdays_between(day, later, cal) == n
    assert later >= day


def test_annual_due_dates_per_profile() -> None:
    assert annual_due_date(load_profile("gd-quality"), "plan", 2027) == D(2027, 2, 28)
    assert annual_due_date(load_profile("gd-quality"), "summary", 2028) == D(2028, 2, 29)
    assert annual_due_date(load_profile("wuhan-qis"), "efficiency_report", 2027) == D(2027, 10, 31)
    assert annual_due_date(load_profile("gd-quality"), "efficiency_report", 2027) is None


def test_due_items_mark_done_overdue_and_soon() -> None:
    gd = load_profile("gd-quality")
    items = {i.kind: i for i in due_items(gd, D(2027, 3, 2), {("plan", 2027)})}
    assert items["plan"].status == "done"
    assert items["summary"].status == "overdue" and items["summary"].year == 2026
    assert items["summary"].days_left == -2
    soon = {i.kind: i for i in due_items(gd, D(2027, 2, 10), set(), certificate_expiry=D(2027, 4, 1))}
    assert soon["plan"].status == "due_soon" and soon["certificate"].days_left == 50


def test_reminder_moments_then_weekly_while_overdue() -> None:
    gd = load_profile("gd-quality")
    due = D(2027, 2, 28)
    assert [label for label, _ in reminder_moments(due, D(2027, 2, 21), gd)] == ["T-30", "T-14", "T-7"]
    late = reminder_moments(due, D(2027, 3, 15), gd)
    assert [label for label, _ in late][-2:] == ["overdue-w1", "overdue-w2"]
