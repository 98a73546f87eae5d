"""Who is who: Telegram users bound to roles, stations and demand units."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Invite, Person, Role


async def bindings_for(session: AsyncSession, telegram_user_id: int) -> list[Person]:
    """Every active role binding of one Telegram user (a person can be staff and a contact)."""
    result = await session.exec(
        select(Person)
        .where(Person.telegram_user_id == telegram_user_id, col(Person.active).is_(True))
        .order_by(col(Person.id))
    )
    return list(result.all())


async def ensure_staff(
    session: AsyncSession, *, telegram_user_id: int, chat_id: int, name: str, language: str
) -> Person:
    """Bootstrap staff from STAFF_TELEGRAM_IDS on their first message."""
    existing = (
        await session.exec(
            select(Person).where(Person.telegram_user_id == telegram_user_id, Person.role == Role.staff)
        )
    ).first()
    if existing is not None:
        if not existing.active:
            existing.active = True
            session.add(existing)
        return existing
    person = Person(telegram_user_id=telegram_user_id, chat_id=chat_id, name=name, language=language,
                    role=Role.staff)
    session.add(person)
    await session.flush()
    return person


async def bind_invite(
    session: AsyncSession, invite: Invite, *, telegram_user_id: int, chat_id: int, name: str, language: str
) -> Person:
    """Attach a user to the role an invite grants; opening a second invite for the same seat reuses it."""
    query = select(Person).where(
        Person.telegram_user_id == telegram_user_id,
        Person.role == invite.role,
        Person.station_id == invite.station_id,
        Person.demand_unit_id == invite.demand_unit_id,
    )
    person = (await session.exec(query)).first()
    if person is None:
        person = Person(
            telegram_user_id=telegram_user_id,
            role=invite.role,
            station_id=invite.station_id,
            demand_unit_id=invite.demand_unit_id,
        )
    person.chat_id = chat_id
    person.name = person.name or name
    if not person.language_chosen:
        person.language = language
    person.active = True
    person.reachable = True
    session.add(person)
    await session.flush()
    return person


def mark_reachable(session: AsyncSession, bindings: list[Person]) -> None:
    """Someone who writes to the bot has unblocked it: reminders and notices reach them again.

    A 403 marks a person unreachable; without this, only a new invite link cleared the mark.
    """
    for person in bindings:
        if not person.reachable:
            person.reachable = True
            session.add(person)


async def set_language(session: AsyncSession, telegram_user_id: int, language: str) -> None:
    for person in await bindings_for(session, telegram_user_id):
        person.language = language
        person.language_chosen = True
        session.add(person)
