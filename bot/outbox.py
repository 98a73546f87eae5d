"""The outbox dispatcher: the only code that sends proactive messages to Telegram.

Why it is built this way:

* **Within Telegram's limits.** A pacer spaces sends to ``send_rate_per_second`` overall and
  ``send_rate_per_chat_seconds`` per chat (PTB's ``AIORateLimiter`` has no per-private-chat
  limit). A ``RetryAfter`` answer pauses *all* sending for the time Telegram asks.
* **One sender.** A lease row in ``dispatcher_lock`` (renewed every few seconds) decides which
  process sends; every claim re-checks the lease in the same SQL statement, so a process
  whose lease lapsed (a long pause, a lost connection) cannot claim new rows.
* **Never doubled, lost only if we must choose.** Each row is marked ``sending`` in its own
  committed transaction right before the API call and ``sent`` right after it. Telegram
  offers no way to ask "did message X arrive?", so a row still ``sending`` when its process
  died is *ambiguous*: the request may or may not have reached Telegram. We choose
  at-most-once for those few rows (at most ``max_in_flight`` per crash): they become
  ``unconfirmed`` and are shown in delivery reports, never resent automatically. A doubled
  deadline reminder or broadcast is visible to every recipient; an unconfirmed one is
  visible to staff, who can resend it.
* **Network faults retry, with exponential backoff** through ``not_before`` and ``attempts``;
  after ``max_attempts`` the row is ``failed`` with the reason. A timeout is ambiguous too,
  but it is usually a request that never reached Telegram, and the process is alive to see it
  fail: there we prefer delivery (a rare duplicate) over silently dropping a deadline reminder. ``Forbidden`` (the user
  blocked the bot) fails the row at once, marks the person unreachable and alerts staff.

It runs as a PTB repeating job (``run_once`` with a time budget) or as a plain loop
(``run_forever``) for the benchmark and the crash test. Clock, monotonic time and sleep are
injected so tests run at any date without waiting.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
import time
import uuid
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.outbox_files import SentFiles, with_prepared_bytes  # noqa: F401  (testing.outbox_flush imports it from here)
from bot.settings import Settings
from conversations.quiet_hours import in_quiet_hours
from conversations.serialize import reply_from_json
from locales import DEFAULT_LOCALE, translator
from services.staff_alerts import alert_staff_unreachable
from storage.datetimes import db_time
from storage.db import Database
from storage.models import OutboxStatus
from storage.outbox_dispatch import (
    LOCK_NAME,
    claim,
    due_rows,
    end_lease,
    fail_blocked,
    finish,
    has_pending,
    languages,
    lease_held,
    mark_interrupted,
    take_lease,
)

log = logging.getLogger(__name__)

INTERRUPTED = "interrupted while sending; delivery unknown, not resent to avoid a duplicate"

Sleep = Callable[[float], Awaitable[None]]
Monotonic = Callable[[], float]
WallClock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class DispatcherConfig:
    rate_per_second: float = 30.0
    per_chat_seconds: float = 1.0
    quiet_start: dt.time = dt.time(21, 0)
    quiet_end: dt.time = dt.time(8, 0)
    tz: dt.tzinfo = dt.UTC
    lease_seconds: float = 20.0
    renew_every_seconds: float = 5.0
    max_attempts: int = 6
    backoff_seconds: float = 5.0
    max_backoff_seconds: float = 3600.0
    batch_size: int = 200
    max_in_flight: int = 8

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> DispatcherConfig:
        values: dict[str, Any] = {
            "rate_per_second": settings.send_rate_per_second,
            "per_chat_seconds": settings.send_rate_per_chat_seconds,
            "quiet_start": settings.quiet_hours_start,
            "quiet_end": settings.quiet_hours_end,
            "tz": settings.tz,
        }
        values.update(overrides)
        return cls(**values)


class Pacer:
    """Spacing for the overall rate and per chat (no bursts: Telegram counts a sliding second)."""

    def __init__(self, rate_per_second: float, per_chat_seconds: float, monotonic: Monotonic) -> None:
        self.interval = 1.0 / rate_per_second if rate_per_second > 0 else 0.0
        self.per_chat = per_chat_seconds
        self.monotonic = monotonic
        self.next_slot = 0.0
        self.paused_until = 0.0
        self.last_by_chat: dict[int, float] = {}

    def chat_ready(self, chat_id: int) -> bool:
        last = self.last_by_chat.get(chat_id)
        return last is None or self.monotonic() - last >= self.per_chat

    def wait_time(self) -> float:
        """Seconds until the next message may go (overall rate and any RetryAfter pause)."""
        now = self.monotonic()
        return max(0.0, self.next_slot - now, self.paused_until - now)

    def take(self, chat_id: int) -> None:
        """Reserve the slot before the database work, so that work does not stretch the spacing."""
        now = self.monotonic()
        self.next_slot = max(self.next_slot, now, self.paused_until) + self.interval
        self.last_by_chat[chat_id] = now
        if len(self.last_by_chat) > 50_000:
            cutoff = now - self.per_chat
            self.last_by_chat = {c: t for c, t in self.last_by_chat.items() if t >= cutoff}

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, self.monotonic() + seconds)


def retry_after_seconds(exc: RetryAfter) -> float:
    """``RetryAfter.retry_after`` is an int, or a timedelta with PTB_TIMEDELTA=1: accept both."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reading the int form is deprecated since PTB 22.2
        value: Any = exc.retry_after
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value)


