"""Scheduled jobs: they only ENQUEUE (idempotent keys); the dispatcher job sends.

APScheduler drops a job that was due while the bot was down (``misfire_grace_time=1``), so
the same enqueue function also runs once at start-up: the catch-up sweep. Both enqueue only
the latest passed moment of each item (see ``conversations/reminders.py``), so a restart, a
second run or days of downtime add each reminder at most once, and nothing done is reminded.

Deadline arithmetic comes from ``rules/`` through ``ReminderRules`` (built from ``rules`` by
``rules_from_package``); tests pass their own.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram.ext import Application, ContextTypes

from bot.outbox import Dispatcher, DispatcherConfig
from bot.services import Services
from conversations.reminders import (
    AnnualItem,
    ChangeDraft,
    DigestFacts,
    Recipient,
    StationFacts,
    digest_key,
    last_digest_moment,
    station_reminders,
    weekly_digest,
)
from locales import Text
from storage.db import Database
from storage.holidays import list_loaded_years
from storage.models import Station
from storage.outbox import enqueue
from storage.reminders_queries import StationRows, recent_ratings, staff_recipients, station_rows

log = logging.getLogger(__name__)

DAILY_AT = dt.time(8, 30)
DIGEST_AT = dt.time(9, 0)


@dataclass(frozen=True)
class ReminderRules:
    """What the reminders need from ``rules/`` (profiles, deadlines, working days, minimums)."""

    annual_due_date: Callable[[str, str, int], dt.date | None]
    change_deadline: Callable[[str, str, dt.date], dt.date | None]
    working_day_before: Callable[[dt.date], dt.date]
    behind_minimums: Callable[[AsyncSession, Station, str, dt.date], Awaitable[tuple[Text, ...]]]
    rating_alert_threshold: Callable[[str], float | None]
    schedule_known: Callable[[int, set[int]], bool]


def submission_year(kind: str, cycle_year: int) -> int:
    """The year a submission is about: the summary due in year Y reports on year Y-1."""
    return cycle_year - 1 if kind == "summary" else cycle_year


def facts_for(row: StationRows, today: dt.date, rules: ReminderRules, behind: tuple[Text, ...]) -> StationFacts:
    station = row.station
    assert station.id is not None
    recipients = tuple(Recipient(p.id, p.chat_id) for p in row.recipients if p.id is not None and p.chat_id)
    annual = []
    for kind in ("plan", "summary", "efficiency_report"):
        due = rules.annual_due_date(station.policy_profile, kind, today.year)
        if due is not None:
            year = submission_year(kind, today.year)
            annual.append(AnnualItem(kind, year, due, (kind, year) in row.submitted))
    drafts = []
    owners = {p.id: p for p in row.recipients}
    for draft in row.change_drafts:
        answers = (draft.state or {}).get("answers") or {}
        owner = owners.get(draft.person_id)
        try:
            event = dt.date.fromisoformat(str(answers.get("event_date")))
        except ValueError:
            continue
        deadline = rules.change_deadline(station.policy_profile, str(answers.get("kind") or ""), event)
        if deadline is None or owner is None or owner.chat_id is None or draft.id is None:
            continue
        drafts.append(ChangeDraft(draft.id, Recipient(draft.person_id, owner.chat_id), deadline,
                                  rules.working_day_before(deadline)))
    return StationFacts(station.id, station.name, station.policy_profile, recipients, tuple(annual), tuple(drafts),
                        station.manager_certificate_expiry, station.agreement_end, station.founded_on,
                        row.has_activity, behind)


async def enqueue_due(db: Database, now: dt.datetime, rules: ReminderRules) -> int:
    """Enqueue every reminder and the weekly digest whose latest moment has passed; returns rows added."""
    today = now.date()
    added = 0
    async with db.session() as session:
        rows = await station_rows(session, (today.year - 1, today.year, today.year + 1))
        facts = []
        for row in rows:
            behind = await rules.behind_minimums(session, row.station, row.society_level, today)
            facts.append(facts_for(row, today, rules, behind))
        for station in facts:
            for reminder in station_reminders(station, today):
                for recipient in reminder.recipients:
                    added += await enqueue(session, key=f"{reminder.key}:person-{recipient.person_id}",
                                           chat_id=recipient.chat_id, person_id=recipient.person_id,
                                           reply=reminder.reply, kind="reminder", not_before=now)
        added += await enqueue_digest(session, now, rules, rows, facts)
        await session.commit()
    if added:
        log.info("reminders: %d outbox row(s) enqueued", added)
    return added


async def enqueue_digest(session: AsyncSession, now: dt.datetime, rules: ReminderRules, rows: list[StationRows],
                         facts: list[StationFacts]) -> int:
    moment = last_digest_moment(now)
    staff = await staff_recipients(session)
    if not staff:
        return 0
    today = now.date()
    soon = today + dt.timedelta(days=14)
    due_soon, missing, overdue = [], [], []
    for station in facts:
        for item in station.annual:
            if not item.done and today <= item.due <= soon:
                due_soon.append((station.name, item.kind, item.due))
            elif not item.done and item.due < today:
                missing.append((station.name, item.kind, item.due))
        overdue += [(station.name, d.deadline) for d in station.change_drafts if d.deadline < today]
    names = {row.station.id: (row.station.name, row.station.policy_profile) for row in rows}
    low = []
    for station_id, score in await recent_ratings(session, now - dt.timedelta(days=7)):
        name, profile = names.get(station_id, (f"#{station_id}", ""))
        threshold = rules.rating_alert_threshold(profile)
        if threshold is not None and score < threshold:
            low.append((name, score))
    loaded = {year for year, _count in await list_loaded_years(session)}
    digest = DigestFacts(tuple(due_soon), tuple(missing), tuple(overdue),
                         tuple(s.name for s in facts if s.behind_minimums), tuple(low),
                         tuple((y, rules.schedule_known(y, loaded)) for y in (today.year, today.year + 1)))
    reply = weekly_digest(digest, moment)
    added = 0
    for member in staff:
        assert member.id is not None and member.chat_id is not None
        added += await enqueue(session, key=digest_key(moment, member.id), chat_id=member.chat_id,
                               person_id=member.id, reply=reply, kind="digest", not_before=now)
    return added


def rules_from_package() -> ReminderRules:
    """The production rules: profiles, deadlines, the working-day calendar and minimums from ``rules/``."""
    import importlib

    # Imported by name: the rules package is another area's, and reminders degrade without it.
    calendar: Any = importlib.import_module("rules.calendar")
    deadlines: Any = importlib.import_module("rules.deadlines")
    scoring: Any = importlib.import_module("rules.scoring")
    load_profile: Any = importlib.import_module("rules.profile").load_profile

    annual, deadline_for = deadlines.annual_due_date, deadlines.deadline_for

    def annual_due_date(profile: str, kind: str, year: int) -> dt.date | None:
        return annual(load_profile(profile), kind, year)

    def change_deadline(profile: str, kind: str, event: dt.date) -> dt.date | None:
        return deadline_for(load_profile(profile), kind, event)

    notes = scoring.behind_minimums_notes  # resolved now: a missing name disables reminders at start

    async def behind_minimums(session: AsyncSession, station: Station, level: str,
                              today: dt.date) -> tuple[Text, ...]:
        return tuple(await notes(session, station, level, today))

    def rating_alert_threshold(profile: str) -> float | None:
        value: Any = getattr(load_profile(profile), "rating_alert_threshold", None)
        return float(value) if value is not None else None

    return ReminderRules(annual_due_date, change_deadline, calendar.previous_working_day, behind_minimums,
                         rating_alert_threshold, calendar.schedule_known)


def install(services: Services, rules: Callable[[], ReminderRules] = rules_from_package) -> None:
    """Add the start-up sweep, the daily and weekly jobs and the dispatcher job to the Application."""

    async def post_init(application: Application) -> None:
        if services.extras.get("background_jobs", True) is False or application.job_queue is None:
            return
        job_queue = application.job_queue
        reminder_rules: ReminderRules | None = None
        try:
            reminder_rules = rules()
        except (ImportError, AttributeError):
            # Sending must not depend on the reminder rules: without them the outbox still works.
            log.exception("reminder rules unavailable: reminders and the digest are OFF, the outbox still sends")
        if reminder_rules is not None:
            try:
                await enqueue_due(services.db, services.now(), reminder_rules)
            except Exception:
                # The bot must still start and answer; the daily job retries the sweep.
                log.exception("start-up reminder sweep failed")
        dispatcher = Dispatcher(services.db, application.bot, DispatcherConfig.from_settings(services.settings),
                                clock=services.now)
        services.extras["dispatcher"] = dispatcher
        previous_post_stop = application.post_stop

        async def release(app: Application) -> None:
            """A clean stop gives the lease up, so the restarted bot sends at once (not after expiry)."""
            await dispatcher.release_lease()
            if previous_post_stop is not None:
                await previous_post_stop(app)

        application.post_stop = release

        async def send(context: ContextTypes.DEFAULT_TYPE) -> None:
            await dispatcher.run_once(budget_seconds=0.9)

        tz = services.settings.tz
        once: dict[str, Any] = {"max_instances": 1, "coalesce": True}
        job_queue.run_repeating(send, interval=1.0, first=0.5, name="outbox-dispatcher", job_kwargs=once)
        if reminder_rules is None:
            return
        ready_rules = reminder_rules

        async def remind(context: ContextTypes.DEFAULT_TYPE) -> None:
            await enqueue_due(services.db, services.now(), ready_rules)

        job_queue.run_daily(remind, DAILY_AT.replace(tzinfo=tz), name="reminders-daily", job_kwargs=once)
        job_queue.run_daily(remind, DIGEST_AT.replace(tzinfo=tz), days=(1,), name="staff-digest",
                            job_kwargs=once)

    services.extras.setdefault("post_init", []).append(post_init)
