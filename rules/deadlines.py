"""What is due for a station and when it becomes late (pure; today is always an argument).

Two kinds of deadline: change reports, due N working days after the event (seed 000
第十八/十九条), and yearly submissions, due on a calendar date ("每年3月前", "当年10月底前").
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal, overload

from locales import N_
from rules.calendar import WorkdayCalendar, add_workdays, workdays_between
from rules.profile import AnnualSubmission, Profile

DUE_SOON_DAYS = 30
Status = Literal["upcoming", "due_soon", "overdue", "done"]
Kind = Literal["plan", "summary", "efficiency_report", "self_check", "certificate", "agreement", "change"]


def deadline_for(change_kind: str, event_date: dt.date, profile: Profile,
                 cal: WorkdayCalendar | None = None) -> dt.date:
    """The last day a change report is on time: N working days after the event (per profile)."""
    kind = profile.change_kind(change_kind)
    return add_workdays(event_date, kind.working_days, cal or WorkdayCalendar())


def lateness(deadline: dt.date, submitted_on: dt.date, cal: WorkdayCalendar | None = None) -> int:
    """0 when on time, else how many working days late (a weekend after the deadline adds nothing)."""
    if submitted_on <= deadline:
        return 0
    return workdays_between(deadline, submitted_on, cal or WorkdayCalendar())


def _due_date(spec: AnnualSubmission, year: int) -> dt.date:
    day = min(spec.due.day, month_calendar.monthrange(year, spec.due.month)[1])
    due = dt.date(year, spec.due.month, day)
    return due - dt.timedelta(days=1) if spec.due.exclusive else due


@overload
def annual_due_date(submission: AnnualSubmission | str, year: int, profile: Profile) -> dt.date: ...
@overload
def annual_due_date(submission: Profile, year: str, profile: int) -> dt.date | None: ...
def annual_due_date(submission: AnnualSubmission | str | Profile, year: int | str,
                    profile: Profile | int) -> dt.date | None:
    """The last on-time day of a yearly submission due in ``year`` ("before March" → 28/29 February).

    ``year`` is the year it is due in: last year's summary is due in this year. The older
    call form ``annual_due_date(profile, submission_id, year)`` is still accepted and gives
    None for a submission the profile does not ask for.
    """
    if isinstance(submission, Profile):
        assert isinstance(year, str) and isinstance(profile, int)
        legacy = submission.submission(year)
        return _due_date(legacy, profile) if legacy is not None else None
    assert isinstance(year, int) and isinstance(profile, Profile)
    spec = submission if isinstance(submission, AnnualSubmission) else profile.submission(submission)
    if spec is None:
        raise KeyError(f"profile {profile.id} asks for no yearly {submission!r}")
    return _due_date(spec, year)


def covered_year(spec: AnnualSubmission, due_year: int) -> int:
    """Which year's work a submission due in ``due_year`` is about (a summary covers last year)."""
    return due_year - 1 if spec.covers == "last_year" else due_year


@dataclass(frozen=True)
class OpenChange:
    """An unsubmitted change report (a draft) with the event it reports."""

    kind: str
    event_date: dt.date
    ref: str = ""


