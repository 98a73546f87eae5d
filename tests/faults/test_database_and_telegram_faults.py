"""The database goes away and Telegram misbehaves: the bot says "try again shortly", keeps every
saved answer, and handles the next update normally, without a restart.

PostgreSQL is made unreachable through a TCP proxy on 127.0.0.1 owned by this test (the shared
server keeps running): closing the proxy cuts every pooled connection and refuses new ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

import pytest
from sqlmodel import select
from telegram.request import RequestData

from bot.services import FixedClock
from bot.settings import Settings
from storage.db import Database
from storage.models import Draft
from testing.client import Sandbox, User, joined
from testing.sandbox import ApiFault, NetworkFault, SandboxRequest
from tests.conftest import POSTGRES_URL, _drop_postgres_database, _postgres_database
from tests.forms.conftest import seat

pytestmark = pytest.mark.slow
TRY_AGAIN = "try again shortly"


class Proxy:
    """A TCP relay to PostgreSQL that can be cut (every connection aborted, new ones refused)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.server: asyncio.Server | None = None
        self.port = 0
        self.writers: list[asyncio.StreamWriter] = []

    async def open(self) -> None:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()
        for writer in self.writers:
            writer.transport.abort()
        self.writers.clear()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self.writers += [writer, up_writer]

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            with contextlib.suppress(Exception):
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL leg: TEST_POSTGRES_URL is not set")
async def test_postgres_unreachable_then_back(settings: Settings, clock: FixedClock) -> None:
    name, url = await _postgres_database()
    migrated = Database(url)
    await migrated.upgrade()
    await migrated.dispose()
    proxy = Proxy(5432)
    await proxy.open()
    proxied = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    db = Database(proxied)
    try:
        async with Sandbox(settings, db, clock) as box:
            alice = await seat(db, User(2101, "Alice", "en"), f"Outage Station {uuid.uuid4().hex[:4]}")
            await box.send(alice.user, "/log")
            await box.press(alice.user, "Quality training and consulting")
            assert "Step 3 of" in joined(await box.send(alice.user, "Saved before the outage"))
            await proxy.cut()
            for attempt in ("2027-01-20", "/resume", "/status"):
                assert TRY_AGAIN in joined(await box.send(alice.user, attempt)), attempt
            await proxy.open()
            assert "Step 3 of" in joined(await box.send(alice.user, "/resume")), "recovered without a restart"
            assert "Step 4 of" in joined(await box.send(alice.user, "2027-01-20"))
            async with db.session() as session:
                draft = (await session.exec(select(Draft))).one()
            assert draft.state["answers"]["title"] == "Saved before the outage"
    finally:
        await proxy.cut()
        await db.dispose()
        await _drop_postgres_database(name)


class GarbageOnce(SandboxRequest):
    """The Bot API answering one sendMessage with bytes that are not JSON."""

    armed = False

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        if self.armed and url.endswith("/sendMessage"):
            self.armed = False
            return 200, b"<html>502 Bad Gateway</html>\x00\xff"
        return await super().do_request(url, method, request_data, *args, **kwargs)


FAULTS: dict[str, Any] = {
    "timeout": NetworkFault(), "server error": ApiFault(500, "Internal Server Error"),
    "bad gateway": ApiFault(502, "Bad Gateway"), "flood": ApiFault(429, "Too Many Requests: retry after 1", 1),
}


@pytest.mark.parametrize("fault", [*FAULTS, "malformed json"])
async def test_telegram_faults_on_a_reply_lose_nothing(sandbox: Sandbox, fault: str) -> None:
    db = sandbox.services.db
    alice = await seat(db, User(2102, "Alice", "en"), "Fault Station")
    await sandbox.send(alice.user, "/log")
    await sandbox.press(alice.user, "Quality training and consulting")
    if fault == "malformed json":
        garbage = GarbageOnce(sandbox.api)
        garbage.armed = True
        sandbox.app.bot._request = (garbage, garbage)  # type: ignore[attr-defined]
    else:
        pending = [FAULTS[fault]]
        sandbox.api.fault = lambda method, params: pending.pop() if method == "sendMessage" and pending else None
    await sandbox.send(alice.user, "Answer whose reply was lost")  # the reply fails; PTB logs, the bot lives on
    if fault == "malformed json":
        assert not garbage.armed, "the garbage answer was served"
    else:
        assert not pending, "the fault was injected"
    assert "Step 4 of" in joined(await sandbox.send(alice.user, "2027-01-20")), "the next update is handled normally"
    async with db.session() as session:
        draft = (await session.exec(select(Draft))).one()
    assert draft.state["answers"]["title"] == "Answer whose reply was lost"
    assert draft.state["answers"]["start_date"] == "2027-01-20"
