"""Long work off the update path: /export answers at once, other chats go on, the file comes by the outbox."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.outbox_preview import render_pending
from bot.sandbox_client import Sandbox, User, joined
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
