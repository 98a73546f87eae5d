"""``kill -9`` of the real bot (``python -m bot.cli run``, long polling) while 50 managers fill /log.

The bot talks HTTP to the loopback fake Bot API (``testing/bot_api_server.py``); this test plays the
50 people: each sends its next answer only once the bot answered the previous one. At a seeded
random moment the process is killed; a fresh process is started the normal way. Then every
answer a person saw acknowledged is in their Draft row (or the activity reached the ledger),
and /resume shows each person the step a person would expect: the step after their last
acknowledged answer, or one further when the unacknowledged last answer had been committed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import re
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bench.generate import Sizes, fresh_database, manager_id, populate
from bench.harness import ACTIVITY_SCRIPT, Updates, button_data
from bot.services import FixedClock
from bot.settings import Settings
from storage.db import Database
from storage.models import Activity, Draft, Person
from testing.bot_api_server import FakeBotApiServer
from testing.client import Sandbox, User
from tests.conftest import POSTGRES_URL, SHANGHAI

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
USERS = 50
# Only a hung run is ended by time (a bot that stopped answering): never a slow one on a loaded machine.
HUNG_AFTER_SECONDS = 1800
STEP = re.compile(r"(Step \d+ of \d+|Please check your answers|Recorded in the station ledger)")


def stored_values(value: object) -> set[str]:
    """Every answer kept in a draft, repeat-group rows included, as text."""
    if isinstance(value, dict):
        return set().union(*(stored_values(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(stored_values(v) for v in value)) if value else set()
    return {str(value)}


def script(day: dt.date) -> list[tuple[str, str]]:
    """The benchmark's /log script with a start date the real clock accepts (not in the future)."""
    return [(kind, day.isoformat() if value == "2027-01-20" else value) for kind, value in ACTIVITY_SCRIPT]


class PollingServer(FakeBotApiServer):
    """getUpdates waits up to a second for updates (like Telegram's long polling) instead of spinning."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Condition()

    def push(self, payload: dict[str, Any]) -> None:
        with self.lock:
            self.emulator.pending_updates.append(payload)
        with self.arrived:
            self.arrived.notify_all()

    def answer(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> tuple[int, Any, bool]:
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            with self.arrived:
                self.arrived.wait_for(lambda: any(u["update_id"] >= offset for u in self.emulator.pending_updates),
                                      timeout=1.0)
        return super().answer(method, params, files)


def alive(bot: subprocess.Popen[bytes], workdir: Path) -> None:
    """The bot process must be running while we wait for its answers (else its log says why)."""
    if bot.poll() is not None:
        raise AssertionError(f"the bot exited with {bot.returncode}; see {workdir / 'bot.log'}")


def start_bot(server: FakeBotApiServer, url: str, workdir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:KILLTEST", "TELEGRAM_BASE_URL": server.base_url,
           "TELEGRAM_BASE_FILE_URL": server.base_url.replace("/bot", "/file/bot"), "DATABASE_URL": url,
           "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=workdir, env=env,
                            stdout=subprocess.DEVNULL, stderr=(workdir / "bot.log").open("ab"))


class Replies:
    """Which chats the bot has answered since their last update was pushed, reading each Bot API call once.

    Re-reading every call since each waiting person's push, for all of them every 10 ms, cost this test's own
    loop CPU it shares (with the GIL) with the fake Bot API's threads: on a loaded machine the bot was slowed
    by the test watching it.
    """

    def __init__(self, server: FakeBotApiServer) -> None:
        self.server = server
        self.read = 0
        self.since: dict[int, int] = {}  # chat -> number of calls made before its pending update was pushed
        self.answered: set[int] = set()

    def pushed(self, chat: int, mark: int) -> None:
        """An update of ``chat`` was pushed when ``mark`` calls had been made: only later replies answer it."""
        self.since[chat] = mark
        self.answered.discard(chat)

    def catch_up(self) -> None:
        with self.server.lock:
            calls = self.server.emulator.calls[self.read:]
        for index, call in enumerate(calls, self.read):
            if call.method in ("sendMessage", "editMessageText") and index >= self.since.get(call.chat_id, 0):
                self.answered.add(call.chat_id)
        self.read += len(calls)


async def reference_steps(tmp_path: Path, day: dt.date) -> list[str]:
    """What a person sees after each step of the script, from an in-process run of the same bot."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'reference.db'}")
    await db.upgrade()
    await populate(db, Sizes(stations=1, language="en", profile="gd-quality"))
    settings = Settings(_env_file=None, telegram_bot_token="123456:SANDBOX", database_url=db.url)
    seen: list[str] = []
    async with Sandbox(settings, db, FixedClock(dt.datetime.combine(day, dt.time(12), SHANGHAI))) as box:
        user = User(manager_id(1), "M", "en")
        for kind, value in script(day):
            calls = await (box.send(user, value) if kind == "send" else box.press(user, value))
            labels = STEP.findall("\n".join(c.text for c in calls))
            seen.append(labels[-1] if labels else seen[-1])
    await db.dispose()
    return seen




async def reminders_already_sent(db: Database) -> None:
    """Today's reminders count as delivered, so the bot process's start-up sweep and dispatcher
    stay quiet and every message a manager gets is an answer to their own update."""
    from sqlalchemy import update

    from bot.jobs import enqueue_due
    from storage.models import OutboxMessage

    now = dt.datetime.now(SHANGHAI)
    for moment in (now, now + dt.timedelta(days=1)):  # and tomorrow's, should the run go past midnight
        await enqueue_due(db, moment)
    async with db.session() as session:
        await session.exec(update(OutboxMessage).values(status="sent"))  # type: ignore[call-overload]
        await session.commit()

