"""Everything one update needs, in one read: the person's bindings, their open form, its station.

A form step used to ask the database the same questions several times (who is this, which draft
is open, which station, is there a policy override) before writing once. The door reads all of it
with one statement; the answers are kept in the session for as long as the session holds no
change of its own, so the usual helpers (``active_draft``, ``session.get``, ``effective_profile``)
answer from memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, and_, bindparam, event, func
from sqlalchemy.orm import Session
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Draft, Person, PolicyOverrideRow, Station

ACTIVE_DRAFTS = "stationbot.active_drafts"  # {person_id: Draft | None} as read at the start
OVERRIDES = "stationbot.policy_overrides"  # {profile_id: PolicyOverrideRow | None} as read at the start
STATIONS = "stationbot.stations"  # {station_id: Station} read with the bindings


@dataclass(frozen=True)
class TurnState:
    bindings: list[Person]
    active_draft: Draft | None


def _turn_query() -> Any:
    station_id = func.coalesce(col(Draft.station_id), col(Person.station_id))
    return (
        select(Person, Draft, Station, PolicyOverrideRow)
        .outerjoin(Draft, and_(col(Draft.person_id) == col(Person.id), col(Draft.status) == "active"))
        .outerjoin(Station, col(Station.id) == station_id)
        .outerjoin(PolicyOverrideRow, col(PolicyOverrideRow.profile_id) == col(Station.policy_profile))
        .where(col(Person.telegram_user_id) == bindparam("telegram_user_id", type_=BigInteger),
               col(Person.active).is_(True))
        .order_by(col(Person.id))
    )


# Built once (every update runs it): building, coercing and hashing the expression cost more
# than executing it; the one object is found in SQLAlchemy's compiled cache each time.
TURN_QUERY = _turn_query()


async def load_turn_state(session: AsyncSession, telegram_user_id: int) -> TurnState:
    """One SELECT: bindings, each binding's active draft, the draft's (or binding's) station and its override."""
    rows = (await session.exec(TURN_QUERY, params={"telegram_user_id": telegram_user_id})).all()
    bindings: dict[int, Person] = {}
    drafts: dict[int, Draft | None] = {}
    overrides: dict[str, Any] = {}
    stations: dict[int | None, Station] = {}
    for person, draft, station, override in rows:
        assert person.id is not None
        bindings.setdefault(person.id, person)
        current = drafts.get(person.id)
        if draft is not None and (current is None or draft.updated_at > current.updated_at):
            drafts[person.id] = draft
        else:
            drafts.setdefault(person.id, None)
        if station is not None:
            stations[station.id] = station
            overrides[station.policy_profile] = override
    session.info[ACTIVE_DRAFTS] = drafts
    session.info[OVERRIDES] = overrides
    # The identity map holds entities weakly: keep the stations alive so ``session.get`` finds them.
    session.info[STATIONS] = stations
    open_drafts = [d for d in drafts.values() if d is not None]
    newest = max(open_drafts, key=lambda d: d.updated_at) if open_drafts else None
    return TurnState(list(bindings.values()), newest)


def _clean(session: AsyncSession) -> bool:
    """True while the session holds no change of its own since the turn's read."""
    return not (session.new or session.dirty or session.deleted)


def known_active_draft(session: AsyncSession, person_ids: list[int]) -> tuple[bool, Draft | None]:
    """(True, draft) when the turn's read already answers "which form is open" for these people."""
    drafts = session.info.get(ACTIVE_DRAFTS)
    if drafts is None or not _clean(session) or any(pid not in drafts for pid in person_ids):
        return False, None
    found = [d for pid in person_ids if (d := drafts[pid]) is not None]
    return True, max(found, key=lambda d: d.updated_at) if found else None


def known_override(session: AsyncSession, profile_id: str) -> tuple[bool, PolicyOverrideRow | None]:
    overrides = session.info.get(OVERRIDES)
    if overrides is None or profile_id not in overrides:
        return False, None
    return True, overrides[profile_id]


def forget_active_drafts(session: AsyncSession | Session) -> None:
    """Any write may open, park or delete a draft: from then on ask the database again."""
    session.info.pop(ACTIVE_DRAFTS, None)


@event.listens_for(Session, "after_flush")
def _forget_after_a_write(session: Session, _context: Any) -> None:
    forget_active_drafts(session)
