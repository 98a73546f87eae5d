"""One upload per prepared file: later recipients get Telegram's ``file_id``, not the bytes again.

A broadcast with a document queues one outbox row per recipient, all naming one ``prepared_file``.
Sending its bytes to each of hundreds of managers uploads the same megabytes hundreds of times (and
reads them from the database as often). The Bot API answers a sent document with its ``file_id``;
``sendDocument`` with ``document`` set to that string sends the same file without uploading it.

The first send of a file is made by one task at a time (a lock per file), so sends running side by
side wait for its id instead of all uploading. Kept in memory only: after a restart the next send
uploads once more. A ``file_id`` Telegram no longer accepts (BadRequest) is forgotten and the bytes
are sent instead.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging

from telegram import Bot
from telegram.error import BadRequest

from bot.render import send_file, send_reply, sent_file_id
from conversations.types import Reply
from locales import Translator
from storage.db import Database
from storage.prepared_files import prepared_content, prepared_stamp

log = logging.getLogger(__name__)

REMEMBERED = 1000  # prepared files whose id is kept; past it the memory starts again (a re-upload, no harm)


async def with_prepared_bytes(db: Database, reply: Reply) -> Reply:
    """A file made off the update path travels as an id; fetch its bytes just before sending."""
    if reply.file is None or reply.file.prepared_id is None:
        return reply
    async with db.session() as session:
        content = await prepared_content(session, reply.file.prepared_id)
    if content is None:
        raise LookupError(f"prepared file {reply.file.prepared_id} is gone")
    return dataclasses.replace(reply, file=dataclasses.replace(reply.file, content=content, prepared_id=None))


class SentFiles:
    """Telegram file ids of the prepared files this process has sent, by ``prepared_file`` id and time kept
    (an id alone may name a new file once the old one is pruned)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.file_ids: dict[tuple[int, dt.datetime], str] = {}
        self._first_send: dict[tuple[int, dt.datetime], asyncio.Lock] = {}

    async def send(self, bot: Bot, chat_id: int, reply: Reply, tr: Translator) -> int | None:
        """Send ``reply``; a prepared file's bytes go once, its ``file_id`` every later time."""
        file = reply.file
        if file is None or file.prepared_id is None:
            return await send_reply(bot, chat_id, reply, tr)
        async with self.db.session() as session:
            stamp = await prepared_stamp(session, file.prepared_id)
        if stamp is None:
            raise LookupError(f"prepared file {file.prepared_id} is gone")
        key = (file.prepared_id, stamp)
        if key not in self.file_ids:
            async with self._first_send.setdefault(key, asyncio.Lock()):
                if key not in self.file_ids:  # no send of this file has succeeded yet: upload it
                    message = await send_file(bot, chat_id, await with_prepared_bytes(self.db, reply), tr)
                    self._remember(key, sent_file_id(message))
                    return message.message_id
        again = dataclasses.replace(reply, file=dataclasses.replace(file, file_id=self.file_ids[key], prepared_id=None))
        try:
            return await send_reply(bot, chat_id, again, tr)
        except BadRequest as exc:
            log.warning("outbox: Telegram refused the kept file id of prepared file %s (%s); sending the bytes",
                        file.prepared_id, exc.message)
            self.file_ids.pop(key, None)
            return await send_reply(bot, chat_id, await with_prepared_bytes(self.db, reply), tr)

    def _remember(self, key: tuple[int, dt.datetime], file_id: str | None) -> None:
        if file_id is None:
            return
        if len(self.file_ids) >= REMEMBERED:
            self.file_ids.clear()
            self._first_send = {k: lock for k, lock in self._first_send.items() if lock.locked()}
        self.file_ids[key] = file_id
        self._first_send.pop(key, None)
