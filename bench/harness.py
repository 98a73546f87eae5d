"""A load harness around the real PTB Application: scripted managers, a recording emulator, timings.

Why a harness of our own: the benchmarks, the smoke tests and the fault tests must all drive
the bot exactly as production does (``bot.app.build_application`` → PTB → the one door), yet
be able to follow each user's *own* last message (to press its buttons) without the O(all
messages) scans of ``BotApiEmulator.last_message``, and to time each update in isolation.

Two ways of feeding updates are offered:

* ``queue`` — as the bot is built: ``application.start()`` and ``update_queue.put``; PTB's
  fetcher hands updates to the bot's update processor (``bot/ordering.py``: chats in parallel up
  to a bound, each chat in order). Two extra ``TypeHandler`` groups (-1 and 1) stamp when PTB
  started and finished each update. Two figures come of it: the *service* time (group -1 to
  group 1: after the update got its concurrency slot, so without the wait for one) and the
  *response* time (``update_queue.put`` to group 1: what the person waits for the answer).
* ``concurrent`` — ``application.process_update`` is awaited from one asyncio task per user:
  many users' updates overlap, each user's own updates stay in order (a user never taps before
  the bot answered), which is the guarantee per-chat ordering needs. ``app.py`` is untouched.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, TypeHandler, filters
from telegram.request import RequestData

from bot.app import build_application
from bot.services import FixedClock
from bot.settings import Settings
from storage.db import Database
from testing.sandbox import BotApiEmulator, SandboxRequest

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2027, 2, 1, 10, 0, tzinfo=SHANGHAI)
TOKEN = "123456:BENCH"
STAFF_ID = 990000001


class TrackingEmulator(BotApiEmulator):
    """The emulator, remembering each chat's newest message so a user can press its buttons cheaply."""

    def __init__(self, keep_calls: bool = True) -> None:
        super().__init__()
        self.newest: dict[int, dict[str, Any]] = {}
        self.keep_calls = keep_calls
        self.sent_per_chat: dict[int, list[str]] = {}

    def _new_message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        message = super()._new_message(params, **extra)
        chat = int(params["chat_id"])
        self.newest[chat] = message
        self.sent_per_chat.setdefault(chat, []).append(str(params.get("text") or params.get("caption") or ""))
        return message

    def handle(self, method: str, params: dict[str, Any], files: dict[str, bytes] | None = None) -> Any:
        result = super().handle(method, params, files)
        if method == "editMessageText" and params.get("chat_id") is not None:
            self.sent_per_chat.setdefault(int(params["chat_id"]), []).append(str(params.get("text") or ""))
        if not self.keep_calls:
            self.calls.clear()
        return result


class DelayedRequest(SandboxRequest):
    """The sandbox Bot API answering after ``latency_s``, like a real round trip to Telegram.

    The emulator answers at once, so without this a benchmark favours handling one chat at a time;
    a real bot waits tens of milliseconds on every call, and other chats should go on meanwhile.
    """

    def __init__(self, emulator: BotApiEmulator, latency_s: float = 0.0) -> None:
        super().__init__(emulator)
        self.latency_s = latency_s

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None, connect_timeout: Any = None,
                         pool_timeout: Any = None) -> tuple[int, bytes]:
        if self.latency_s > 0:
            await asyncio.sleep(self.latency_s)
        return await super().do_request(url, method, request_data, read_timeout, write_timeout, connect_timeout,
                                        pool_timeout)


def bench_settings(url: str) -> Settings:
    return Settings(_env_file=None, telegram_bot_token=TOKEN, staff_telegram_ids=[STAFF_ID], database_url=url)


