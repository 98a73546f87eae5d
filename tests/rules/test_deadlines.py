"""Change-report deadlines in working days, yearly due dates, what a station owes, reminder moments."""

from __future__ import annotations

import datetime as dt

import pytest

from rules.calendar import WorkdayCalendar
from rules.deadlines import (
    OpenChange,
    StationFacts,
    annual_due_date,
    deadline_for,
    due_items,
    lateness,
    reminder_moments,
)
from rules.profile import load_profile

D = dt.date


def test_change_report_deadline_and_lateness_across_spring_festival_2026() -> None:
    gd = load_profile("gd-quality")
    cal = WorkdayCalendar()
    assert deadline_for("manager_change", D(2026, 2, 12), gd, cal) == D(2026, 2, 26)
    # Ten: 13, 14 (调休), 24, 25, 26, 27, 28 (调休 Saturday), 2, 3, 4 March.
    assert deadline_for("host_rename", D(2026, 2, 12), gd, cal) == D(2026, 3, 4)
    assert lateness(D(2026, 2, 26), D(2026, 2, 26), cal) == 0
    assert lateness(D(2026, 2, 26), D(2026, 2, 20), cal) == 0
    assert lateness(D(2026, 2, 26), D(2026, 3, 2), cal) == 3, "27 Feb, 28 Feb (调休 Saturday), 2 Mar"


def test_change_deadline_over_national_day_2025() -> None:
    # Tue 30 Sep 2025 + 5 working days: the 1–8 Oct holiday, then 9, 10, 11 (调休 Sat), 13, 14.
    assert deadline_for("liaison_change", D(2025, 9, 30), load_profile("gd-quality"), WorkdayCalendar()) == D(2025, 10, 14)


def test_unknown_change_kind_is_refused() -> None:
    with pytest.raises(KeyError, match="no change kind"):
        deadline_for("merger", D(2026, 1, 5), load_profile("gd-quality"))


def test_annual_due_dates_per_profile() -> None:
    gd = load_profile("gd-quality")
    plan = gd.submission("plan")
    assert plan is not None
    assert annual_due_date(plan, 2027, gd) == D(2027, 2, 28), "before March"
    assert annual_due_date("summary", 2028, gd) == D(2028, 2, 29), "leap year"
    assert annual_due_date("efficiency_report", 2027, load_profile("wuhan-qis")) == D(2027, 10, 31)
    with pytest.raises(KeyError):
        annual_due_date("efficiency_report", 2027, gd)
    # The older argument order, still used by callers outside rules/.
    assert annual_due_date(gd, "plan", 2027) == D(2027, 2, 28)
    assert annual_due_date(gd, "efficiency_report", 2027) is None


def test_due_items_for_a_station() -> None:
    gd = load_profile("gd-quality")
    facts = StationFacts("gd-quality", founded_on=D(2025, 5, 1), certificate_expiry=D(2027, 4, 1),
                         submitted=frozenset({("plan", 2027), ("summary", 2025)}),
                         open_changes=(OpenChange("manager_change", D(2027, 2, 22)),))
    items = {i.key: i for i in due_items(facts, D(2027, 2, 10), gd, WorkdayCalendar())}
    assert items["plan:2027"].status == "done"
    assert items["summary:2026"].status == "due_soon" and items["summary:2026"].days_left == 18
    assert items["certificate:2027-04-01"].days_left == 50
    assert items["plan:2026"].status == "overdue", "last year's plan, never submitted"
    assert "summary:2025" not in items, "last year's item already submitted"
    assert "summary:2024" not in items, "covers a year before the station was founded"
    # 22 Feb 2027 (Mon) + 5 working days, 2027 guessed as Mon–Fri: 23, 24, 25, 26 Feb, 1 Mar.
    change = items["change:manager_change:2027-02-22"]
    assert change.due_on == D(2027, 3, 1) and change.kind == "change"


def test_due_items_overdue_last_year_and_founding() -> None:
    wuhan = load_profile("wuhan-qis")
    facts = StationFacts("wuhan-qis", founded_on=D(2025, 6, 1))
    items = {i.key: i for i in due_items(facts, D(2026, 1, 10), wuhan)}
    assert items["efficiency_report:2025"].status == "overdue"
    assert items["efficiency_report:2025"].days_left == -71
    assert "plan:2026" not in items and "summary:2025" not in items, \
        "seed 002 asks for no plan or summary: they are off unless the society's override turns them on"
    assert items["efficiency_report:2026"].status == "upcoming"


def test_due_items_older_call_form() -> None:
    gd = load_profile("gd-quality")
    items = {i.kind: i for i in due_items(gd, D(2027, 3, 2), {("plan", 2027)})}
    assert items["plan"].status == "done"
    assert items["summary"].status == "overdue" and items["summary"].year == 2026
    soon = {i.kind: i for i in due_items(gd, D(2027, 2, 10), set(), certificate_expiry=D(2027, 4, 1))}
    assert soon["plan"].status == "due_soon" and soon["certificate"].days_left == 50


def test_facts_of_another_profile_are_refused() -> None:
    with pytest.raises(ValueError, match="profile"):
        due_items(StationFacts("quzhou"), D(2027, 1, 1), load_profile("gd-quality"))


def test_reminder_moments_before_and_weekly_while_overdue() -> None:
    gd = load_profile("gd-quality")
    due = D(2027, 2, 28)
    assert reminder_moments(due, D(2027, 2, 21), gd) == [("T-30", D(2027, 1, 29)), ("T-14", D(2027, 2, 14)),
                                                         ("T-7", D(2027, 2, 21))]
    late = reminder_moments(due, D(2027, 3, 15), gd)
    assert late[3:] == [("T-1", D(2027, 2, 27)), ("overdue-w1", D(2027, 3, 7)), ("overdue-w2", D(2027, 3, 14))]
    assert reminder_moments(due, D(2027, 1, 1), gd) == []
