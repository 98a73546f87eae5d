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
Status = Literal["upcoming", "due_soon", "overdue", "done", "open"]


def deadline_for(change_kind: str, event_date: dt.date, profile: Profile,
                 cal: WorkdayCalendar | None = None) -> dt.date | None:
    """The last day a change report is on time: N working days after the event; None without a limit.

    Only seed 000 第十八/十九条 set limits; elsewhere a limit is the society's rule (policy override).
    """
    kind = profile.change_kind(change_kind)
    if kind.working_days is None:
        return None
    return add_workdays(event_date, kind.working_days, cal or WorkdayCalendar())


def lateness(deadline: dt.date | None, submitted_on: dt.date, cal: WorkdayCalendar | None = None) -> int:
    """0 when on time (or without a deadline), else how many working days late (a weekend after it adds nothing)."""
    if deadline is None or submitted_on <= deadline:
        return 0
    return workdays_between(deadline, submitted_on, cal or WorkdayCalendar())


def _due_date(spec: AnnualSubmission, year: int) -> dt.date | None:
    if spec.due is None:
        return None
    day = min(spec.due.day, month_calendar.monthrange(year, spec.due.month)[1])
    due = dt.date(year, spec.due.month, day)
    return due - dt.timedelta(days=1) if spec.due.exclusive else due


