"""Hypothesis drives the real Application with random people: texts, buttons (current, stale, forged),
commands and files. Whatever they do, the bot answers every update, never fails inside (no
"try again" reply, no error logged), never shows them another station's data, and every draft
row stays loadable by ``DraftState.from_json``.

The sandbox lives for the whole test (migrating a database per example would dominate); each
example is a new manager of station A, so examples do not share a conversation.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.services import FixedClock
from bot.settings import Settings
from conversations.engine import DraftState
from storage.db import Database
from storage.models import (
    DemandUnit,
    Draft,
    Person,
    Role,
    Station,
    Submission,
    SubmissionStatus,
    SubmissionVersion,
)
from testing.client import Sandbox, User
from tests.conftest import POSTGRES_URL, SHANGHAI, STAFF

ALPHA = "Alpha Porcelain Station"
BRAVO = "Bravo Hidden Loom Station"
BRAVO_SECRETS = (BRAVO, "Bravo Loom Works", "Bravo budget secret")
ENGINE_FORMS = {"change_report", "annual_plan", "annual_summary", "activity"}
TRY_AGAIN = ("try again shortly", "请稍后再试")

TEXTS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["2027-01-20", "２０２７-０１-２０", "１２３", "13800138000", "0", "-1", "99999999999999999999",
                     "昨天", "today", "🎉🚀👩‍🔬", "x" * 10_000, "1e309", "NaN", " ", "\u202e\u0000", "/", "//skip"]),
    st.text(alphabet=st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), min_size=1, max_size=30),
)
COMMANDS = st.sampled_from(["/log", "/report", "/plan", "/summary", "/resume", "/back", "/skip", "/cancel",
                            "/status", "/menu", "/help", "/start", "/invite manager 1", "/pending", "/language",
                            "/nonsense", "/log@stationbot_sandbox_bot extra args"])
FORGED = st.one_of(st.sampled_from(["f:999:0:c:1", "rv:a:1:1", "fs:d:1:report", "rv:o:1", "fs:c:1", "f:1:0:c:1",
                                    "f:1:99:submit", "m:invite", "m:", "lang:xx", "bc:send:1", "inv:staff", ":",
                                    "f:-1:-1", "f:1:0:e:../../", ""]),
                   st.text(max_size=64))
ACTIONS = st.lists(st.one_of(
    st.tuples(st.just("text"), TEXTS),
    st.tuples(st.just("press"), st.integers(0, 30)),
    st.tuples(st.just("stale"), st.integers(0, 1000)),
    st.tuples(st.just("forged"), FORGED),
    st.tuples(st.just("command"), COMMANDS),
    st.tuples(st.just("file"), st.tuples(st.sampled_from(["a.pdf", "照片.jpg", "x" * 300, ".exe"]),
                                         st.integers(0, 60 * 2**20))),
), min_size=1, max_size=14)


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class World:
    """One running bot, two stations; station B's data is what must never leak."""

    ids = itertools.count(5000)

    def __init__(self, url: str) -> None:
        self.url = url
        self.runner = asyncio.Runner()
        self.box: Sandbox | None = None
        self.station_a = 0
        self.bravo_forged: list[str] = []

    async def start(self) -> None:
        db = Database(self.url)
        await db.upgrade()
        settings = Settings(_env_file=None, telegram_bot_token="123456:SANDBOX", staff_telegram_ids=[STAFF.id],
                            database_url=self.url)
        self.box = await Sandbox(settings, db, FixedClock(dt.datetime(2027, 2, 1, 10, tzinfo=SHANGHAI))).start()
        async with db.session() as session:
            a = Station(name=ALPHA, policy_profile="gd-quality", founded_on=dt.date(2025, 6, 1))
            b = Station(name=BRAVO, policy_profile="gd-quality", founded_on=dt.date(2025, 6, 1))
            session.add_all([a, b])
            await session.flush()
            bob = Person(telegram_user_id=4999, chat_id=4999, name="Bob", role=Role.manager, station_id=b.id)
            session.add_all([bob, DemandUnit(name="Bravo Loom Works", created_by_station_id=b.id)])
            await session.flush()
            draft = Draft(person_id=bob.id, form_id="activity", station_id=b.id, rev=1,  # type: ignore[arg-type]
                          state={"form_id": "activity", "form_version": 1, "draft_id": 0, "rev": 1, "step": "title",
                                 "answers": {"title": "Bravo budget secret"}})
            sub = Submission(station_id=b.id, kind="plan", year=2027,  # type: ignore[arg-type]
                             status=SubmissionStatus.returned)
            session.add_all([draft, sub])
            await session.flush()
            session.add(SubmissionVersion(submission_id=sub.id, version=1, submitted_by_person_id=bob.id,  # type: ignore[arg-type]
                                          answers={"year": 2027, "goals": "Bravo budget secret"}))
            await session.commit()
            self.station_a = a.id  # type: ignore[assignment]
            self.bravo_forged = [f"f:{draft.id}:1:c:1", f"fs:c:{draft.id}", f"fs:d:{draft.id}:log",
                                 f"rv:o:{sub.id}", f"rv:s:{sub.id}", f"rv:a:{sub.id}:1"]

    async def new_manager(self, language: str) -> User:
        assert self.box is not None
        user = User(next(self.ids), "Fuzz", language)
        async with self.box.services.db.session() as session:
            session.add(Person(telegram_user_id=user.id, chat_id=user.id, name="Fuzz", role=Role.manager,
                               station_id=self.station_a, language="en" if language == "en" else "zh_Hans"))
            await session.commit()
        return user

    async def play(self, user: User, actions: list[tuple[str, Any]]) -> None:
        box = self.box
        assert box is not None
        for kind, value in actions:
            if kind == "text":
                calls = await box.send(user, value)
            elif kind == "command":
                calls = await box.send(user, value)
            elif kind == "file":
                calls = await box.send_document(user, value[0], size=value[1])
            elif kind == "forged":
                calls = await box.press_data(user, value)
            else:
                mine = sorted((m for (chat, _), m in box.api.messages.items() if chat == user.id),
                              key=lambda m: m["message_id"])
                message = mine[-1] if kind == "press" and mine else (mine[value % len(mine)] if mine else None)
                buttons = [b["callback_data"] for row in ((message or {}).get("reply_markup") or {})
                           .get("inline_keyboard", []) for b in row if "callback_data" in b]
                data = buttons[value % len(buttons)] if buttons else self.bravo_forged[value % len(self.bravo_forged)]
                calls = await box.press_data(user, data, message)
            assert calls, f"no answer to {kind} {str(value)[:40]!r}"
        for data in self.bravo_forged:
            assert await box.press_data(user, data)
        seen = "\n".join(c.text + str(c.params.get("reply_markup") or "") + str(c.params.get("text") or "")
                         for c in box.api.calls if c.chat_id == user.id or c.params.get("chat_id") == user.id)
        for secret in BRAVO_SECRETS:
            assert secret not in seen, f"station B's {secret!r} was shown to a manager of station A"
        assert not any(marker in seen for marker in TRY_AGAIN), "an update failed inside the door"
        async with box.services.db.session() as session:
            person_ids = [p.id for p in (await session.exec(
                select(Person).where(Person.telegram_user_id == user.id))).all()]
            for draft in (await session.exec(select(Draft).where(Draft.person_id.in_(person_ids)))).all():  # type: ignore[union-attr]
                if draft.form_id in ENGINE_FORMS and draft.state:
                    DraftState.from_json(draft.state)


