"""Enqueueing is idempotent by key, on both databases, and the payload renders in any language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlmodel import select

from conversations.serialize import reply_from_json
from conversations.types import Button, Reply, keyboard
from locales import T, render, translator
from storage.db import Database
from storage.models import OutboxMessage
from storage.outbox import enqueue


async def test_same_key_twice_is_one_row(db: Database) -> None:
    now = dt.datetime(2027, 2, 1, 9, tzinfo=dt.UTC)
    reply = Reply(T("Invitation for {role} — {place}.", role=T("Station manager"), place="X"),
                  keyboard([Button(T("Next ›"), "m:status")]))
    async with db.session() as session:
        first = await enqueue(session, key="plan-due:2027:station-1:T-7", chat_id=5, reply=reply, kind="reminder",
                              not_before=now)
        second = await enqueue(session, key="plan-due:2027:station-1:T-7", chat_id=5, reply=reply, kind="reminder",
                               not_before=now)
        await session.commit()
        rows = (await session.exec(select(OutboxMessage))).all()
    assert (first, second) == (True, False)
    assert len(rows) == 1
    restored = reply_from_json(rows[0].payload["reply"])
    assert render(restored.text, translator("zh_Hans")) == "邀请：站长 — X。"
    assert render(restored.buttons[0][0].text, translator("en")) == "Next ›"


def test_typed_params_survive_json() -> None:
    from locales import text_from_json, text_to_json

    text = T("{day} {amount}", day=dt.date(2027, 2, 26), amount=Decimal("100000.00"))
    restored = text_from_json(text_to_json(text))
    assert render(restored, translator("zh_Hans")) == "2027年2月26日 ¥100,000.00"


@pytest.mark.parametrize("chunk", [5000, 1], ids=["one-chunk", "chunk-per-row"])
async def test_bulk_enqueue_adds_new_keys_in_order_with_their_own_payloads(db: Database, chunk: int,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The sweep's bulk insert (unnest arrays on PostgreSQL, executemany on SQLite) writes what the ORM row would;
    in chunks, the next chunk is built while the previous one is inserted (PostgreSQL)."""
    from conversations.serialize import reply_to_json
    from storage import outbox
    from storage.outbox import Outgoing, enqueue_many

    monkeypatch.setattr(outbox, "CHUNK_ROWS", chunk)
    monkeypatch.setattr(outbox, "PG_CHUNK_ROWS", chunk)

    now = dt.datetime(2027, 2, 1, 0, 30, tzinfo=dt.UTC)
    shared = Reply(T("Reminder for {station}: please submit {what}.", station="站 A", what=T("x {day}", day=now.date())),
                   keyboard([Button(T("Open the form"), "du:plan")]))
    other = Reply(T("Station status"))
    async with db.session() as session:
        assert await enqueue(session, key="taken", chat_id=1, reply=other, kind="reminder", not_before=now)
        items = [Outgoing("b:person-1", 11, shared, "reminder", None), Outgoing("taken", 1, other, "reminder"),
                 Outgoing("a:person-2", 12, shared, "reminder", None, respect_quiet_hours=False),
                 Outgoing("c", 13, other, "notice", None, extra={"origin": "test"})]
        added = await enqueue_many(session, items, not_before=now + dt.timedelta(hours=1))
        again = await enqueue_many(session, items, not_before=now)
        await session.commit()
        rows = (await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all()  # type: ignore[arg-type]
    assert (added, again) == (3, 0)
    assert [(r.idempotency_key, r.chat_id, r.kind, r.respect_quiet_hours) for r in rows] == [
        ("taken", 1, "reminder", True), ("b:person-1", 11, "reminder", True), ("a:person-2", 12, "reminder", False),
        ("c", 13, "notice", True)]
    assert rows[1].payload == rows[2].payload == {"reply": reply_to_json(shared)}
    assert rows[3].payload == {"reply": reply_to_json(other), "origin": "test"}
    assert {(r.status, r.attempts, r.last_error) for r in rows} == {("pending", 0, "")}
    assert all(r.not_before.replace(tzinfo=dt.UTC) == now + dt.timedelta(hours=1) for r in rows[1:])
    assert render(reply_from_json(rows[2].payload["reply"]).text, translator("en")).startswith("Reminder for 站 A")


async def test_bulk_enqueued_rows_are_due_at_their_exact_moment_like_rows_the_orm_wrote(db: Database) -> None:
    """SQLite compares the stored datetime text: bulk rows must store what the ORM stores (naive UTC, no
    '+00:00'), or a row enqueued for t is not due at t and sorts apart from the ORM's rows of the same second."""
    from sqlalchemy import text

    from storage.outbox import Outgoing, enqueue_many
    from storage.outbox_dispatch import due_rows

    moment = dt.datetime(2027, 2, 9, 2, 0, 0, 33333, tzinfo=dt.UTC)
    async with db.session() as session:
        session.add(OutboxMessage(idempotency_key="orm", chat_id=1, kind="notice", payload={}, not_before=moment))
        await session.flush()
        await enqueue_many(session, [Outgoing("bulk", 2, Reply(T("Station status")), "notice")], not_before=moment)
        await session.commit()
        connection = await session.connection()
        stored = (await connection.execute(text("SELECT not_before FROM outbox ORDER BY id"))).all()
        due = await due_rows(session, moment, quiet=False, limit=10)
        early = await due_rows(session, moment - dt.timedelta(microseconds=1), quiet=False, limit=10)
    assert stored[0][0] == stored[1][0], stored  # the same text (SQLite) or the same timestamp (PostgreSQL)
    assert [row.chat_id for row in due] == [1, 2] and early == []