@overload
def annual_due_date(submission: AnnualSubmission | str, year: int, profile: Profile) -> dt.date | None: ...
@overload
def annual_due_date(submission: Profile, year: str, profile: int) -> dt.date | None: ...
def annual_due_date(submission: AnnualSubmission | str | Profile, year: int | str,
                    profile: Profile | int) -> dt.date | None:
    """The last on-time day of a yearly duty due in ``year`` ("before March" → 28/29 February).

    None when no date is set (quzhou's plan: 第十二条 names none). ``year`` is the year it is
    due in: last year's summary is due in this year. The older call form
    ``annual_due_date(profile, submission_id, year)`` gives None for a duty the profile lacks.
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


def due_year_of(spec: AnnualSubmission, year: int) -> int:
    """The year a duty about ``year`` falls due in (last year's summary is due this year)."""
    return year + 1 if spec.covers == "last_year" else year


def owed(spec: AnnualSubmission, year: int, started_on: dt.date | None) -> bool:
    """Whether a station that started on ``started_on`` (founded, or added to the bot) owes the duty about ``year``.

    A station owes nothing due before it existed, nor about a year before it existed: one
    added in November is not late with the plan that was due in February.
    """
    return started_on is None or started_on <= latest_owing_start(spec, year)


def latest_owing_start(spec: AnnualSubmission, year: int) -> dt.date:
    """The last start date on which a station still owes the duty about ``year``: ``owed`` as a date bound,
    so a query can select the owing stations by ``founded_on`` in SQL instead of testing each in Python."""
    end = dt.date(year, 12, 31)
    due = _due_date(spec, due_year_of(spec, year))
    return end if due is None else min(end, due)


@dataclass(frozen=True)
class PastDue:
    """A yearly item of a profile past due today: a station owes it unless it started after ``latest_start``."""

    kind: str
    year: int  # the year the item is about (a summary: last year)
    latest_start: dt.date


def past_due(profile: Profile, today: dt.date) -> list[PastDue]:
    """This year's yearly duties of ``profile`` whose due date is before ``today`` (the "overdue" of the staff
    dashboard and the console); whether a given station filed each one is the database's question."""
    found: list[PastDue] = []
    for spec in profile.duties:
        due = annual_due_date(spec, today.year, profile)
        if due is None or due >= today:
            continue
        covered = covered_year(spec, today.year)
        found.append(PastDue(spec.id, covered, latest_owing_start(spec, covered)))
    return found


def filing_year(spec: AnnualSubmission, today: dt.date, started_on: dt.date | None, filed: Collection[int]) -> int:
    """The year a form for ``spec`` offers first: the current cycle's while it is owed and not filed, else the next.

    A plan (this year's) offers this year until this year's plan is filed (the January–February
    window, or overdue), and next year after that; a summary (last year's) the same one year back.
    """
    current = today.year - 1 if spec.covers == "last_year" else today.year
    if owed(spec, current, started_on) and current not in filed:
        return current
    return current + 1


@dataclass(frozen=True)
class OpenChange:
    """An unsubmitted change report (a draft) with the event it reports."""

    kind: str
    event_date: dt.date
    ref: str = ""


@dataclass(frozen=True)
class StationFacts:
    """What deadlines need to know of a station; ``submitted`` holds (submission id, covered year).

    ``founded_on`` is the day the station started: its founding date, or the day it was added.
    """

    profile_id: str
    society_level: str | None = None
    founded_on: dt.date | None = None
    agreement_end: dt.date | None = None
    certificate_expiry: dt.date | None = None
    submitted: frozenset[tuple[str, int]] = frozenset()
    open_changes: tuple[OpenChange, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class DueItem:
    """One thing due; ``key`` is stable ("plan:2027", "summary:2026") for outbox idempotency keys.

    ``due_on`` is None for a duty without a date ("open"); ``source`` is where the date (or,
    without one, the duty) comes from: a seed article or "society rule".
    """

    kind: str
    key: str
    label: str
    year: int
    due_on: dt.date | None
    status: Status
    days_left: int | None
    source: str = ""


def _status(due_on: dt.date | None, today: dt.date, done: bool) -> Status:
    if done:
        return "done"
    if due_on is None:
        return "open"
    if due_on < today:
        return "overdue"
    if (due_on - today).days <= DUE_SOON_DAYS:
        return "due_soon"
    return "upcoming"


def _item(kind: str, key: str, label: str, year: int, due_on: dt.date | None, today: dt.date, done: bool,
          source: str = "") -> DueItem:
    days_left = (due_on - today).days if due_on is not None else None
    return DueItem(kind, key, label, year, due_on, _status(due_on, today, done), days_left, source)


@dataclass(frozen=True)
class PlannedDuty:
    """One yearly duty of a profile in one due year, worked out once for every station of the profile."""

    kind: str
    key: str
    label: str
    year: int  # the year it is about
    due_on: dt.date | None
    latest_start: dt.date  # ``owed`` as a date bound
    source: str
    earlier_year: bool  # due in a year before today's: listed only while still missing


@dataclass(frozen=True)
class AnnualPlan:
    """The yearly duties of a profile for the due years around ``today``: what ``due_items`` computes for
    every station alike. The daily sweep makes one per profile instead of one per station (10,000)."""

    profile_id: str
    today: dt.date
    years: tuple[int, ...]
    duties: tuple[PlannedDuty, ...]


def annual_plan(profile: Profile, today: dt.date, years: tuple[int, ...] | None = None) -> AnnualPlan:
    """The profile's yearly duties due last year and this year (``years`` to choose others)."""
    years = years if years is not None else (today.year - 1, today.year)
    duties = []
    for due_year in years:
        for spec in profile.duties:
            year = covered_year(spec, due_year)
            source = spec.due.source if spec.due is not None else spec.source
            duties.append(PlannedDuty(spec.id, f"{spec.id}:{year}", spec.label, year, _due_date(spec, due_year),
                                      latest_owing_start(spec, year), source, due_year < today.year))
    return AnnualPlan(profile.id, today, years, tuple(duties))


def _annual(plan: AnnualPlan, today: dt.date, submitted: Collection[tuple[str, int]],
            founded_on: dt.date | None) -> list[DueItem]:
    items = []
    for duty in plan.duties:
        done = (duty.kind, duty.year) in submitted
        if founded_on is not None and founded_on > duty.latest_start:
            continue  # not owed: the station started after it was due (``owed``)
        if duty.earlier_year and (done or duty.due_on is None):
            continue
        items.append(_item(duty.kind, duty.key, duty.label, duty.year, duty.due_on, today, done, duty.source))
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


def _order(item: DueItem) -> tuple[dt.date, str]:
    return (item.due_on or dt.date.max, item.key)


@overload
def due_items(facts: StationFacts, today: dt.date, profile: Profile,
              cal: WorkdayCalendar | None = None, *, plan: AnnualPlan | None = None) -> list[DueItem]: ...
@overload
def due_items(facts: Profile, today: dt.date, profile: Collection[tuple[str, int]], cal: None = None, *,
              certificate_expiry: dt.date | None = None, agreement_end: dt.date | None = None) -> list[DueItem]: ...
def due_items(facts: StationFacts | Profile, today: dt.date, profile: Profile | Collection[tuple[str, int]],
              cal: WorkdayCalendar | None = None, *, certificate_expiry: dt.date | None = None,
              agreement_end: dt.date | None = None, plan: AnnualPlan | None = None) -> list[DueItem]:
    """What the station owes, sorted by due date (undated duties last): yearly duties, expiries, change reports.

    Yearly items are this year's, plus last year's still missing (overdue). Items the station
    does not owe (due before it started) are left out. Expiries show from
    ``reminders.expiry_days_before``. A change report without a limit has no item. The older
    call form ``due_items(profile, today, submitted, certificate_expiry=, agreement_end=)``
    gives this year's duties and the expiries. ``plan`` (``annual_plan(profile, today)``) lets a caller
    asking for many stations of one profile work the profile's duties out once.
    """
    if isinstance(facts, Profile):
        submitted = profile
        assert not isinstance(submitted, Profile)
        items = _annual(annual_plan(facts, today, (today.year,)), today, submitted, None)
        return sorted(items + _expiries(facts, today, certificate_expiry, agreement_end), key=_order)
    assert isinstance(profile, Profile)
    if facts.profile_id != profile.id:
        raise ValueError(f"station facts are for profile {facts.profile_id}, not {profile.id}")
    calendar = cal or WorkdayCalendar()
    if plan is None or plan.profile_id != profile.id or plan.today != today or plan.years != (today.year - 1, today.year):
        plan = annual_plan(profile, today)
    items = _annual(plan, today, facts.submitted, facts.founded_on)
    items += _expiries(profile, today, facts.certificate_expiry, facts.agreement_end)
    for change in facts.open_changes:
        deadline = deadline_for(change.kind, change.event_date, profile, calendar)
        if deadline is None:
            continue
        kind = profile.change_kind(change.kind)
        key = f"change:{change.kind}:{change.event_date.isoformat()}"
        items.append(_item("change", key, kind.label, change.event_date.year, deadline, today, False, kind.source))
    return sorted(items, key=_order)


def reminder_moments(due_on: dt.date, today: dt.date, profile: Profile) -> list[tuple[str, dt.date]]:
    """Reminder moments of a yearly item up to ``today``: T-30, T-14, T-7, T-1, then weekly while overdue.

    Past moments are included so a sweep after downtime can enqueue what was missed; the
    labels ("T-7", "overdue-w2") go into the outbox's idempotency key, so nothing is sent twice.
    """
    moments = [(f"T-{n}", due_on - dt.timedelta(days=n))
               for n in sorted(profile.reminders.annual_days_before, reverse=True)]
    step = profile.reminders.overdue_every_days
    moments += [(f"overdue-w{week}", due_on + dt.timedelta(days=step * week))
                for week in range(1, _overdue_weeks(due_on, today, step) + 1)]
    return [(label, day) for label, day in moments if day <= today]


def _overdue_weeks(due_on: dt.date, today: dt.date, step: int) -> int:
    return max(0, (today - due_on).days // step)


def last_reminder_moment(due_on: dt.date, today: dt.date, profile: Profile) -> tuple[str, dt.date] | None:
    """The latest of ``reminder_moments`` (the one a sweep enqueues), without listing every overdue week.

    The daily sweep asks this for every duty of every station; a duty a year overdue has fifty weeks.
    """
    step = profile.reminders.overdue_every_days
    weeks = _overdue_weeks(due_on, today, step)
    if weeks:
        return f"overdue-w{weeks}", due_on + dt.timedelta(days=step * weeks)
    before = [(f"T-{n}", due_on - dt.timedelta(days=n)) for n in profile.reminders.annual_days_before
              if due_on - dt.timedelta(days=n) <= today]
    return max(before, key=lambda moment: moment[1]) if before else None
