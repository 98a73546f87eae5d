"""Staff's decisions in an open round, and the step that publishes it: one use case for chat and the console.

Staff choose a grade where the profile leaves it to them, accept a late participation or an excused
absence, and decide who comes first in a tie at a quota or tier boundary; then publish: the 公示 where
the profile has one (final publication after it, once every objection is answered), else final at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from locales import TN, T, Text
from rules.profile import load_profile
from services import rounds
from storage.models import AssessmentEntry, AssessmentRound
from storage.rounds import OPEN, PUBLICITY

GRADE, TOOK_PART, EXCUSED = "grade", "took_part", "excused"
NOT_READY = T("Not ready to publish: every row scored, every grade chosen and every tie decided first.")


async def decide_entry(session: AsyncSession, entry_id: int, action: str, value: str = "") -> AssessmentRound | None:
    """A staff decision on one station of an open round; None when it does not apply (any more)."""
    entry = await session.get(AssessmentEntry, entry_id)
    rnd = await session.get(AssessmentRound, entry.round_id) if entry else None
    if entry is None or rnd is None or rnd.status != OPEN:
        return None
    spec = rounds.spec_of(load_profile(rnd.profile))
    if action == GRADE:
        if spec.verdict != "staff" or spec.grade(value) is None:
            return None
        entry.staff_grade = value
    elif action == TOOK_PART:
        entry.took_part = True
    elif action == EXCUSED:
        entry.absence_excused = True
    else:
        return None
    session.add(entry)
    await session.flush()
    return rnd


async def decide_tie(session: AsyncSession, rnd: AssessmentRound, station_id: int, tz: dt.tzinfo) -> bool:
    """Staff put ``station_id`` first among the stations still tied (``AssessmentRound.staff_order``)."""
    if rnd.status not in (OPEN, PUBLICITY):
        return False
    ev = await rounds.evaluate(session, rnd, tz=tz)
    if not any(station_id in tie.station_ids for tie in ev.outcome.ties):
        return False
    rnd.staff_order = [*rnd.staff_order, station_id]
    session.add(rnd)
    await session.flush()
    return True


@dataclass(frozen=True)
class Publication:
    """What the publish step did: ``published`` (the 公示 or the final publication), and what to tell staff.

    ``ev`` is set when the round was not ready: it says which rows, grades or ties are still open.
    """

    published: bool
    note: Text
    ev: rounds.Evaluation | None = None


async def publish_next(session: AsyncSession, rnd: AssessmentRound, now: dt.datetime) -> Publication | None:
    """Open → the 公示 (or the final publication); 公示 over and answered → final. None: nothing to publish."""
    if rnd.status == OPEN:
        ev = await rounds.publish(session, rnd, now)
        if not ev.ready:
            return Publication(False, NOT_READY, ev)
        if rnd.status == PUBLICITY:
            return Publication(True, T("Published for public notice until {day}; stations can object.",
                                       day=rnd.publicity_until))
        return Publication(True, T("Published; each station has been told its result."))
    if rnd.status != PUBLICITY:
        return None
    state = await rounds.notice_state(session, rnd, now)
    if state is not None and state.running:
        return Publication(False, T("The public notice runs until {day}; final publication after that.",
                                    day=rnd.publicity_until))
    if state is not None and state.unanswered:
        return Publication(False, TN("{n} objection still awaits an answer.", "{n} objections still await an answer.", state.unanswered))
    ev = await rounds.finalize(session, rnd, now)
    if not ev.ready:
        return Publication(False, NOT_READY, ev)
    return Publication(True, T("Published; each station has been told its result."))
