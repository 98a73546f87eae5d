"""Long work off the update path: /export answers at once, other chats go on, the file comes by the outbox."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from testing.client import Sandbox, User, joined
from testing.outbox_flush import render_pending
from tests.conftest import STAFF

OTHER = User(3201, "Other", "en")


async def test_export_is_made_after_the_update_while_other_chats_are_answered(
        sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = asyncio.Event()

    async def slow_export(session: Any, year: int, tr: Any, *args: Any, **kwargs: Any) -> bytes:
        await gate.wait()  # a network-sized year takes minutes
        return b"PK workbook of " + str(year).encode()

    monkeypatch.setattr("bot.exports.export_year", slow_export)
    asked = await sandbox.send(STAFF, "/export 2027")
    assert "正在生成 2027 年度工作簿" in joined(asked)
    assert not [c for c in asked if c.method == "sendDocument"]
    # The update is over: another person is answered while the workbook is still being made.
    assert joined(await sandbox.send(OTHER, "/help"))
    assert not gate.is_set()
    gate.set()
    delivered = await render_pending(sandbox, STAFF.id)
    documents = [c for c in delivered if c.method == "sendDocument"]
    assert len(documents) == 1
    assert next(iter(documents[0].files.values())) == b"PK workbook of 2027"
    assert "2027" in documents[0].text


async def test_failed_background_work_says_so_and_keeps_nothing_half_made(
        sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken_export(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("disk full")

    monkeypatch.setattr("bot.exports.export_year", broken_export)
    await sandbox.send(STAFF, "/export 2027")
    delivered = await render_pending(sandbox, STAFF.id)
    assert not [c for c in delivered if c.method == "sendDocument"]
    assert "生成失败" in joined(delivered)


async def test_no_background_work_after_a_rolled_back_update(
        sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """Work promised 'after commit' must not run when the update's transaction failed."""
    started: list[int] = []

    async def export(*args: Any, **kwargs: Any) -> bytes:
        started.append(1)
        return b"PK"

    monkeypatch.setattr("bot.exports.export_year", export)

    async def failing_commit(self: Any) -> None:
        raise RuntimeError("database went away at commit")

    from sqlmodel.ext.asyncio.session import AsyncSession

    monkeypatch.setattr(AsyncSession, "commit", failing_commit)
    replies = joined(await sandbox.send(STAFF, "/export 2027"))
    monkeypatch.undo()
    await sandbox.services.background.idle()
    assert started == []
    assert "Please try again" in replies or "请稍后再试" in replies


async def test_bookkeeping_tables_are_pruned(db: Any) -> None:
    """processed_update keeps two days (Telegram resends for 24 h); prepared files a week."""
    import datetime as dt

    from sqlmodel import func, select

    from bot.jobs import prune_bookkeeping
    from storage.models import PreparedFile, ProcessedUpdate
    from storage.prepared_files import keep_file
    from storage.updates import record_update
    from tests.conftest import SHANGHAI

    now = dt.datetime(2027, 3, 10, 4, 0, tzinfo=SHANGHAI)
    async with db.session() as session:
        for days, update_id in ((3, 1), (1, 2), (0, 3)):
            assert await record_update(session, update_id, now - dt.timedelta(days=days))
        assert not await record_update(session, 3, now)  # a resend of a recorded update
        await keep_file(session, "old.xlsx", b"old", now - dt.timedelta(days=8))
        await keep_file(session, "new.xlsx", b"new", now - dt.timedelta(days=1))
        await session.commit()
    assert await prune_bookkeeping(db, now) == (1, 1)
    async with db.session() as session:
        ids = sorted((await session.exec(select(ProcessedUpdate.update_id))).all())
        names = (await session.exec(select(PreparedFile.filename))).all()
        assert (await session.exec(select(func.count()).select_from(PreparedFile))).one() == 1
    assert ids == [2, 3] and names == ["new.xlsx"]
