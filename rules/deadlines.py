"""What is due for a station and when it becomes late (pure; today is always an argument)."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from locales import N_
from rules.calendar import WorkdayCalendar, add_workdays, workdays_between
from rules.profile import AnnualSubmission, Profile

DUE_SOON_DAYS = 30
Status = Literal["upcoming", "due_soon", "overdue", "done"]


def deadline_for(change_kind: str, event_date: dt.date, profile: Profile,
                 cal: WorkdayCalendar | None = None) -> dt.date:
    """The last day a change report is on time: N working days after the event (per profile)."""
    kind = profile.change_kind(change_kind)
    return add_workdays(event_date, kind.working_days, cal or WorkdayCalendar())


def lateness(deadline: dt.date, submitted_on: dt.date, cal: WorkdayCalendar | None = None) -> int:
    """0 when on time, else how many working days late."""
    if submitted_on <= deadline:
        return 0
    return workdays_between(deadline, submitted_on, cal or WorkdayCalendar())


def _due_date(spec: AnnualSubmission, year: int) -> dt.date:
    day = min(spec.due.day, month_calendar.monthrange(year, spec.due.month)[1])
    due = dt.date(year, spec.due.month, day)
    return due - dt.timedelta(days=1) if spec.due.exclusive else due


def annual_due_date(profile: Profile, submission_id: str, year: int) -> dt.date | None:
    """The last on-time day of a yearly submission due in ``year`` ("before March" → 28/29 February)."""
    spec = profile.submission(submission_id)
    return _due_date(spec, year) if spec is not None else None


def covered_year(spec: AnnualSubmission, due_year: int) -> int:
    """Which year's work a submission due in ``due_year`` is about (a summary covers last year)."""
    return due_year - 1 if spec.covers == "last_year" else due_year


@dataclass(frozen=True)
class DueItem:
    kind: str
    key: str
    label: str
    year: int
    due_on: dt.date
    status: Status
    days_left: int


def _status(due_on: dt.date, today: dt.date, done: bool) -> Status:
    if done:
        return "done"
    if due_on < today:
        return "overdue"
    if (due_on - today).days <= DUE_SOON_DAYS:
        return "due_soon"
    return "upcoming"


def due_items(profile: Profile, today: dt.date, submitted: Collection[tuple[str, int]],
              certificate_expiry: dt.date | None = None, agreement_end: dt.date | None = None) -> list[DueItem]:
    """This year's submissions (keyed by the year they cover) and expiries within 90 days.

    ``submitted`` holds ``(submission id, covered year)`` pairs already submitted.
    """
    items: list[DueItem] = []
    for spec in profile.annual_submissions:
        due_on = _due_date(spec, today.year)
        year = covered_year(spec, today.year)
        done = (spec.id, year) in submitted
        items.append(DueItem(spec.id, f"{spec.id}:{year}", spec.label, year, due_on,
                             _status(due_on, today, done), (due_on - today).days))
    horizon = max(profile.reminders.expiry_days_before, default=90)
    for kind, label, day in (("certificate", N_("Manager certificate expires"), certificate_expiry),
                             ("agreement", N_("Cooperation agreement ends"), agreement_end)):
        if day is not None and (day - today).days <= horizon:
            items.append(DueItem(kind, f"{kind}:{day.isoformat()}", label, day.year, day,
                                 _status(day, today, False), (day - today).days))
    return sorted(items, key=lambda item: item.due_on)


def reminder_moments(due_on: dt.date, today: dt.date, profile: Profile) -> list[tuple[str, dt.date]]:
    """The reminder moments of an annual item up to ``today``: T-30.. before, then weekly while overdue."""
    moments = [(f"T-{n}", due_on - dt.timedelta(days=n)) for n in sorted(profile.reminders.annual_days_before,
                                                                           reverse=True)]
    step = profile.reminders.overdue_every_days
    week = 1
    while due_on + dt.timedelta(days=step * week) <= today:
        moments.append((f"overdue-w{week}", due_on + dt.timedelta(days=step * week)))
        week += 1
    return [(label, day) for label, day in moments if day <= today]