@pytest.fixture(params=["sqlite", "postgres"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    if request.param == "postgres":
        if not POSTGRES_URL:
            pytest.skip("PostgreSQL leg skipped: TEST_POSTGRES_URL is not set")
        from tests.conftest import _drop_postgres_database, _postgres_database

        runner = asyncio.Runner()
        name, url = runner.run(_postgres_database())
    else:
        name, url = "", f"sqlite+aiosqlite:///{tmp_path / f'fuzz-{uuid.uuid4().hex[:6]}.db'}"
    w = World(url)
    w.runner.run(w.start())
    yield w
    assert w.box is not None
    w.runner.run(w.box.stop())
    w.runner.run(w.box.services.db.dispose())
    w.runner.close()
    if name:
        runner.run(_drop_postgres_database(name))
        runner.close()


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(actions=ACTIONS, language=st.sampled_from(["en", "zh-hans"]))
def test_random_people_never_break_the_bot(world: World, actions: list[tuple[str, Any]], language: str) -> None:
    errors = Errors()
    logging.getLogger().addHandler(errors)
    try:
        user = world.runner.run(world.new_manager(language))
        world.runner.run(world.play(user, actions))
    finally:
        logging.getLogger().removeHandler(errors)
    assert [r.getMessage() for r in errors.records] == []
