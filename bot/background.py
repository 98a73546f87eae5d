"""Long work off the update path: exports, charts and documents.

A handler that would hold its chat (and, on SQLite, every writer) for seconds or minutes answers
"preparing…" at once and hands the work here. The work starts only after the update's
transaction has committed, reads in a session of its own, and its reply — file included — reaches
the person through the one outbox, like every other proactive message.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.types import Reply
from locales import T, Translator
from storage.outbox import enqueue
from storage.prepared_files import keep_file

if TYPE_CHECKING:
    from bot.routing import Turn
    from bot.services import Services

log = logging.getLogger(__name__)

# What the work does with its own read session; the Reply may carry file bytes.
Work = Callable[[AsyncSession, Translator], Awaitable[Reply]]

FAILED = T("Sorry, preparing that failed on our side. Please try again in a few minutes.")


class Background:
    """Runs work after commit, tracks it (tests and shutdown wait for it), delivers through the outbox."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._tasks: set[asyncio.Task[None]] = set()

    def after_commit(self, turn: Turn, work: Work, *, name: str) -> None:
        """Start ``work`` once ``turn`` has committed; its reply goes to the turn's chat."""
        person = turn.bindings[-1].id if turn.bindings else None
        chat_id, tr = turn.chat_id, turn.tr

        async def start() -> None:
            task = asyncio.create_task(self._run(work, name, chat_id, person, tr))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        turn.after_commit.append(start)

    def start(self, job: Callable[[], Awaitable[None]], *, name: str) -> None:
        """Run ``job`` now, tracked like the rest; for a web request that has already committed its row."""

        async def guarded() -> None:
            try:
                await job()
            except Exception:
                log.exception("background work %s failed", name)

        task = asyncio.create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, work: Work, name: str, chat_id: int, person_id: int | None, tr: Translator) -> None:
        key = f"prepared:{name}:{uuid.uuid4().hex}"
        try:
            async with self.services.db.session() as session:
                reply = await work(session, tr)
            await self._deliver(key, chat_id, person_id, reply)
        except Exception:
            log.exception("background work %s failed", name)
            await self._deliver(f"{key}:failed", chat_id, person_id, Reply(FAILED))

    async def _deliver(self, key: str, chat_id: int, person_id: int | None, reply: Reply) -> None:
        now = self.services.now()
        async with self.services.db.serial(), self.services.db.session() as session:
            if reply.file is not None and reply.file.content is not None:
                kept = await keep_file(session, reply.file.filename, reply.file.content, now)
                reply = dataclasses.replace(reply, file=dataclasses.replace(reply.file, content=None,
                                                                            prepared_id=kept))
            # Asked for a moment ago: quiet hours do not hold it back.
            await enqueue(session, key=key, chat_id=chat_id, reply=reply, kind="prepared", person_id=person_id,
                          not_before=now, respect_quiet_hours=False)
            await session.commit()

    async def idle(self) -> None:
        """Wait until every started piece of work has delivered (tests; a clean shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
