"""The console's writes that read first (round scores, publish, a broadcast's cancel) take SQLite's writer turn
like a chat update does.

SQLite has one writer: a transaction that read and then finds another writer has committed fails with
"database is locked" (``storage.db.Database.serial``). A chat update holds ``serial()`` for its whole
transaction; the console's save and publish must wait for it and then succeed, not fail. PostgreSQL needs
no turn (row locks); there the test only checks the writes succeed beside an open chat transaction.
"""

from __future__ import annotations

from typing import Any

import httpx

from bot.services import FixedClock
from storage.manual_scores import manual_points
from storage.models import AssessmentRound, Broadcast
from testing.client import Sandbox
from tests.conftest import STAFF
from tests.security.support import STAFF_EN, seed
from tests.webapp.console_support import browser_like, csrf_of, sign_in, web_link
from tests.webapp.test_console_rounds import ROWS, SCORES, quzhou_round
from tests.webapp.writer_turn_support import Statements, beside_a_chat_update

__all__ = ["browser_like"]


async def while_a_chat_update_writes(box: Sandbox, *, start: Any,
                                     console_reads: str = "FROM assessment_round") -> tuple[httpx.Response, Statements]:
    """Run ``start()`` (a console POST) beside a chat update that writes: on SQLite the console request must
    queue for the turn and read the round only after the chat committed (else it would fail after the commit)."""
    response, statements, queued, _ = await beside_a_chat_update(box, start, marker=console_reads)
    if box.services.db.is_sqlite:
        assert queued and statements.first("-- chat committed") < statements.first(console_reads), \
            "the console waits for the chat update's turn before it reads"
    return response, statements


async def test_saving_scores_waits_for_a_chat_update_and_then_succeeds(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    round_id, stations = await quzhou_round(web_box, clock)
    await sign_in(browser_like, await web_link(web_box, STAFF))
    cells = {f"p:{stations[n].id}:{row}": value for n, values in SCORES.items()
             for row, value in zip(ROWS, values, strict=True)}
    saved, statements = await while_a_chat_update_writes(web_box, start=lambda: browser_like.post(
        f"/console/rounds/{round_id}/scores", data={"csrf": csrf_of(browser_like), **cells}))
    assert saved.status_code == 200 and "已保存 15 项得分" in saved.text, saved.text
    async with web_box.services.db.session() as session:
        assert len((await manual_points(session, 2026))[stations[1].id]) == 5
    if web_box.services.db.is_sqlite:
        assert statements.first("-- chat committed") < statements.first("FROM assessment_round")


async def test_publishing_waits_for_a_chat_update_and_then_succeeds(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    round_id, stations = await quzhou_round(web_box, clock)
    await sign_in(browser_like, await web_link(web_box, STAFF))
    csrf = csrf_of(browser_like)
    cells = {f"p:{stations[n].id}:{row}": value for n, values in SCORES.items()
             for row, value in zip(ROWS, values, strict=True)}
    assert (await browser_like.post(f"/console/rounds/{round_id}/scores", data={"csrf": csrf, **cells})).status_code == 200
    published, statements = await while_a_chat_update_writes(web_box, start=lambda: browser_like.post(
        f"/console/rounds/{round_id}/publish", data={"csrf": csrf}))
    assert published.status_code == 200, published.text
    async with web_box.services.db.session() as session:
        rnd = await session.get(AssessmentRound, round_id)
        assert rnd is not None and rnd.status != "open", "the round moved on: published"
    if web_box.services.db.is_sqlite:
        assert statements.first("-- chat committed") < statements.first("FROM assessment_round")


async def test_cancelling_a_broadcast_waits_for_a_chat_update_and_then_succeeds(
        web_box: Sandbox, browser_like: httpx.AsyncClient) -> None:
    await seed(web_box.services.db)
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    scheduled = await browser_like.post("/console/broadcasts", data={
        "csrf": csrf_of(browser_like), "text": "Plans are due before March.", "action": "schedule",
        "managers": "1", "when": "2027-02-20T09:30"})
    assert scheduled.status_code == 303, scheduled.text
    number = int(scheduled.headers["location"].rsplit("/", 1)[1])
    cancelled, statements = await while_a_chat_update_writes(
        web_box, console_reads="FROM broadcast",
        start=lambda: browser_like.post(f"/console/broadcasts/{number}/cancel", data={"csrf": csrf_of(browser_like)}))
    assert cancelled.status_code == 200 and "The broadcast is cancelled." in cancelled.text, cancelled.text
    async with web_box.services.db.session() as session:
        item = await session.get(Broadcast, number)
        assert item is not None and item.status == "cancelled"
    if web_box.services.db.is_sqlite:
        assert statements.first("-- chat committed") < statements.first("FROM broadcast")