@dataclass(frozen=True)
class StationFacts:
    """What deadlines need to know of a station; ``submitted`` holds (submission id, covered year)."""

    profile_id: str
    society_level: str | None = None
    founded_on: dt.date | None = None
    agreement_end: dt.date | None = None
    certificate_expiry: dt.date | None = None
    submitted: frozenset[tuple[str, int]] = frozenset()
    open_changes: tuple[OpenChange, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class DueItem:
    """One thing due; ``key`` is stable ("plan:2027", "summary:2026") for outbox idempotency keys."""

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


def _item(kind: str, key: str, label: str, year: int, due_on: dt.date, today: dt.date, done: bool) -> DueItem:
    return DueItem(kind, key, label, year, due_on, _status(due_on, today, done), (due_on - today).days)


def _annual(profile: Profile, today: dt.date, submitted: Collection[tuple[str, int]],
            founded_on: dt.date | None, years: tuple[int, ...]) -> list[DueItem]:
    items = []
    for due_year in years:
        for spec in profile.annual_submissions:
            due_on = _due_date(spec, due_year)
            year = covered_year(spec, due_year)
            done = (spec.id, year) in submitted
            if founded_on is not None and (due_on < founded_on or year < founded_on.year):
                continue
            if due_year < today.year and done:
                continue
            items.append(_item(spec.id, f"{spec.id}:{year}", spec.label, year, due_on, today, done))
    return items


def _expiries(profile: Profile, today: dt.date, certificate_expiry: dt.date | None,
              agreement_end: dt.date | None) -> list[DueItem]:
    horizon = max(profile.reminders.expiry_days_before, default=90)
    items = []
    for kind, label, day in (("certificate", N_("Manager certificate expires"), certificate_expiry),
                             ("agreement", N_("Cooperation agreement ends"), agreement_end)):
        if day is not None and (day - today).days <= horizon:
            items.append(_item(kind, f"{kind}:{day.isoformat()}", label, day.year, day, today, False))
    return items


@overload
def due_items(facts: StationFacts, today: dt.date, profile: Profile,
              cal: WorkdayCalendar | None = None) -> list[DueItem]: ...
@overload
def due_items(facts: Profile, today: dt.date, profile: Collection[tuple[str, int]], cal: None = None, *,
              certificate_expiry: dt.date | None = None, agreement_end: dt.date | None = None) -> list[DueItem]: ...
def due_items(facts: StationFacts | Profile, today: dt.date, profile: Profile | Collection[tuple[str, int]],
              cal: WorkdayCalendar | None = None, *, certificate_expiry: dt.date | None = None,
              agreement_end: dt.date | None = None) -> list[DueItem]:
    """What the station owes, sorted by due date: yearly submissions, expiries, open change reports.

    Yearly items are this year's, plus last year's still missing (overdue). Items due before
    the station was founded are left out. Expiries show from ``reminders.expiry_days_before``.
    The older call form ``due_items(profile, today, submitted, certificate_expiry=, agreement_end=)``
    gives this year's submissions and the expiries.
    """
    if isinstance(facts, Profile):
        submitted = profile
        assert not isinstance(submitted, Profile)
        items = _annual(facts, today, submitted, None, (today.year,))
        return sorted(items + _expiries(facts, today, certificate_expiry, agreement_end), key=lambda i: i.due_on)
    assert isinstance(profile, Profile)
    if facts.profile_id != profile.id:
        raise ValueError(f"station facts are for profile {facts.profile_id}, not {profile.id}")
    calendar = cal or WorkdayCalendar()
    items = _annual(profile, today, facts.submitted, facts.founded_on, (today.year - 1, today.year))
    items += _expiries(profile, today, facts.certificate_expiry, facts.agreement_end)
    for change in facts.open_changes:
        deadline = deadline_for(change.kind, change.event_date, profile, calendar)
        key = f"change:{change.kind}:{change.event_date.isoformat()}"
        items.append(_item("change", key, profile.change_kind(change.kind).label, change.event_date.year,
                           deadline, today, False))
    return sorted(items, key=lambda item: (item.due_on, item.key))


def reminder_moments(due_on: dt.date, today: dt.date, profile: Profile) -> list[tuple[str, dt.date]]:
    """Reminder moments of a yearly item up to ``today``: T-30, T-14, T-7, T-1, then weekly while overdue.

    Past moments are included so a sweep after downtime can enqueue what was missed; the
    labels ("T-7", "overdue-w2") go into the outbox's idempotency key, so nothing is sent twice.
    """
    moments = [(f"T-{n}", due_on - dt.timedelta(days=n))
               for n in sorted(profile.reminders.annual_days_before, reverse=True)]
    step = profile.reminders.overdue_every_days
    week = 1
    while due_on + dt.timedelta(days=step * week) <= today:
        moments.append((f"overdue-w{week}", due_on + dt.timedelta(days=step * week)))
        week += 1
    return [(label, day) for label, day in moments if day <= today]
