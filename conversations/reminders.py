"""What to remind, to whom, with which text and idempotency key — given station facts and today.

Reminders are RapidPro-style campaign events: offsets relative to a date (a due date, an expiry,
a founding date). Everything here is pure: the scheduler job loads facts, calls these
functions with ``today`` and enqueues the result. Because the daily job and the start-up
sweep both enqueue *the latest moment that has passed* (never every missed one) under a
stable key, running either twice, or after days of downtime, adds each reminder at most once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from conversations.duties import duty_button, duty_label
from conversations.types import Button, Reply, keyboard
from locales import TN, Join, Raw, T, Text
from rules.deadlines import last_reminder_moment
from rules.profile import Profile

ITEM_LABELS: dict[str, T] = {
    "plan": T("the annual work plan for {year}"),
    "summary": T("the work summary for {year}"),
    "efficiency_report": T("the service-efficiency self-assessment report for {year}"),
    "self_check": T("the self-check report for {year}"),
}


def item_what(kind: str, year: int, label: str = "") -> Text:
    """"the annual work plan for 2027": the known phrasings, else the duty's own label and the year."""
    if kind in ITEM_LABELS:
        return T(ITEM_LABELS[kind].msgid, year=year)
    what = T(label) if label else duty_label(kind)
    return T("{what} for {year}", what=what, year=str(year))


@dataclass(frozen=True)
class Recipient:
    person_id: int
    chat_id: int


@dataclass(frozen=True)
class AnnualItem:
    """A yearly duty (kind, the year it is about), its due date, whether it is filed, and the date's source."""

    kind: str
    year: int
    due: dt.date
    done: bool
    label: str = ""
    source: Text | None = None


@dataclass(frozen=True)
class ChangeDraft:
    """An unsubmitted change report: its deadline and the working day before it (from rules.calendar)."""

    draft_id: int
    recipient: Recipient
    deadline: dt.date
    remind_on: dt.date
    source: Text | None = None


@dataclass(frozen=True)
class StationFacts:
    station_id: int
    name: str
    profile: Profile
    recipients: tuple[Recipient, ...]
    annual: tuple[AnnualItem, ...] = ()
    change_drafts: tuple[ChangeDraft, ...] = ()
    certificate_expiry: dt.date | None = None
    agreement_end: dt.date | None = None
    founded_on: dt.date | None = None
    has_activity: bool = True
    behind_minimums: tuple[Text, ...] = ()


class Reminder:
    """One message to enqueue for each recipient, under ``key + ':person-<id>'``.

    ``reply`` may be given as a function: it is built when first read. The daily sweep works out every
    station's reminders to learn their keys, and reads the reply only of keys not enqueued before (most
    days none), so 10,000 stations' texts are not built for nothing.
    """

    __slots__ = ("_build", "_reply", "key", "moment", "recipients")

    def __init__(self, key: str, recipients: tuple[Recipient, ...], reply: Reply | Callable[[], Reply],
                 moment: dt.date) -> None:
        self.key, self.recipients, self.moment = key, recipients, moment
        self._reply: Reply | None = reply if isinstance(reply, Reply) else None
        self._build: Callable[[], Reply] | None = None if isinstance(reply, Reply) else reply

    @property
    def reply(self) -> Reply:
        if self._reply is None:
            assert self._build is not None
            self._reply, self._build = self._build(), None
        return self._reply

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Reminder):
            return NotImplemented
        return (self.key, self.recipients, self.moment, self.reply) == (other.key, other.recipients, other.moment,
                                                                        other.reply)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Reminder(key={self.key!r}, recipients={self.recipients!r}, moment={self.moment!r})"


def latest(moments: Sequence[tuple[str, dt.date]], today: dt.date) -> tuple[str, dt.date] | None:
    """The most recent moment that has come (only that one is caught up after downtime)."""
    passed = [m for m in moments if m[1] <= today]
    return max(passed, key=lambda m: m[1]) if passed else None


def unique_chats(recipients: Sequence[Recipient]) -> tuple[Recipient, ...]:
    """One message per chat: a person who is both manager and liaison gets it once."""
    seen: dict[int, Recipient] = {}
    for r in recipients:
        seen.setdefault(r.chat_id, r)
    return tuple(seen.values())


