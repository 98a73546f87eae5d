"""Long work off the update path: exports, charts and documents.

A handler that would hold its chat (and, on SQLite, every writer) for seconds or minutes answers
"preparing…" at once and hands the work here. The work starts only after the update's
transaction has committed, reads in a session of its own, and its reply — file included — reaches
the person through the one outbox, like every other proactive message.

Two shapes of work: ``after_commit`` for a reply to the turn's chat (the file arrives where it was
asked for), and ``after_commit_job`` / ``start`` for a job that keeps its own rows and delivers itself
(a submission's document: a pending row that a start-up sweep also picks up, sent to whoever
submitted). Both are tracked here, so tests and shutdown wait for one thing (``idle``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workbook import Progress
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
# A job that opens its own sessions and delivers on its own (documents); its failures are its own to record.
Job = Callable[[], Awaitable[None]]

FAILED = T("Sorry, preparing that failed on our side. Please try again in a few minutes.")


class Background:
    """Runs work after commit, tracks it (tests and shutdown wait for it), delivers through the outbox."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._tasks: set[asyncio.Task[None]] = set()
        self._running: set[str] = set()  # names of the jobs under way
        self._progress: dict[str, Progress] = {}  # rows written by a job under way (an export), by its name

    def progress(self, name: str) -> Progress:
        """A counter for the job ``name`` to fill while it runs; the "preparing…" page reads it."""
        return self._progress.setdefault(name, Progress())

    def progress_of(self, name: str) -> Progress | None:
        return self._progress.get(name)

    def _track(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def after_commit(self, turn: Turn, work: Work, *, name: str) -> None:
        """Start ``work`` once ``turn`` has committed; its reply goes to the turn's chat."""
        person = turn.bindings[-1].id if turn.bindings else None
        chat_id, tr = turn.chat_id, turn.tr

        async def start() -> None:
            self._track(self._run(work, name, chat_id, person, tr))

        turn.after_commit.append(start)

    def after_commit_job(self, turn: Turn, job: Job, *, name: str) -> None:
        """Start ``job`` once ``turn`` has committed (never after a rollback); see ``start``."""

        async def begin() -> None:
            self.start(job, name=name)

        turn.after_commit.append(begin)

    def start(self, job: Job, *, name: str) -> None:
        """Run ``job`` now, off the caller's path (a sweep; a web request that has already committed its row).

        A job whose ``name`` is already under way is not started twice (one render per document at a time).
        """
        if name in self._running:
            return
        self._running.add(name)

        async def run() -> None:
            try:
                await job()
            except Exception:
                log.exception("background work %s failed", name)
            finally:
                self._running.discard(name)
                self._progress.pop(name, None)

        self._track(run())

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
        async with self.services.db.transaction() as session:
            if reply.file is not None and reply.file.content is not None:
                kept = await keep_file(session, reply.file.filename, reply.file.content, now)
                reply = dataclasses.replace(reply, file=dataclasses.replace(reply.file, content=None,
                                                                            prepared_id=kept))
            # Asked for a moment ago: quiet hours do not hold it back.
            await enqueue(session, key=key, chat_id=chat_id, reply=reply, kind="prepared", person_id=person_id,
                          not_before=now, respect_quiet_hours=False)

    async def idle(self) -> None:
        """Wait until every started piece of work has delivered (tests; a clean shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