def newest_with_button(emulator: Any, uid: int, label: str) -> dict[str, Any] | None:
    """The form's newest screen with that button: a reminder the dispatcher sends in between
    (the bot process runs its jobs) must not be mistaken for the form's message."""
    ours = sorted((m for (chat, _), m in emulator.messages.items() if chat == uid),
                  key=lambda m: m["message_id"], reverse=True)
    for message in ours:
        try:
            button_data(message, label)
        except LookupError:
            continue
        return message
    return ours[0] if ours else None

@pytest.mark.parametrize("backend,seed", [("sqlite", 1), ("sqlite", 2), ("postgres", 3)])
async def test_kill_minus_nine_loses_no_accepted_answer(tmp_path: Path, backend: str, seed: int) -> None:
    if backend == "postgres" and not POSTGRES_URL:
        pytest.skip("PostgreSQL leg skipped: TEST_POSTGRES_URL is not set")
    url = (f"sqlite+aiosqlite:///{tmp_path / 'kill.db'}" if backend == "sqlite"
           else f"{POSTGRES_URL.rpartition('/')[0]}/fault_kill_{uuid.uuid4().hex[:10]}")
    db = await fresh_database(url)
    await populate(db, Sizes(stations=USERS, language="en", profile="gd-quality"))
    await reminders_already_sent(db)
    day = dt.datetime.now(SHANGHAI).date() - dt.timedelta(days=3)
    steps = script(day)
    expected = await reference_steps(tmp_path, day)
    rng = random.Random(seed)
    kill_after = rng.randrange(USERS, USERS * (len(steps) - 2))
    users = [manager_id(i) for i in range(1, USERS + 1)]
    done = dict.fromkeys(users, 0)  # acknowledged steps per person
    waiting: dict[int, int] = {}  # person -> call index when their pending update was pushed
    server = PollingServer().start()
    bot = start_bot(server, url, tmp_path)
    replies = Replies(server)
    try:
        acknowledged = 0
        # Waiting for states of the other process, never for a time: however loaded the machine, the kill
        # comes after exactly ``kill_after`` acknowledged answers. The bound only ends a hung run.
        async with asyncio.timeout(HUNG_AFTER_SECONDS):
            while acknowledged < kill_after:
                alive(bot, tmp_path)
                replies.catch_up()
                for uid in rng.sample(users, len(users)):
                    if uid in waiting:
                        if uid not in replies.answered:
                            continue
                        del waiting[uid]
                        done[uid] += 1
                        acknowledged += 1
                    if done[uid] >= len(steps) or acknowledged >= kill_after:
                        continue
                    kind, value = steps[done[uid]]
                    with server.lock:
                        mark = len(server.emulator.calls)
                        newest = newest_with_button(server.emulator, uid, value) if kind == "press" else None
                    payload = (Updates.message(uid, value.format(n=uid)) if kind == "send"
                               else Updates.callback(uid, button_data(newest, value), newest))
                    waiting[uid] = mark
                    replies.pushed(uid, mark)
                    server.push(payload)
                await asyncio.sleep(0.01)  # yield while the bot process works (polling, not timing)
        bot.send_signal(signal.SIGKILL)
        bot.wait(10)
        in_flight = set(waiting)
        with server.lock:
            mark = len(server.emulator.calls)
        bot = start_bot(server, url, tmp_path)
        shown: dict[int, str] = {}
        for uid in users:
            server.push(Updates.message(uid, "/resume"))
        async with asyncio.timeout(HUNG_AFTER_SECONDS):  # every person is answered; the bound ends a hung run
            while len(shown) < USERS:
                alive(bot, tmp_path)
                await asyncio.sleep(0.1)
                with server.lock:
                    calls = server.emulator.calls[mark:]
                mark += len(calls)
                for call in calls:
                    labels = STEP.findall(call.text) if call.chat_id in done else []
                    if labels and call.chat_id not in shown:
                        shown[call.chat_id] = labels[-1]
                    elif call.chat_id in done and "no unfinished form" in call.text:
                        shown.setdefault(call.chat_id, "no draft")
        async with db.session() as session:
            drafts = {p.telegram_user_id: d for d, p in (await session.exec(
                select(Draft, Person).where(Draft.person_id == Person.id))).all()}
            ledger = {p.telegram_user_id for _, p in (await session.exec(
                select(Activity, Person).where(Activity.logged_by_person_id == Person.id))).all()}
        problems = []
        for uid in users:
            n = done[uid]
            if uid in ledger:
                if n < len(steps) - 1:
                    problems.append(f"{uid}: recorded after only {n} acknowledged steps")
                continue
            draft = drafts.get(uid)
            state = draft.state if draft is not None else {}
            # Answers inside a repeat group (new roster experts) live in its rows, or in the row in progress.
            kept = stored_values(state.get("answers", {})) | stored_values(state.get("ui", {}).get("row", {}))
            for kind, value in steps[1:n]:
                if kind == "send" and value.format(n=uid) not in kept:
                    problems.append(f"{uid}: acknowledged answer {value!r} lost")
            options = {expected[n - 1]} if n else {"no draft"}
            if uid in in_flight and n < len(steps):
                options.add(expected[n])
            if shown.get(uid) not in options:
                problems.append(f"{uid}: /resume shows {shown.get(uid)!r} after {n} steps, expected {options}")
        assert problems == [], f"kill after {kill_after} acknowledged answers"
    finally:
        bot.send_signal(signal.SIGKILL)
        bot.wait(10)
        server.stop()
        await db.dispose()
        if backend == "postgres":
            from bench.conversation_throughput import drop_postgres

            await drop_postgres(url)