@dataclass
class Outcome:
    """What one pass did, for logs, tests and the benchmark."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped_chat: int = 0
    errors: list[str] = field(default_factory=list)


class Dispatcher:
    def __init__(self, db: Database, bot: Bot, config: DispatcherConfig, *, clock: WallClock,
                 holder: str | None = None, sleep: Sleep = asyncio.sleep, monotonic: Monotonic = time.monotonic) -> None:
        self.db = db
        self.bot = bot
        self.config = config
        self.clock = clock
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.sleep = sleep
        self.monotonic = monotonic
        self.pacer = Pacer(config.rate_per_second, config.per_chat_seconds, monotonic)
        self.files = SentFiles(db)  # a broadcast's document is uploaded once, then sent by its file_id
        self.holding = False
        self.lease_renewed_at: dt.datetime | None = None
        self.in_flight: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(config.max_in_flight)
        self.outcome = Outcome()

    # ---- the lease -------------------------------------------------------------------------
    async def ensure_lease(self, now: dt.datetime) -> bool:
        """Hold (or take over an expired) lease; renew it every few seconds; recover on takeover."""
        if self.holding and self.lease_renewed_at is not None and (
            now - self.lease_renewed_at
        ).total_seconds() < self.config.renew_every_seconds:
            return True
        async with self.db.transaction() as session:
            got = await take_lease(session, LOCK_NAME, self.holder, now,
                                   now + dt.timedelta(seconds=self.config.lease_seconds))
        was_holding, self.holding = self.holding, got
        self.lease_renewed_at = now if got else None
        if got and not was_holding:
            log.info("outbox lease acquired by %s", self.holder)
            await self.recover()
        elif was_holding and not got:
            log.warning("outbox lease lost by %s", self.holder)
        return got

    async def release_lease(self) -> None:
        """Give the lease up on a clean stop so a restarted bot sends at once."""
        if not self.holding:
            return
        await self.drain()
        async with self.db.transaction() as session:
            await end_lease(session, LOCK_NAME, self.holder, self.clock() - dt.timedelta(seconds=1))
        self.holding = False

    async def recover(self) -> int:
        """Rows left ``sending`` by a dead holder are ambiguous: mark them unconfirmed (see module doc)."""
        async with self.db.transaction() as session:
            interrupted = await mark_interrupted(session, self.in_flight, INTERRUPTED)
        if interrupted:
            log.warning("outbox: %d message(s) interrupted mid-send by a previous process marked unconfirmed",
                        interrupted)
        return interrupted

    # ---- one pass --------------------------------------------------------------------------
    async def due_rows(self, now: dt.datetime) -> list[Any]:
        quiet = in_quiet_hours(now, self.config.quiet_start, self.config.quiet_end, self.config.tz)
        async with self.db.session() as session:
            return await due_rows(session, now, quiet=quiet, limit=self.config.batch_size)

    async def run_once(self, budget_seconds: float | None = None) -> Outcome:
        """Send what is due now, within limits; stop claiming after ``budget_seconds`` (job mode)."""
        self.outcome = Outcome()
        started = self.monotonic()
        now = self.clock()
        if not await self.ensure_lease(now):
            return self.outcome
        rows = await self.due_rows(now)
        languages = await self._languages({r.person_id for r in rows if r.person_id is not None})
        claimed_chats: set[int] = set()
        for row in rows:
            if budget_seconds is not None and self.monotonic() - started >= budget_seconds:
                break
            if row.chat_id in claimed_chats or not self.pacer.chat_ready(row.chat_id):
                self.outcome.skipped_chat += 1
                continue
            wait = self.pacer.wait_time()
            if wait > 0:
                await self.sleep(wait)
            await self._slots.acquire()
            self.pacer.take(row.chat_id)
            now = self.clock()
            if not await self.ensure_lease(now) or not await self._claim(row.id, now):
                self._slots.release()
                continue
            claimed_chats.add(row.chat_id)
            self.in_flight.add(row.id)
            task = asyncio.create_task(self._send(row, languages.get(row.person_id, DEFAULT_LOCALE)))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        await self.drain()
        return self.outcome

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def run_forever(self, stop: asyncio.Event | None = None, idle_seconds: float = 1.0,
                          until_empty: bool = False, budget_seconds: float = 10.0) -> None:
        """The plain loop (benchmark, subprocess): pass after pass, idling briefly when nothing is due."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            outcome = await self.run_once(budget_seconds=budget_seconds)
            if until_empty and self.holding and not await self.has_pending():
                break
            if outcome.sent == 0 and outcome.retried == 0 and outcome.failed == 0:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=idle_seconds if outcome.skipped_chat == 0 else 0.05)
                except TimeoutError:
                    pass
        await self.drain()

    async def has_pending(self) -> bool:
        async with self.db.session() as session:
            return await has_pending(session)

    # ---- one message -----------------------------------------------------------------------
    async def _claim(self, row_id: int, now: dt.datetime) -> bool:
        async with self.db.transaction() as session:
            claimed = await claim(session, row_id, lease_held(LOCK_NAME, self.holder, now))
        return claimed

    async def _languages(self, person_ids: set[int]) -> dict[int | None, str]:
        if not person_ids:
            return {}
        async with self.db.session() as session:
            return await languages(session, person_ids)

    async def _send(self, row: Any, locale: str) -> None:
        try:
            message_id = await self.files.send(self.bot, row.chat_id, reply_from_json(row.payload["reply"]),
                                               translator(locale))
        except RetryAfter as exc:
            seconds = retry_after_seconds(exc)
            self.pacer.pause(seconds)
            log.warning("outbox: Telegram asked to wait %.1f s", seconds)
            await self._finish(row.id, status=OutboxStatus.pending.value, attempts=max(0, row.attempts),
                               last_error=f"RetryAfter {seconds:g}s")
            self.outcome.retried += 1
        except Forbidden as exc:
            await self._forbidden(row, str(exc)[:200])
            self.outcome.failed += 1
        except BadRequest as exc:
            await self._finish(row.id, status=OutboxStatus.failed.value, last_error=f"BadRequest: {exc.message}"[:500])
            self.outcome.failed += 1
        except (NetworkError, TelegramError) as exc:
            await self._retry_later(row, f"{type(exc).__name__}: {exc}"[:500])
        except Exception as exc:
            log.exception("outbox: unexpected error sending row %s", row.id)
            await self._retry_later(row, f"{type(exc).__name__}"[:500])
        else:
            await self._finish(row.id, status=OutboxStatus.sent.value, telegram_message_id=message_id,
                               sent_at=db_time(self.clock()))
            self.outcome.sent += 1
        finally:
            self.in_flight.discard(row.id)
            self._slots.release()

    async def _retry_later(self, row: Any, error: str) -> None:
        attempts = row.attempts + 1
        if attempts >= self.config.max_attempts:
            await self._finish(row.id, status=OutboxStatus.failed.value, last_error=error)
            self.outcome.failed += 1
            return
        delay = min(self.config.max_backoff_seconds, self.config.backoff_seconds * 2 ** (attempts - 1))
        await self._finish(row.id, status=OutboxStatus.pending.value, last_error=error,
                           not_before=db_time(self.clock() + dt.timedelta(seconds=delay)))
        self.outcome.retried += 1
        self.outcome.errors.append(error.split(":", 1)[0])

    async def _finish(self, row_id: int, **values: Any) -> None:
        async with self.db.transaction() as session:
            await finish(session, row_id, **values)

    async def _forbidden(self, row: Any, error: str) -> None:
        """The user blocked the bot: fail the row, mark every binding of that chat unreachable, tell staff."""
        now = self.clock()
        async with self.db.transaction() as session:
            await fail_blocked(session, row.id, row.chat_id, error)
            if row.kind not in ("staff_alert", "broadcast"):
                await alert_staff_unreachable(session, row.chat_id, now)
