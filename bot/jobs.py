"""Scheduled jobs: they only ENQUEUE (idempotent keys); the dispatcher job sends.

APScheduler drops a job that was due while the bot was down (``misfire_grace_time=1``), so
the same enqueue function also runs once at start-up: the catch-up sweep. Both enqueue only
the latest passed moment of each item (see ``conversations/reminders.py``), so a restart, a
second run or days of downtime add each reminder at most once, and nothing done is reminded.
Deadlines, working days and minimums come from ``rules/``; the staff-loaded holiday schedule
from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram.ext import Application, ContextTypes

from bot.duties import started_on
from bot.outbox import Dispatcher, DispatcherConfig
from bot.services import Services
from conversations.duties import source_text
from conversations.reminders import (
    AnnualItem,
    ChangeDraft,
    DigestFacts,
    Recipient,
    Reminder,
    StationFacts,
    digest_key,
    in_inactivity_window,
    last_digest_moment,
    latest,
    station_reminders,
    weekly_digest,
)
from locales import Join, Raw, T, Text
from rules import deadlines, scoring
from rules.calendar import WorkdayCalendar, missing_festivals, previous_working_day, schedule_known
from rules.profile import Profile, ProfileError, load_profile
from storage.db import Database
from storage.document_pdfs import prune_document_pdfs
from storage.downloads import prune_downloads
from storage.holidays import load_overrides
from storage.ledger import totals_by_station
from storage.outbox import Outgoing, enqueue, enqueue_many
from storage.policy import effective_profiles
from storage.prepared_files import prune_prepared_files
from storage.recipients import active_staff
from storage.reminders_queries import (
    StationRows,
    existing_keys,
    progress_checked,
    progress_subject,
    recent_ratings,
    record_progress_check,
    station_rows,
    stations_with_activity,
)
from storage.updates import prune_processed_updates

log = logging.getLogger(__name__)

DAILY_AT = dt.time(8, 30)
# Stations worked out between two chances for a database statement running meanwhile to move on.
YIELD_EVERY = 100
DIGEST_AT = dt.time(9, 0)


def profile_of(profile_id: str) -> Profile | None:
    try:
        return load_profile(profile_id)
    except (ProfileError, KeyError, FileNotFoundError):
        log.warning("reminders: unknown policy profile %r", profile_id)
        return None


class ProfileMemo:
    """What the sweep works out once per profile rather than once per station: the yearly duties due around
    today (``rules.deadlines.annual_plan``), which kinds are filed as submissions, and the source texts."""

    def __init__(self, profile: Profile, today: dt.date) -> None:
        self.profile = profile
        self.plan = deadlines.annual_plan(profile, today)
        self.filed_kinds = {spec.id for spec in profile.annual_submissions}  # profile.submission(kind) is not None
        self._sources: dict[str, Text] = {}

    def source(self, source: str) -> Text:
        text = self._sources.get(source)
        if text is None:
            text = self._sources[source] = source_text(self.profile, source)
        return text


def facts_for(row: StationRows, now: dt.datetime, profile: Profile, cal: WorkdayCalendar,
              behind: tuple[Text, ...], has_activity: bool = True, memo: ProfileMemo | None = None) -> StationFacts:
    today = now.date()
    if memo is None or memo.profile is not profile or memo.plan.today != today:
        memo = ProfileMemo(profile, today)
    station = row.station
    recipients = tuple(Recipient(p.id, p.chat_id) for p in row.recipients if p.chat_id)
    # The same owed items as /status: this year's duties and last year's still missing, from the station's start.
    owed = deadlines.due_items(deadlines.StationFacts(profile.id, founded_on=started_on(station, now),
                                                      submitted=frozenset(row.submitted)), today, profile,
                               plan=memo.plan)
    annual = [AnnualItem(item.kind, item.year, item.due_on, item.status == "done", item.label,
                         memo.source(item.source))
              for item in owed if item.due_on is not None and item.kind in memo.filed_kinds]
    drafts = []
    owners = {p.id: p for p in row.recipients}
    for draft in row.change_drafts:
        answers = (draft.state or {}).get("answers") or {}
        owner = owners.get(draft.person_id)
        try:
            event = dt.date.fromisoformat(str(answers.get("event_date")))
            kind = str(answers.get("kind") or "")
            deadline = deadlines.deadline_for(kind, event, profile, cal)
        except (ValueError, KeyError):
            continue
        if owner is None or not owner.chat_id or deadline is None:
            continue
        drafts.append(ChangeDraft(draft.id, Recipient(draft.person_id, owner.chat_id), deadline,
                                  previous_working_day(deadline, cal), memo.source(profile.change_kind(kind).source)))
    return StationFacts(station.id, station.name, profile, recipients, tuple(annual), tuple(drafts),
                        station.manager_certificate_expiry, station.agreement_end, station.founded_on,
                        has_activity, behind)


def progress_moment(profile: Profile, today: dt.date) -> tuple[str, dt.date] | None:
    """The latest progress-note date of this year that has come, if any."""
    dates = profile.reminders.progress_note_dates
    return latest([(md, dt.date.fromisoformat(f"{today.year}-{md}")) for md in dates], today)


async def behind_minimums(session: AsyncSession, rows: list[StationRows], profiles: dict[int, Profile],
                          now: dt.datetime) -> dict[int, tuple[Text, ...]]:
    """Unmet yearly minimums of the stations whose profile sends progress notes, once per note date.

    The totals are read on a note date itself, or on the first sweep after it when the bot was down
    (catching up): each (profile, date) checked is recorded with the notes it led to, in the same
    transaction, so the daily sweeps between note dates read no ledger at all.
    """
    today = now.date()
    subjects: dict[int, str] = {}
    for row in rows:
        profile = profiles.get(row.station.id or 0)
        if profile is None or not profile.yearly_minimums:
            continue
        moment = progress_moment(profile, today)
        if moment is not None and row.station.id is not None:
            subjects[row.station.id] = progress_subject(profile.id, today.year, moment[0])
    checked = await progress_checked(session, set(subjects.values()))
    wanted = {row.station.id: row for row in rows if row.station.id in subjects and subjects[row.station.id] not in checked}
    if not wanted:
        return {}
    # Only what the minimums read, added up per station in SQL (a year of ledger summed in Python was
    # most of the December sweep).
    metrics = {metric for station_id in wanted for metric in scoring.profile_metrics(profiles[station_id or 0], True)}
    totals_of = await totals_by_station(session, today.year, sorted(i for i in wanted if i is not None), until=today,
                                        metrics=metrics)
    found: dict[int, tuple[Text, ...]] = {}
    for station_id, row in wanted.items():
        assert station_id is not None
        totals = totals_of.get(station_id) or scoring.LedgerTotals(year=today.year)
        status = scoring.minimums_status(totals, profiles[station_id], row.society_level)
        notes = tuple(Join((T(m.label), Raw(f": {m.actual} / {m.required}")), "") for m in status if not m.met)
        if notes:
            found[station_id] = notes
    for subject in sorted({subjects[station_id or 0] for station_id in wanted}):
        behind = sorted(sid for sid in found if subjects[sid] == subject)
        record_progress_check(session, subject, now, behind)
    return found


async def enqueue_due(db: Database, now: dt.datetime) -> int:
    """Enqueue every reminder and the weekly digest whose latest moment has passed; returns rows added."""
    today = now.date()
    added = 0
    # The writer's turn for the whole sweep: it reads, then writes the outbox; on SQLite a chat update that
    # committed in between would make that write fail ("database is locked") and the day's reminders wait.
    async with db.transaction() as session:
        overrides, loaded = await load_overrides(session)
        cal = WorkdayCalendar(overrides, set(loaded))
        rows = await station_rows(session, (today.year - 1, today.year, today.year + 1))
        effective = await effective_profiles(session)
        profiles = {row.station.id: p for row in rows
                    if row.station.id is not None and (p := effective.get(row.station.policy_profile)) is not None}
        # The ledger is asked whether a station logged anything only where a warning could follow.
        unsure = [sid for row in rows if (sid := row.station.id) is not None and sid in profiles
                  and in_inactivity_window(profiles[sid], row.station.founded_on, today)]
        active = await stations_with_activity(session, unsure)
        memos = {key: ProfileMemo(p, today) for key, p in {id(p): p for p in profiles.values()}.items()}
        # The progress-note totals (a note date, or catching up to one) are summed by the database while
        # this process works out every station's reminders; the stations found behind are redone after.
        totals = asyncio.ensure_future(behind_minimums(session, rows, profiles, now))
        try:
            facts: list[StationFacts] = []
            reminders: list[list[Reminder]] = []
            for count, row in enumerate(r for r in rows if r.station.id in profiles):
                station = facts_for(row, now, profiles[row.station.id], cal, (),
                                    row.station.id not in unsure or row.station.id in active,
                                    memos[id(profiles[row.station.id])])
                facts.append(station)
                reminders.append(station_reminders(station, today))
                if count % YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # the totals' next statement goes out
            behind = await totals
        except BaseException:
            if not totals.done():
                with contextlib.suppress(BaseException):
                    await totals  # never leave a statement running on the session
            raise
        for index, station in enumerate(facts):
            notes = behind.get(station.station_id)
            if notes:
                facts[index] = station = dataclasses.replace(station, behind_minimums=notes)
                reminders[index] = station_reminders(station, today)
        candidates = [(f"{reminder.key}:person-{recipient.person_id}", recipient, reminder)
                      for found in reminders for reminder in found for recipient in reminder.recipients]
        # Most candidates were enqueued on an earlier day: skip them before their text is built and
        # serialised (the insert still ignores a key another process added meanwhile).
        known = await existing_keys(session, [key for key, _, _ in candidates])
        added += await enqueue_many(session, [Outgoing(key, recipient.chat_id, reminder.reply, "reminder",
                                                       recipient.person_id)
                                              for key, recipient, reminder in candidates if key not in known],
                                    not_before=now)
        added += await enqueue_digest(session, now, rows, facts, set(loaded), overrides)
        await session.commit()
    if added:
        log.info("reminders: %d outbox row(s) enqueued", added)
    return added


async def enqueue_digest(session: AsyncSession, now: dt.datetime, rows: list[StationRows],
                         facts: list[StationFacts], loaded: set[int],
                         overrides: dict[dt.date, bool] | None = None) -> int:
    moment = last_digest_moment(now)
    staff = await active_staff(session)
    # The digest goes once a week: on the other daily runs every key is taken, so nothing is gathered.
    known = await existing_keys(session, [digest_key(moment, member.id) for member in staff if member.id is not None])
    staff = [member for member in staff if member.id is not None and digest_key(moment, member.id) not in known]
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
    by_id = {s.station_id: s for s in facts}
    low = []
    for station_id, score in await recent_ratings(session, now - dt.timedelta(days=7)):
        rated = by_id.get(station_id)
        if rated is not None and score < rated.profile.rating_alert_threshold:
            low.append((rated.name, score))
    digest = DigestFacts(tuple(due_soon), tuple(missing), tuple(overdue),
                         tuple(s.name for s in facts if s.behind_minimums), tuple(low),
                         tuple((y, schedule_known(y, loaded)) for y in (today.year, today.year + 1)),
                         tuple((y, tuple(gaps)) for y in (today.year, today.year + 1) if y in loaded
                               and (gaps := missing_festivals(y, overrides or {}))))
    reply = weekly_digest(digest, moment)
    added = 0
    for member in staff:
        assert member.id is not None and member.chat_id is not None
        added += await enqueue(session, key=digest_key(moment, member.id), chat_id=member.chat_id,
                               person_id=member.id, reply=reply, kind="digest", not_before=now)
    return added


async def prune_bookkeeping(db: Database, now: dt.datetime) -> tuple[int, int]:
    """Keep the de-duplication and prepared-file tables bounded: (update ids, files) removed."""
    async with db.transaction() as session:
        updates = await prune_processed_updates(session, now)
        files = await prune_prepared_files(session, now)
        pdfs = await prune_document_pdfs(session, now)
        await prune_downloads(session, now)  # the console's export rows after a month, with any file left
        await session.commit()
    if updates or files or pdfs:
        log.info("pruned %d processed update id(s), %d prepared file(s) and %d kept PDF(s)", updates, files, pdfs)
    return updates, files


def install(services: Services) -> None:
    """Add the start-up sweep, the daily and weekly jobs and the dispatcher job to the Application."""

    async def post_init(application: Application) -> None:
        if not services.background_jobs or application.job_queue is None:
            return
        job_queue = application.job_queue
        try:
            await enqueue_due(services.db, services.now())
        except Exception:
            # The bot must still start and answer; the daily job retries the sweep.
            log.exception("start-up reminder sweep failed")
        dispatcher = Dispatcher(services.db, application.bot, DispatcherConfig.from_settings(services.settings),
                                clock=services.now)
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

        async def remind(context: ContextTypes.DEFAULT_TYPE) -> None:
            await enqueue_due(services.db, services.now())
            await prune_bookkeeping(services.db, services.now())

        job_queue.run_daily(remind, DAILY_AT.replace(tzinfo=tz), name="reminders-daily", job_kwargs=once)
        job_queue.run_daily(remind, DIGEST_AT.replace(tzinfo=tz), days=(1,), name="staff-digest",
                            job_kwargs=once)

    services.hooks.post_init.append(post_init)