def when_text(due: dt.date, today: dt.date, source: Text | None = None) -> T | TN:
    """When it is due, with where the date comes from ("《办法》第十六条", "学会规定") when known."""
    days = (due - today).days
    if source is not None:
        if days < 0:
            return TN("It was due on {day} ({source}): overdue by {days} day.",
                      "It was due on {day} ({source}): overdue by {days} days.", -days, day=due, source=source, days=-days)
        if days == 0:
            return T("It is due today, {day} ({source}).", day=due, source=source)
        return TN("It is due on {day} ({source}): in {days} day.", "It is due on {day} ({source}): in {days} days.", days,
                  day=due, source=source, days=days)
    if days < 0:
        return TN("It was due on {day}: overdue by {days} day.", "It was due on {day}: overdue by {days} days.", -days,
                  day=due, days=-days)
    if days == 0:
        return T("It is due today, {day}.", day=due)
    return TN("It is due on {day}: in {days} day.", "It is due on {day}: in {days} days.", days, day=due, days=days)


def annual_reminders(facts: StationFacts, today: dt.date) -> list[Reminder]:
    found = []
    for item in facts.annual:
        if item.done:
            continue
        # Weekly while overdue, but not past the end of the due year: a new cycle starts then.
        moment = last_reminder_moment(item.due, min(today, dt.date(item.due.year, 12, 31)), facts.profile)
        if moment is None or moment[1].year != item.due.year:
            continue
        label, day = moment
        found.append(Reminder(f"{item.kind}-due:{item.year}:station-{facts.station_id}:{label}",
                              unique_chats(facts.recipients), partial(annual_reply, facts.name, item, today), day))
    return found


def annual_reply(station: str, item: AnnualItem, today: dt.date) -> Reply:
    what = item_what(item.kind, item.year, item.label)
    text = Join((T("Reminder for {station}: please submit {what}.", station=Raw(station), what=what),
                 when_text(item.due, today, item.source)))
    return Reply(text, keyboard([Button(T("Open the form"), duty_button(item.kind))]))


def change_report_reminders(facts: StationFacts, today: dt.date) -> list[Reminder]:
    """One working day before the deadline of a change report that was started but not submitted."""
    found = []
    for draft in facts.change_drafts:
        if not draft.remind_on <= today <= draft.deadline:
            continue
        text = Join((T("Your change report for {station} is not submitted yet.", station=Raw(facts.name)),
                     when_text(draft.deadline, today, draft.source)))
        reply = Reply(text, keyboard([Button(T("Continue the report"), "m:resume")]))
        found.append(Reminder(f"change-report:draft-{draft.draft_id}:W-1", (draft.recipient,), reply,
                              draft.remind_on))
    return found


def expiry_reminders(facts: StationFacts, today: dt.date) -> list[Reminder]:
    found = []
    for key, date in (("certificate", facts.certificate_expiry), ("agreement-end", facts.agreement_end)):
        if date is None or today > date:
            continue
        moment = latest([(f"T-{d}", date - dt.timedelta(days=d))
                         for d in facts.profile.reminders.expiry_days_before], today)
        if moment is None:
            continue
        label, day = moment
        found.append(Reminder(f"{key}:{date.isoformat()}:station-{facts.station_id}:{label}",
                              unique_chats(facts.recipients), partial(expiry_reply, key, facts.name, date, today), day))
    return found


def expiry_reply(key: str, station: str, date: dt.date, today: dt.date) -> Reply:
    days = (date - today).days
    what = (T("The station manager's certificate of {station} expires on {day}.", station=Raw(station), day=date)
            if key == "certificate" else
            T("The co-operation agreement of {station} ends on {day}.", station=Raw(station), day=date))
    text = Join((what,
                 TN("That is in {days} day; please arrange the renewal in time.",
                    "That is in {days} days; please arrange the renewal in time.", days, days=days)))
    return Reply(text, keyboard([Button(T("Station status"), "m:status")]))


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def in_inactivity_window(profile: Profile, founded_on: dt.date | None, today: dt.date) -> bool:
    """Whether a station founded then could be warned today (the sweep reads the ledger only for these)."""
    months = profile.reminders.no_progress_months
    if months is None or founded_on is None:
        return False
    return add_months(founded_on, months) <= today <= add_months(founded_on, 12)


def inactivity_warnings(facts: StationFacts, today: dt.date) -> list[Reminder]:
    """quzhou: no progress within a year of founding revokes a station; warn (at 9 months) without activity."""
    months = facts.profile.reminders.no_progress_months
    if months is None or facts.founded_on is None or facts.has_activity:
        return []
    if not in_inactivity_window(facts.profile, facts.founded_on, today):
        return []
    moment = add_months(facts.founded_on, months)
    text = Join((T("{station} has not logged any service activity since it was founded on {day}.",
                   station=Raw(facts.name), day=facts.founded_on),
                 T("A station without progress within one year of founding can be revoked. Please log your "
                   "activities.")))
    reply = Reply(text, keyboard([Button(T("Station status"), "m:status")]))
    return [Reminder(f"no-activity:station-{facts.station_id}:M-{months}", unique_chats(facts.recipients), reply, moment)]


