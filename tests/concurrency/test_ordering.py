"""One concurrency model: chats run in parallel, one chat strictly in order, drafts guarded.

Updates go through the running Application's queue and its update processor (as polling and the
webhook deliver them), not through ``process_update`` directly.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlmodel import func, select
from telegram.request import RequestData

from bot.routing import Router, Turn
from bot.services import FixedClock, Services
from bot.settings import Settings
from conversations.types import Reply, TextInput
from locales import Raw
from storage.db import Database
from storage.models import Draft, Submission
from testing.client import Sandbox, User
from testing.sandbox import SandboxRequest
from tests.forms.conftest import Seat

SLOW = User(3101, "Slow", "en")
QUICK = User(3102, "Quick", "en")


def gated_request(gate: asyncio.Event, quick_answered: asyncio.Event) -> type[SandboxRequest]:
    """Telegram answers the slow chat only once the test opens ``gate`` (a slow network to that chat)."""

    class GatedRequest(SandboxRequest):
        async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                             *args: Any, **kwargs: Any) -> tuple[int, bytes]:
            chat = request_data.parameters.get("chat_id") if request_data is not None else None
            sending = url.endswith("/sendMessage")
            if sending and chat == SLOW.id:
                await gate.wait()
            answer = await super().do_request(url, method, request_data, *args, **kwargs)
            if sending and chat == QUICK.id:
                quick_answered.set()
            return answer

    return GatedRequest


def recording_extension(seen: dict[int, list[str]]):  # type: ignore[no-untyped-def]
    """A free-text route that records each text per chat and echoes it."""

    def extend(router: Router, services: Services) -> None:
        async def record(turn: Turn) -> list[Reply] | None:
            assert isinstance(turn.input, TextInput)
            seen.setdefault(turn.chat_id, []).append(turn.input.text)
            return [Reply(Raw(turn.input.text))]

        router.take_without_form(record)

    return extend


async def test_one_chat_in_order_while_another_chat_is_answered(
        settings: Settings, db: Database, clock: FixedClock) -> None:
    seen: dict[int, list[str]] = {}
    gate, quick_answered = asyncio.Event(), asyncio.Event()
    box = Sandbox(settings, db, clock, extensions=[recording_extension(seen)],
                  request_class=gated_request(gate, quick_answered))
    box.services.background_jobs = False
    async with box:
        await _bind(db, SLOW, QUICK)  # strangers are turned away before free text
        for n in range(20):
            await box.enqueue(box.text_update(SLOW, f"slow {n}"))
        await box.enqueue(box.text_update(QUICK, "quick"))
        # The quick chat is answered while the slow chat's first reply is still on its way:
        # the slow chat's other 19 messages wait for their turn, none overtakes another.
        await asyncio.wait_for(quick_answered.wait(), timeout=60)
        assert seen[QUICK.id] == ["quick"]
        assert seen[SLOW.id] == ["slow 0"]
        gate.set()
        await asyncio.wait_for(box.settle(), timeout=120)
    assert seen[SLOW.id] == [f"slow {n}" for n in range(20)]
    replies = [c.text for c in box.api.calls_to(SLOW.id, "sendMessage")]
    assert replies == [f"slow {n}" for n in range(20)]


async def _bind(db: Database, *users: User) -> None:
    from storage.models import Person, Role, Station

    async with db.session() as session:
        station = Station(name="Ordering station", policy_profile="gd-quality")
        session.add(station)
        await session.flush()
        for user in users:
            session.add(Person(telegram_user_id=user.id, chat_id=user.id, name=user.first_name,
                               role=Role.manager, station_id=station.id, language="en"))
        await session.commit()


async def _draft_at_summary(box: Sandbox, who: Seat) -> tuple[dict, str]:
    """A change report filled to its summary; returns the Submit button's message and data."""
    await box.send(who.user, "/report")
    await box.press(who.user, "Manager change")
    await box.send(who.user, "2026-09-29")
    await box.send(who.user, "Zhang San")
    await box.send(who.user, "Technology department, deputy director")
    await box.send(who.user, "13912345678")
    await box.press(who.user, "Skip")
    await box.send(who.user, "The previous manager retired.")
    await box.press(who.user, "Skip")
    return box.find_button(who.user, "Submit")


async def _count(db: Database, model: type) -> int:
    async with db.session() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def test_double_tap_on_submit_through_the_queue_gives_one_submission(
        sandbox: Sandbox, alice: Seat) -> None:
    """Polling and webhook: two taps of one chat queue behind each other; the second finds it moved on."""
    message, data = await _draft_at_summary(sandbox, alice)
    before = len(sandbox.api.calls)
    await sandbox.enqueue(sandbox.button_update(alice.user, data, message))
    await sandbox.enqueue(sandbox.button_update(alice.user, data, message))
    await sandbox.settle()
    assert await _count(sandbox.services.db, Submission) == 1
    assert await _count(sandbox.services.db, Draft) == 0
    answers = [c for c in sandbox.api.calls[before:] if c.method == "answerCallbackQuery"]
    assert len(answers) == 2


async def test_double_tap_on_submit_in_two_workers_at_once_gives_one_submission(
        sandbox: Sandbox, settings: Settings, clock: FixedClock, alice: Seat) -> None:
    """Two processes on one database (webhook behind a load balancer): the guarded write lets one win."""
    message, data = await _draft_at_summary(sandbox, alice)
    second_process_db = Database(sandbox.services.db.url)  # its own engine, pool and locks
    other = Sandbox(settings, second_process_db, clock)
    other.services.background_jobs = False
    async with other:
        first = sandbox.button_update(alice.user, data, message)
        second = other.button_update(alice.user, data, message)
        from telegram import Update

        await asyncio.gather(
            sandbox.app.process_update(Update.de_json({"update_id": 7_000_001, **first}, sandbox.app.bot)),
            other.app.process_update(Update.de_json({"update_id": 7_000_002, **second}, other.app.bot)),
        )
    assert await _count(sandbox.services.db, Submission) == 1
    assert await _count(sandbox.services.db, Draft) == 0
    await second_process_db.dispose()


async def test_webhook_answers_telegram_before_a_slow_update_is_handled(
        settings: Settings, db: Database, clock: FixedClock) -> None:
    """A slow update (here: a slow network to the chat) never holds the webhook's answer, so Telegram never resends."""
    import httpx

    from bot.webapp.app import create_web_app
    from tests.webapp.conftest import SECRET

    seen: dict[int, list[str]] = {}
    gate, quick_answered = asyncio.Event(), asyncio.Event()
    web = settings.model_copy(update={"telegram_webhook_secret": SECRET,
                                      "telegram_webhook_url": "https://bot.example.org/telegram/hook"})
    box = Sandbox(web, db, clock, extensions=[recording_extension(seen)],
                  request_class=gated_request(gate, quick_answered))
    box.services.background_jobs = False
    async with box:
        await _bind(db, SLOW)
        app = create_web_app(box.app, box.services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as client:
            body = {"update_id": 8_000_001, **box.text_update(SLOW, "slow but answered")}
            response = await asyncio.wait_for(
                client.post("/telegram/hook", json=body, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}),
                timeout=60)
        assert response.status_code == 200
        assert box.api.calls_to(SLOW.id, "sendMessage") == []  # still on its way when Telegram got its 200
        gate.set()
        await asyncio.wait_for(box.settle(), timeout=60)
    assert [c.text for c in box.api.calls_to(SLOW.id, "sendMessage")] == ["slow but answered"]
