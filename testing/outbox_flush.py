"""Deliver the outbox rows waiting for one chat right away (tests and the demo; no pacing)."""

from __future__ import annotations

from bot.outbox import with_prepared_bytes
from bot.render import send_reply
from conversations.serialize import reply_from_json
from locales import translator
from storage.models import OutboxStatus, Person
from storage.outbox_dispatch import pending_for_chat
from testing.client import Sandbox, User
from testing.sandbox import Call


async def render_pending(box: Sandbox, chat_id: int) -> list[Call]:
    """Send every pending row for ``chat_id`` in the recipient's language and mark it sent."""
    await box.services.background.idle()  # files still being made off the update path
    before = len(box.api.calls)
    async with box.services.db.session() as session:
        for row in await pending_for_chat(session, chat_id):
            person = await session.get(Person, row.person_id) if row.person_id else None
            tr = translator(person.language if person else None)
            reply = await with_prepared_bytes(box.services.db, reply_from_json(row.payload["reply"]))
            message_id = await send_reply(box.app.bot, chat_id, reply, tr)
            row.status = OutboxStatus.sent
            row.telegram_message_id = message_id
            session.add(row)
        await session.commit()
    return box.api.calls[before:]


async def send_and_deliver(box: Sandbox, user: User, text: str) -> list[Call]:
    """Type ``text``, then deliver what it queued for that chat (files made off the update path)."""
    calls = await box.send(user, text)
    return calls + await render_pending(box, user.id)


async def press_and_deliver(box: Sandbox, user: User, label: str) -> list[Call]:
    calls = await box.press(user, label)
    return calls + await render_pending(box, user.id)
