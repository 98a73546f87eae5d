"""Signing in and out of the console, and the once-a-minute "last used" write of any page, take SQLite's writer
turn (``Database.transaction``) like a chat update does, so they never fail "database is locked" beside chat.

SQLite has one writer: a transaction that read and then finds another writer has committed fails at once
(``storage.db.Database.serial``). A chat update holds the turn for its whole transaction. A page load that
writes nothing must not wait for it at all. PostgreSQL needs no turn; there the tests check the requests
succeed beside an open chat transaction.
"""

from __future__ import annotations

from typing import TypeVar

import httpx
from sqlmodel import select

from bot.services import FixedClock
from bot.webapp.console.auth import COOKIE
from storage.datetimes import db_time
from storage.models import ConsoleSession
from storage.tokens import hash_token
from testing.client import Sandbox
from tests.security.support import STAFF_EN, seed
from tests.webapp.console_support import browser_like, csrf_of, sign_in, web_link
from tests.webapp.writer_turn_support import beside_a_chat_update

__all__ = ["browser_like"]
T = TypeVar("T")


async def open_session(box: Sandbox, client: httpx.AsyncClient) -> ConsoleSession:
    cookie = client.cookies.get(COOKIE, path="/console") or ""
    async with box.services.db.session() as session:
        row = (await session.exec(select(ConsoleSession).where(ConsoleSession.token_hash == hash_token(cookie)))).one()
    return row


async def test_signing_in_waits_for_a_chat_update_and_then_succeeds(
        web_box: Sandbox, browser_like: httpx.AsyncClient) -> None:
    await seed(web_box.services.db)
    token = await web_link(web_box, STAFF_EN)
    signed, statements, queued, _ = await beside_a_chat_update(
        web_box, lambda: sign_in(browser_like, token), marker="FROM invite")
    assert signed.status_code == 303 and signed.headers["location"] == "/console/", signed.text
    assert (await browser_like.get("/console/")).status_code == 200
    if web_box.services.db.is_sqlite:
        assert queued, "signing in waits for the chat update's turn before it reads the link"
        assert statements.first("-- chat committed") < statements.first("FROM invite")


async def test_signing_out_waits_for_a_chat_update_and_then_succeeds(
        web_box: Sandbox, browser_like: httpx.AsyncClient) -> None:
    await seed(web_box.services.db)
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    row = await open_session(web_box, browser_like)
    out, statements, queued, _ = await beside_a_chat_update(
        web_box, lambda: browser_like.post("/console/logout", data={"csrf": csrf_of(browser_like)}),
        marker="UPDATE console_session")
    assert out.status_code == 200 and "You are signed out." in out.text, out.text
    async with web_box.services.db.session() as session:
        ended = await session.get(ConsoleSession, row.id)
        assert ended is not None and ended.ended_at is not None
    assert (await browser_like.get("/console/")).status_code == 401
    if web_box.services.db.is_sqlite:
        assert queued, "signing out waits for the chat update's turn before it writes"
        assert statements.first("-- chat committed") < statements.first("UPDATE console_session")


async def test_a_page_that_moves_the_last_use_on_waits_for_a_chat_update_and_then_succeeds(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    await seed(web_box.services.db)
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    clock.advance(minutes=2)  # past TOUCH_EVERY: this load writes the session's last use
    page, statements, queued, _ = await beside_a_chat_update(
        web_box, lambda: browser_like.get("/console/"), marker="UPDATE console_session")
    assert page.status_code == 200 and "Overview" in page.text, page.text
    row = await open_session(web_box, browser_like)
    assert db_time(row.last_seen_at) == db_time(clock())
    if web_box.services.db.is_sqlite:
        assert queued, "the last-use write waits for the chat update's turn"
        assert statements.first("-- chat committed") < statements.first("UPDATE console_session")


async def test_a_page_that_writes_nothing_does_not_wait_for_a_chat_update(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    await seed(web_box.services.db)
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    before = await open_session(web_box, browser_like)
    clock.advance(seconds=30)  # within TOUCH_EVERY: nothing to write
    page, statements, queued, finished_first = await beside_a_chat_update(
        web_box, lambda: browser_like.get("/console/"), marker="UPDATE console_session")
    assert page.status_code == 200 and "Overview" in page.text, page.text
    assert not any("UPDATE console_session" in s for s in statements.seen)
    assert db_time((await open_session(web_box, browser_like)).last_seen_at) == db_time(before.last_seen_at)
    assert finished_first and not queued, "a read-only page load is answered while the chat update holds the turn"