class Updates:
    """Raw Telegram updates, as the Bot API would deliver them (ids never reused in one process)."""

    _ids = itertools.count(int(time.time()) * 1000)
    _message_ids = itertools.count(1)
    _callback_ids = itertools.count(1)

    @classmethod
    def message(cls, user_id: int, text: str, language: str = "en") -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": next(cls._ids), "message": {
            "message_id": next(cls._message_ids), "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "M"},
            "from": {"id": user_id, "is_bot": False, "first_name": "M", "language_code": language}, **content}}

    @classmethod
    def document(cls, user_id: int, name: str, size: int = 2048, language: str = "en") -> dict[str, Any]:
        n = next(cls._message_ids)
        doc = {"file_id": f"doc-{user_id}-{n}", "file_unique_id": f"ud{n}", "file_name": name,
               "mime_type": "application/pdf", "file_size": size}
        return {"update_id": next(cls._ids), "message": {
            "message_id": n, "date": int(time.time()), "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": "M", "language_code": language}, "document": doc}}

    @classmethod
    def callback(cls, user_id: int, data: str, message: dict[str, Any] | None,
                 language: str = "en") -> dict[str, Any]:
        message = message or {"message_id": 1, "date": int(time.time()), "chat": {"id": user_id, "type": "private"}}
        return {"update_id": next(cls._ids), "callback_query": {
            "id": str(next(cls._callback_ids)), "chat_instance": "bench", "data": data, "message": message,
            "from": {"id": user_id, "is_bot": False, "first_name": "M", "language_code": language}}}


def button_data(message: dict[str, Any] | None, label: str) -> str:
    """Callback data of the button labelled ``label`` (exact, then substring) on ``message``."""
    rows = ((message or {}).get("reply_markup") or {}).get("inline_keyboard", [])
    buttons = [b for row in rows for b in row if "callback_data" in b]
    for exact in (True, False):
        for button in buttons:
            if (button["text"] == label) if exact else (label in button["text"]):
                return str(button["callback_data"])
    raise LookupError(f"no button {label!r} on message {(message or {}).get('text', '')[:80]!r}")


# One /log activity with a new demand unit, in English: 17 updates, every field type of the form.
ACTIVITY_SCRIPT: tuple[tuple[str, str], ...] = (
    ("send", "/log"), ("press", "Quality training and consulting"), ("send", "Quality training {n}"),
    ("send", "2027-01-20"), ("press", "Skip"), ("press", "➕ Add a new one"), ("send", "Unit {n} Co., Ltd."),
    ("press", "Skip"), ("send", "Wang Wu"), ("send", "13800138000"), ("send", "Need of unit {n}"),
    ("press", "➕ Add experts to the roster"), ("press", "Confirm"), ("send", "Chen Yi"), ("send", "Professor"),
    ("press", "Yes"), ("press", "Done"), ("send", "2"), ("send", "35"), ("press", "None of these (all 0)"),
    ("press", "Skip"), ("press", "Submit"),
)


@dataclass
class Timings:
    """Per-update service times (seconds) and errors, merged over all users."""

    service: list[float] = field(default_factory=list)
    response: list[float] = field(default_factory=list)  # queue mode: from update_queue.put to the end stamp
    steps: int = 0
    failures: int = 0
    wall: float = 0.0
    cpu: float = 0.0  # process CPU seconds over the run: on a shared machine, the figure least bent by neighbours

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.service) or [0.0]
        waited = sorted(self.response) or [0.0]

        def pct(p: float, values: list[float] = ordered) -> float:
            return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))] * 1000

        return {"steps": float(self.steps), "steps_per_s": self.steps / self.wall if self.wall else 0.0,
                "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99),
                "resp_p50_ms": pct(50, waited), "resp_p95_ms": pct(95, waited), "resp_p99_ms": pct(99, waited),
                "mean_ms": statistics.fmean(ordered) * 1000, "failures": float(self.failures), "wall_s": self.wall,
                "cpu_ms_per_step": self.cpu / self.steps * 1000 if self.steps else 0.0}


Feeder = Callable[[dict[str, Any]], Awaitable[float]]


