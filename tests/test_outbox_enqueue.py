"""Enqueueing is idempotent by key, on both databases, and the payload renders in any language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

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
