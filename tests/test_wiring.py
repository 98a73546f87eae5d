"""Explicit wiring: every feature area is imported by the builder (a missing one stops the bot loudly) and
the scheduled jobs are installed by the builder itself, whatever features are selected."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.app import FEATURES
from bot.routing import Router
from bot.services import FixedClock, Services
from bot.settings import Settings
from storage.db import Database
from testing.client import Sandbox

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
