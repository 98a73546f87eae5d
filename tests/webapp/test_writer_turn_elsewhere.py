"""Writes beside the console take SQLite's writer turn too (``Database.transaction``): the staff API's manual
scores (seed 004 第十四条's rows scored by staff) and the outbox dispatcher's lease and claims.

A writer that skips the turn can commit between a chat update's read and its write, and so fail that update
on SQLite ("database is locked"). Each test starts the write while a chat update holds the turn and has begun
writing: on SQLite the write queues for the turn and runs after the chat commits; on PostgreSQL it succeeds.
"""

from __future__ import annotations

import datetime as dt

import httpx

from bot.jobs import enqueue_due
from bot.services import FixedClock
from bot.webapp.app import create_web_app
from storage.api_tokens import create_api_token
from storage.manual_scores import manual_points
from storage.models import OutboxStatus
from testing.client import Sandbox
from tests.assessment.support import station
from tests.conftest import SHANGHAI
from tests.helpers import add_station
from tests.outbox.support import FakeTime, add_person, dispatcher, put, rows
from tests.webapp.writer_turn_support import beside_a_chat_update


async def test_seed004_art14_manual_scores_through_the_api_wait_for_a_chat_update_and_then_succeed(
        web_box: Sandbox, clock: FixedClock) -> None:
    clock.set(dt.datetime(2027, 3, 5, 10, 0, tzinfo=SHANGHAI))
    st = await station(web_box, 1, "衢州API站甲", "quzhou")
    db = web_box.services.db
    async with db.session() as session:
        token, _ = await create_api_token(session, "writer", clock(), "write")
        await session.commit()
    app = create_web_app(web_box.app, web_box.services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as client:
        stored, statements, queued, _ = await beside_a_chat_update(
            web_box, lambda: client.put(f"/api/v1/assessment/manual-scores/2026/{st.id}", json={"facilities": 9},
                                        headers={"Authorization": f"Bearer {token}"}),
            marker="FROM station")
    assert stored.status_code == 200 and stored.json()["scores"] == {"facilities": 9}, stored.text
    async with db.session() as session:
        assert (await manual_points(session, 2026, [st.id or 0]))[st.id or 0] == {"facilities": 9}
    if db.is_sqlite:
        assert queued, "the API's write waits for the chat update's turn before it reads the station"
        assert statements.first("-- chat committed") < statements.first("FROM station")


async def test_the_dispatcher_waits_for_a_chat_update_and_then_sends(sandbox: Sandbox, clock: FixedClock) -> None:
    db = sandbox.services.db
    person = await add_person(db, 7001)
    await put(db, "writer-turn", person, clock())
    send = dispatcher(db, sandbox.app.bot, clock, FakeTime(clock))
    outcome, statements, queued, _ = await beside_a_chat_update(
        sandbox, lambda: send.run_once(), marker="UPDATE dispatcher_lock")
    assert outcome.sent == 1 and [r.status for r in await rows(db)] == [OutboxStatus.sent]
    assert [c.text for c in sandbox.api.calls_to(7001)] == ["Hello x"]
    if db.is_sqlite:
        assert queued, "taking the lease waits for the chat update's turn"
        assert statements.first("-- chat committed") < statements.first("UPDATE dispatcher_lock")


async def test_the_daily_sweep_waits_for_a_chat_update_and_then_queues_its_reminders(
        sandbox: Sandbox, clock: FixedClock) -> None:
    """The sweep reads every station and then writes the outbox: on SQLite it takes the turn first, so a chat
    update committing in between cannot fail it and hold the day's reminders back."""
    db = sandbox.services.db
    st = await add_station(db)
    await add_person(db, 5001, station_id=st.id)
    clock.set(dt.datetime(2027, 2, 23, 10, 0, tzinfo=SHANGHAI))  # the year's plan is due (T-7)
    added, statements, queued, _ = await beside_a_chat_update(
        sandbox, lambda: enqueue_due(db, clock()), marker="INSERT INTO outbox")
    assert added == 1
    assert [r.idempotency_key for r in await rows(db)] == [f"plan-due:2027:station-{st.id}:T-7:person-1"]
    if db.is_sqlite:
        assert queued, "the sweep waits for the chat update's turn before it reads"
        assert statements.first("-- chat committed") < statements.first("INSERT INTO outbox")
