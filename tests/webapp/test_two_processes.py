"""Two webhook processes on one database: the same update posted to both is handled exactly once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import select

from storage.db import Database
from storage.models import ProcessedUpdate
from testing.client import Sandbox
from tests.conftest import STAFF
from tests.webapp.conftest import SECRET
from tests.webapp.test_webhook import help_update

ROOT = Path(__file__).resolve().parents[2]


def _start(database_url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "TELEGRAM_BOT_TOKEN": "123456:SANDBOX",
           "STAFF_TELEGRAM_IDS": str(STAFF.id), "TELEGRAM_WEBHOOK_SECRET": SECRET,
           "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/telegram/hook", "LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "-m", "tests.webapp.serve_sandbox"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


@pytest.fixture
def two_servers(db: Database) -> Iterator[list[str]]:
    url = db.url
    processes = [_start(url), _start(url)]
    try:
        bases = []
        for process in processes:
            assert process.stdout is not None
            line = process.stdout.readline().strip()
            assert line.isdigit(), "the webhook process did not start"
            bases.append(f"http://127.0.0.1:{line}")
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


@pytest.mark.slow
async def test_same_update_to_two_processes_is_processed_once(two_servers: list[str], db: Database) -> None:
    update = help_update(990001)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with httpx.AsyncClient(timeout=60) as client:
        responses = await asyncio.gather(*(client.post(f"{base}/telegram/hook", json=update, headers=headers)
                                           for base in two_servers))
        assert [r.status_code for r in responses] == [200, 200]
        for base in two_servers:  # both answered at once; wait until both have handled what they took
            await client.get(f"{base}/_sandbox/settle")
        sent = [(await client.get(f"{base}/_sandbox/sent")).json()["send_message"] for base in two_servers]
    assert sorted(sent)[0] == 0 and sorted(sent)[1] >= 1  # exactly one process answered
    async with db.session() as session:
        count = (await session.exec(select(func.count()).select_from(ProcessedUpdate)
                                    .where(ProcessedUpdate.update_id == 990001))).one()
    assert count == 1


def manager_text(update_id: int, user_id: int, text: str) -> dict:  # type: ignore[type-arg]
    entities = [{"type": "bot_command", "offset": 0, "length": len(text)}] if text.startswith("/") else []
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 1800000000, "text": text, "entities": entities,
        "chat": {"id": user_id, "type": "private", "first_name": "Li"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Li", "language_code": "en"}}}


@pytest.mark.slow
async def test_a_draft_written_by_one_process_is_continued_by_the_other(two_servers: list[str], db: Database) -> None:
    from storage.models import Draft
    from testing.client import User
    from tests.forms.conftest import seat

    manager = await seat(db, User(990100, "Li", "en"), "Two-process Station")
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    steps = [(two_servers[0], "/log"), (two_servers[1], "Quality training and consulting"),
             (two_servers[0], "Written by A, then B"), (two_servers[1], "2026-11-20")]
    async with httpx.AsyncClient(timeout=60) as client:
        for n, (base, text) in enumerate(steps):
            response = await client.post(f"{base}/telegram/hook", json=manager_text(991000 + n, manager.user.id, text),
                                         headers=headers)
            assert response.status_code == 200
            await client.get(f"{base}/_sandbox/settle")  # the next step goes to the other process after this one
        last_b = (await client.get(f"{two_servers[1]}/_sandbox/texts")).json()[-1]
    assert "Step 4 of" in last_b, last_b
    async with db.session() as session:
        draft = (await session.exec(select(Draft).where(Draft.person_id == manager.person.id))).one()
    assert draft.state["answers"]["title"] == "Written by A, then B"
    assert draft.state["answers"]["start_date"] == "2026-11-20"
    assert draft.state["answers"]["activity_type"] == "training"


def callback_update(update_id: int, user: dict, data: str, message: dict) -> dict:  # type: ignore[type-arg]
    return {"update_id": update_id, "callback_query": {"id": str(update_id), "from": user, "chat_instance": "two",
                                                       "data": data, "message": message}}


@pytest.mark.slow
async def test_double_tap_on_submit_reaching_two_processes_at_once_gives_one_submission(
        two_servers: list[str], sandbox: Sandbox, db: Database) -> None:
    """Two taps on Submit, each delivered by Telegram to a different webhook process at the same instant.

    The processes share nothing but the database: the draft's guarded write (``UPDATE … WHERE id AND
    rev``) lets exactly one of them submit; the other answers that the form has moved on.
    """
    from storage.models import Draft, Submission
    from testing.client import User
    from tests.concurrency.test_ordering import _draft_at_summary
    from tests.forms.conftest import seat

    manager = await seat(db, User(990200, "Wang", "en"), "Double-tap Station")
    message, data = await _draft_at_summary(sandbox, manager)
    user = manager.user.as_dict()
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with httpx.AsyncClient(timeout=60) as client:
        responses = await asyncio.gather(*(
            client.post(f"{base}/telegram/hook", json=callback_update(992000 + n, user, data, message), headers=headers)
            for n, base in enumerate(two_servers)))
        assert [r.status_code for r in responses] == [200, 200]
        for base in two_servers:
            await client.get(f"{base}/_sandbox/settle")
    async with db.session() as session:
        submissions = (await session.exec(select(func.count()).select_from(Submission))).one()
        drafts = (await session.exec(select(func.count()).select_from(Draft))).one()
    assert submissions == 1
    assert drafts == 0
