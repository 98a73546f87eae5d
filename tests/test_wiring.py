"""Explicit wiring: every feature area is imported by the builder (a missing one stops the bot loudly) and
the scheduled jobs are installed by the builder itself, whatever features are selected."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from bot.app import FEATURES
from bot.routing import Router, Turn
from bot.services import FixedClock, Services
from bot.settings import Settings
from conversations.formspec import form_ids
from conversations.types import Reply
from storage.broadcasts import FORM_ID as BROADCAST_FORM
from storage.db import Database
from storage.models import Draft, Person, Role
from testing.client import Sandbox, joined
from tests.conftest import STAFF

ROOT = Path(__file__).resolve().parent.parent


def test_a_feature_that_fails_to_import_stops_the_bot() -> None:
    """Before, a broadcasts module that failed to import was skipped: no proactive message, no error."""
    code = "import sys; sys.modules['bot.handlers.broadcasts'] = None; import bot.app"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "bot.handlers.broadcasts" in result.stderr, result.stderr[-2000:]


async def test_every_feature_is_routed_by_default(sandbox: Sandbox) -> None:
    router: Router = sandbox.app.bot_data["router"]
    for extend in FEATURES:
        alone = Router()
        extend(alone, Services(settings=sandbox.services.settings, db=sandbox.services.db,
                               clock=sandbox.services.clock))
        assert alone.commands or alone.buttons, extend.__module__
        assert set(alone.commands) <= set(router.commands) and set(alone.buttons) <= set(router.buttons)


def _no_features(router: Router, services: Services) -> None:
    return None


async def test_jobs_are_installed_by_the_builder(settings: Settings, db: Database, clock: FixedClock) -> None:
    """Even with no feature area at all (broadcasts used to install them), the jobs are there."""
    async with Sandbox(settings, db, clock, extensions=[_no_features]) as box:
        assert box.app.job_queue is not None
        names = {job.name for job in box.app.job_queue.jobs()}
    assert {"outbox-dispatcher", "reminders-daily", "staff-digest", "rating-reminders", "notice-endings",
            "rectification-reminders", "documents-sweep"} <= names


async def test_every_form_file_has_exactly_one_owning_conversation(sandbox: Sandbox) -> None:
    """Typed text goes to the conversation that owns the open draft (one lookup, not a chain of handlers)."""
    router: Router = sandbox.app.bot_data["router"]
    assert set(form_ids()) <= set(router.draft_owners), sorted(set(form_ids()) - set(router.draft_owners))
    assert {"review_comment", "rating", "manual_score", "objection_answer"} <= set(router.draft_owners)


def test_two_conversations_cannot_own_the_same_drafts() -> None:
    router = Router()

    async def one(turn: Turn) -> list[Reply] | None:
        return None

    router.own_drafts(["activity"], one)
    with pytest.raises(ValueError, match="activity"):
        router.own_drafts(["activity"], one)


async def test_text_reaches_the_open_review_comment_even_while_a_broadcast_is_composed(sandbox: Sandbox) -> None:
    """The open draft decides: a staff member composing a broadcast who starts a review comment types into it."""
    await sandbox.send(STAFF, "/start")
    await sandbox.send(STAFF, "/broadcast")
    async with sandbox.services.db.session() as session:
        staff = (await session.exec(select(Person).where(Person.role == Role.staff.value))).one()
        session.add(Draft(person_id=staff.id, form_id="review_comment", subject_key="", status="active",
                          state={"submission_id": 999999}))
        await session.commit()
    reply = joined(await sandbox.send(STAFF, "Please add the attendance sheet."))
    assert "broadcast" not in reply.lower() and "群发" not in reply, reply
    async with sandbox.services.db.session() as session:
        kept = (await session.exec(select(Draft).where(Draft.form_id == BROADCAST_FORM))).all()
    assert kept and all(not (d.state or {}).get("text") for d in kept), "the broadcast did not take the text"