def progress_notes(facts: StationFacts, today: dt.date) -> list[Reminder]:
    """guiyang-kczg: on 1 July and 1 October, stations behind the yearly minimums get a note."""
    dates = facts.profile.reminders.progress_note_dates
    if not dates or not facts.behind_minimums:
        return []
    moment = latest([(md, dt.date.fromisoformat(f"{today.year}-{md}")) for md in dates], today)
    if moment is None:
        return []
    label, day = moment
    text = Join((T("Progress of {station} towards this year's minimums, as of {day}:", station=Raw(facts.name),
                   day=day), *facts.behind_minimums))
    reply = Reply(text, keyboard([Button(T("Station status"), "m:status")]))
    return [Reminder(f"minimums:{today.year}-{label}:station-{facts.station_id}", unique_chats(facts.recipients),
                     reply, day)]


def station_reminders(facts: StationFacts, today: dt.date) -> list[Reminder]:
    """Every reminder due for one station today (the latest passed moment of each item)."""
    return [*annual_reminders(facts, today), *change_report_reminders(facts, today), *expiry_reminders(facts, today),
            *inactivity_warnings(facts, today), *progress_notes(facts, today)]


@dataclass(frozen=True)
class DigestFacts:
    """What staff see each Monday: gathered by the job, formatted here."""

    due_soon: tuple[tuple[str, str, dt.date], ...]
    missing: tuple[tuple[str, str, dt.date], ...]
    overdue_change_reports: tuple[tuple[str, dt.date], ...]
    below_minimums: tuple[str, ...]
    low_ratings: tuple[tuple[str, float], ...]
    schedule_years: tuple[tuple[int, bool], ...]
    incomplete_years: tuple[tuple[int, tuple[str, ...]], ...] = ()  # (year, statutory holidays it lacks)


def last_digest_moment(now: dt.datetime) -> dt.datetime:
    """The latest Monday 09:00 at or before ``now`` (local time): the digest's moment."""
    monday = now.date() - dt.timedelta(days=now.weekday())
    moment = dt.datetime.combine(monday, dt.time(9, 0), tzinfo=now.tzinfo)
    return moment if moment <= now else moment - dt.timedelta(days=7)


def digest_key(moment: dt.datetime, staff_person_id: int) -> str:
    year, week, _ = moment.isocalendar()
    return f"digest:{year}-W{week:02d}:staff-{staff_person_id}"


def weekly_digest(facts: DigestFacts, moment: dt.datetime) -> Reply:
    lines: list[Text] = [T("Weekly digest for the week of {day}", day=moment.date())]
    lines.append(T("Due in the next 14 days: {count}", count=len(facts.due_soon)))
    for station, kind, due in facts.due_soon[:15]:
        lines.append(Join((Raw(f"  · {station}: "), item_what(kind, due.year), Raw(" — "),
                           T("due {day}", day=due)), ""))
    lines.append(T("Missing after the due date: {count}", count=len(facts.missing)))
    for station, kind, due in facts.missing[:15]:
        lines.append(Join((Raw(f"  · {station}: "), item_what(kind, due.year), Raw(" — "),
                           T("due {day}", day=due)), ""))
    lines.append(T("Change reports past their deadline: {count}", count=len(facts.overdue_change_reports)))
    lines += [Join((Raw(f"  · {station} — "), T("due {day}", day=day)), "")
              for station, day in facts.overdue_change_reports[:15]]
    lines.append(T("Stations below the yearly minimums: {count}", count=len(facts.below_minimums)))
    lines += [Raw(f"  · {station}") for station in facts.below_minimums[:15]]
    lines.append(T("Low ratings in the last week: {count}", count=len(facts.low_ratings)))
    lines += [Raw(f"  · {station}: {score:g}") for station, score in facts.low_ratings[:15]]
    incomplete = dict(facts.incomplete_years)
    for year, loaded in facts.schedule_years:
        if year in incomplete:
            lines.append(T("Holiday schedule {year}: loaded but INCOMPLETE — no days off for {festivals}; load the "
                           "full official schedule", year=Raw(str(year)),
                           festivals=Raw(", ".join(incomplete[year]))))
            continue
        lines.append(T("Holiday schedule {year}: official schedule loaded", year=Raw(str(year))) if loaded else
                     T("Holiday schedule {year}: NOT loaded — working days are guessed as Monday to Friday",
                       year=Raw(str(year))))
    return Reply(Join(tuple(lines)), keyboard([Button(T("Station status"), "m:status")]))
