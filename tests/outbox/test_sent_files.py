"""The outbox uploads a prepared file once and sends Telegram's ``file_id`` after that (``bot.outbox_files``),
but never the id of another file: a pruned file's id may be given to a new file (SQLite reuses the highest
rowid), so an id is remembered together with the time its file was kept.
"""

from __future__ import annotations

from bot.services import FixedClock
from conversations.types import OutgoingFile, Reply
from locales import Raw
from storage.outbox import enqueue
from storage.prepared_files import keep_file, prune_prepared_files
from testing.client import Sandbox
from tests.outbox.support import FakeTime, add_person, dispatcher

OLD = b"%PDF-1.4 last week's notice " + bytes(range(256)) * 8
NEW = b"%PDF-1.4 this week's notice " + bytes(range(255, -1, -1)) * 8


async def queue_file(sandbox: Sandbox, clock: FixedClock, content: bytes, chats: list[int], tag: str) -> int:
    """One kept file, one outbox row per chat naming it (as a console broadcast's document does)."""
    async with sandbox.services.db.session() as session:
        kept = await keep_file(session, "notice.pdf", content, clock())
        for chat in chats:
            await enqueue(session, key=f"{tag}:{chat}", chat_id=chat, kind="broadcast", not_before=clock(),
                          reply=Reply(Raw(tag), file=OutgoingFile("notice.pdf", prepared_id=kept)),
                          respect_quiet_hours=False)
        await session.commit()
    return kept


def uploads(sandbox: Sandbox) -> list[bytes]:
    return [c.files["document"] for c in sandbox.api.calls if c.method == "sendDocument" and "document" in c.files]


async def test_a_new_file_under_a_pruned_files_id_is_uploaded_not_sent_by_the_old_files_id(
        sandbox: Sandbox, clock: FixedClock) -> None:
    db = sandbox.services.db
    for chat in (8101, 8102):
        await add_person(db, chat)
    time = FakeTime(clock)
    send = dispatcher(db, sandbox.app.bot, clock, time)
    old = await queue_file(sandbox, clock, OLD, [8101, 8102], "old")
    assert (await send.run_once()).sent == 2
    assert uploads(sandbox) == [OLD], "the old file went up once"

    clock.advance(days=8)
    async with db.session() as session:
        assert await prune_prepared_files(session, clock()) == 1
        await session.commit()
    new = await queue_file(sandbox, clock, NEW, [8101, 8102], "new")
    if db.is_sqlite:
        assert new == old, "SQLite gave the pruned file's id to the new file"
    time.value += 5  # past the per-chat spacing
    clock.advance(seconds=5)
    assert (await send.run_once()).sent == 2
    assert uploads(sandbox) == [OLD, NEW], "the new file went up once, not as the old file's id"
    documents = [c.params.get("document") for c in sandbox.api.calls if c.method == "sendDocument"]
    assert len(documents) == 4 and len({d for d in documents if isinstance(d, str)}) == 2, documents
