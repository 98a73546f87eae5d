"""Fault test: a real dispatcher process is SIGKILLed mid-broadcast, restarted, and nobody gets two messages."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from conversations.types import Reply
from locales import T
from storage.db import Database
from storage.models import Broadcast, OutboxMessage, OutboxStatus, Person, Role
from storage.outbox import UNCONFIRMED, enqueue
from testing.bot_api_server import FakeBotApiServer

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("dispatch_proc.py")
RECIPIENTS = 2000
IN_FLIGHT = 8
# Only a hung run is ended by time: the test waits for states of the other process, however slow a loaded
# machine makes them (a short fixed bound turns a slow but correct run on a busy machine into a failure).
HUNG_AFTER_SECONDS = 1800


async def broadcast_to_many(db: Database, count: int) -> int:
    now = dt.datetime.now(dt.UTC)
    async with db.session() as session:
        staff = Person(telegram_user_id=1, chat_id=1, role=Role.staff.value, name="staff")
        session.add(staff)
        await session.flush()
        assert staff.id is not None
        broadcast = Broadcast(created_by_person_id=staff.id, text="Plans are due", status="sending",
                              recipients=count)
        session.add(broadcast)
        people = [Person(telegram_user_id=10_000 + i, chat_id=10_000 + i, role=Role.manager.value)
                  for i in range(count)]
        session.add_all(people)
        await session.flush()
        assert broadcast.id is not None
        for person in people:
            assert person.chat_id is not None
            await enqueue(session, key=f"broadcast:{broadcast.id}:person-{person.id}", chat_id=person.chat_id,
                          person_id=person.id, reply=Reply(T("Plans are due")), kind="broadcast", not_before=now,
                          respect_quiet_hours=False, broadcast_id=broadcast.id)
        await session.commit()
        return broadcast.id


async def count_status(db: Database, status: str) -> int:
    async with db.session() as session:
        query = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == status)
        return int((await session.exec(query)).one())


def start(db: Database, server: FakeBotApiServer) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TELEGRAM_BASE_URL": server.base_url, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, str(SCRIPT), db.url, "2000", "2", str(IN_FLIGHT)], cwd=ROOT, env=env)


async def wait_for(condition: Callable[[], Awaitable[bool]]) -> None:
    """Poll a condition of the other process — waiting for a state, not for time (the bound ends a hung run)."""
    async with asyncio.timeout(HUNG_AFTER_SECONDS):
        while not await condition():  # noqa: ASYNC110 (the state is in another process)
            await asyncio.sleep(0.02)


@pytest.mark.slow
async def test_sigkill_mid_broadcast_neither_loses_nor_doubles(db: Database) -> None:
    await broadcast_to_many(db, RECIPIENTS)
    with FakeBotApiServer() as server:
        # From the 700th message on Telegram "delivers" but never answers: the sender is killed exactly
        # between the API call and recording it, the window where a naive outbox sends twice.
        server.hold_answers_after(700)
        first = start(db, server)
        try:
            async def every_claimed_row_reached_telegram() -> bool:
                if first.poll() is not None:
                    raise AssertionError(f"dispatcher exited early with {first.returncode}")
                return server.held == IN_FLIGHT and await count_status(db, OutboxStatus.sending.value) == IN_FLIGHT

            await wait_for(every_claimed_row_reached_telegram)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
        assert first.returncode == -signal.SIGKILL
        server.release()
        delivered_before_restart = server.delivered
        assert 700 <= delivered_before_restart < RECIPIENTS

        second = start(db, server)
        assert second.wait(timeout=HUNG_AFTER_SECONDS) == 0

        per_chat = server.messages_per_chat()
    chats = range(10_000, 10_000 + RECIPIENTS)
    doubled = [c for c in chats if per_chat[c] > 1]
    missing = [c for c in chats if per_chat[c] == 0]
    assert doubled == [] and missing == []
    assert await count_status(db, OutboxStatus.sent.value) == RECIPIENTS - IN_FLIGHT
    assert await count_status(db, UNCONFIRMED) == IN_FLIGHT
    assert await count_status(db, OutboxStatus.pending.value) == 0
