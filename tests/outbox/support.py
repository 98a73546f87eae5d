"""Helpers for the outbox tests: a fake monotonic clock and sleep, people, a dispatcher on the emulator."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Bot

from bot.outbox import Dispatcher, DispatcherConfig
from bot.services import FixedClock
from conversations.types import Reply
from locales import T
from storage.db import Database
from storage.models import OutboxMessage, Person, Role
from storage.outbox import enqueue
from testing.sandbox import BotApiEmulator, SandboxRequest


class FakeTime:
    """Monotonic time that only moves when the dispatcher sleeps; every requested pause is kept."""

    def __init__(self, wall: FixedClock | None = None) -> None:
        self.value = 1000.0
        self.sleeps: list[float] = []
        self.wall = wall

    def monotonic(self) -> float:
        return self.value

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.value += seconds
        if self.wall is not None:
            self.wall.advance(seconds=seconds)


async def add_person(db: Database, chat_id: int, *, role: str = Role.manager.value, station_id: int | None = None,
                     language: str = "zh_Hans", name: str = "") -> Person:
    async with db.session() as session:
        person = Person(telegram_user_id=chat_id, chat_id=chat_id, role=role, station_id=station_id,
                        language=language, name=name or f"P{chat_id}")
        session.add(person)
        await session.commit()
        return person


async def put(db: Database, key: str, person: Person, when: dt.datetime, *, text: str = "Hello {name}",
              kind: str = "reminder", quiet: bool = True, **params: Any) -> None:
    async with db.session() as session:
        assert person.chat_id is not None
        await enqueue(session, key=key, chat_id=person.chat_id, person_id=person.id,
                      reply=Reply(T(text, **(params or {"name": "x"}))), kind=kind, not_before=when,
                      respect_quiet_hours=quiet)
        await session.commit()


async def rows(db: Database) -> list[OutboxMessage]:
    from sqlmodel import col, select

    async with db.session() as session:
        return list((await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all())


async def emulator_bot(api: BotApiEmulator | None = None) -> tuple[Bot, BotApiEmulator]:
    api = api or BotApiEmulator()
    bot = Bot("123456:SANDBOX", request=SandboxRequest(api), get_updates_request=SandboxRequest(api))
    await bot.initialize()
    return bot, api


def dispatcher(db: Database, bot: Bot, clock: FixedClock, time: FakeTime, holder: str = "A",
               **config: Any) -> Dispatcher:
    values: dict[str, Any] = {"rate_per_second": 30.0, "per_chat_seconds": 1.0,
                              "tz": ZoneInfo("Asia/Shanghai")}
    values.update(config)
    return Dispatcher(db, bot, DispatcherConfig(**values), clock=clock, holder=holder, sleep=time.sleep,
                      monotonic=time.monotonic)
