"""Telling staff that someone blocked the bot, so reminders to them cannot arrive."""

from __future__ import annotations

import datetime as dt

from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.types import Reply
from locales import Raw, T
from storage.outbox import enqueue
from storage.outbox_dispatch import person_of_chat
from storage.recipients import active_staff


async def alert_staff_unreachable(session: AsyncSession, chat_id: int, now: dt.datetime) -> int:
    """One alert per blocked person per day to each staff member (broadcasts report it instead)."""
    blocked = await person_of_chat(session, chat_id)
    name = blocked.name if blocked is not None else ""
    person_ref = blocked.id if blocked is not None else f"chat{chat_id}"
    text = T("{name} has blocked the bot, so messages to them (such as reminders) cannot be delivered. "
             "Please contact them another way and ask them to restart the bot.", name=Raw(name or "?"))
    added = 0
    for member in await active_staff(session):
        assert member.chat_id is not None
        added += await enqueue(session, key=f"unreachable:{now.date().isoformat()}:person-{person_ref}:staff-{member.id}",
                               chat_id=member.chat_id, person_id=member.id, reply=Reply(text), kind="staff_alert",
                               not_before=now, respect_quiet_hours=True)
    return added