class Driver:
    """Feeds updates into one Application in ``queue`` or ``concurrent`` mode and times each one."""

    def __init__(self, application: Application, api: TrackingEmulator, mode: str = "concurrent") -> None:
        if mode not in ("queue", "concurrent"):
            raise ValueError(mode)
        self.app = application
        self.api = api
        self.mode = mode
        self._started: dict[int, float] = {}
        self._done: dict[int, tuple[float, asyncio.Future[tuple[float, float]]]] = {}
        if mode == "queue":
            application.add_handler(TypeHandler(Update, self._stamp_start), group=-1)
            application.add_handler(TypeHandler(Update, self._stamp_end), group=1)

    async def _stamp_start(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        self._started[update.update_id] = time.perf_counter()

    async def _stamp_end(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        end = time.perf_counter()
        queued, future = self._done.pop(update.update_id, (end, None))
        began = self._started.pop(update.update_id, end)
        if future is not None and not future.done():
            future.set_result((end - began, end - queued))

    async def feed(self, payload: dict[str, Any]) -> float:
        """Process one update; returns the time PTB spent on it (seconds), after it got its slot."""
        return (await self.feed_timed(payload))[0]

    async def feed_timed(self, payload: dict[str, Any]) -> tuple[float, float]:
        """Process one update; returns (service, response) seconds: PTB's time on it, and the wait from the queue."""
        update = Update.de_json(payload, self.app.bot)
        if self.mode == "concurrent":
            began = time.perf_counter()
            await self.app.process_update(update)
            spent = time.perf_counter() - began
            return spent, spent
        future: asyncio.Future[tuple[float, float]] = asyncio.get_running_loop().create_future()
        self._done[update.update_id] = (time.perf_counter(), future)
        await self.app.update_queue.put(update)
        return await future


async def run_script(driver: Driver, user_id: int, n: int, script: Sequence[tuple[str, str]],
                     timings: Timings) -> None:
    """One manager fills one form; each step waits for the bot's answer before the next, like a person."""
    for kind, value in script:
        text = value.format(n=n)
        if kind == "send":
            payload = Updates.message(user_id, text)
        else:
            message = driver.api.newest.get(user_id)
            try:
                data = button_data(message, text)
            except LookupError:
                timings.failures += 1
                return
            payload = Updates.callback(user_id, data, message)
        service, response = await driver.feed_timed(payload)
        timings.service.append(service)
        timings.response.append(response)
        timings.steps += 1


async def run_users(driver: Driver, users: Sequence[int], script: Sequence[tuple[str, str]]) -> Timings:
    timings = Timings()
    began, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(run_script(driver, uid, i, script, timings) for i, uid in enumerate(users)))
    timings.wall = time.perf_counter() - began
    timings.cpu = time.process_time() - cpu
    return timings


async def start_stationbot(url: str, *, mode: str = "concurrent", keep_calls: bool = False,
                           clock: FixedClock | None = None, db: Database | None = None,
                           api_latency_s: float = 0.0) -> Driver:
    """The real bot, built by ``bot.app.build_application``, initialised and post-initialised."""
    api = TrackingEmulator(keep_calls=keep_calls)
    settings = bench_settings(url)
    application = build_application(settings, db=db or Database(url), request=DelayedRequest(api, api_latency_s),
                                    clock=clock or FixedClock(START), with_updater=False)
    # The reminder sweep and the outbox dispatcher are measured separately (sweep_and_status.py).
    application.bot_data["services"].background_jobs = False
    driver = Driver(application, api, mode)
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    if mode == "queue":
        await application.start()
    return driver


async def start_echo(mode: str = "concurrent", api_latency_s: float = 0.0) -> Driver:
    """The floor: a bare PTB Application whose one handler replies the text (buttons: answered)."""
    api = TrackingEmulator(keep_calls=False)
    application = (Application.builder().token(TOKEN).request(DelayedRequest(api, api_latency_s))
                   .get_updates_request(SandboxRequest(api)).updater(None).concurrent_updates(False).build())

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if update.callback_query is not None:
            await update.callback_query.answer()
        if message is not None and update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, message.text or "…")

    application.add_handler(MessageHandler(filters.ALL, echo))
    from telegram.ext import CallbackQueryHandler

    application.add_handler(CallbackQueryHandler(echo))
    driver = Driver(application, api, mode)
    await application.initialize()
    if mode == "queue":
        await application.start()
    return driver


# The echo bot sees the same number of updates, all texts (it has no buttons to press).
ECHO_SCRIPT: tuple[tuple[str, str], ...] = tuple(("send", f"step {i} of {{n}}") for i in range(len(ACTIVITY_SCRIPT)))


async def stop(driver: Driver) -> None:
    if driver.app.running:
        await driver.app.stop()
    await driver.app.shutdown()
    services = driver.app.bot_data.get("services")
    if services is not None:
        await services.db.dispose()
