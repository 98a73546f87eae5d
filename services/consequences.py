"""Staff decide what a round proposes: confirm or dismiss a proposal, close or escalate a running rectification.

One use case for the chat's buttons (``as:cc``/``as:cd``/``as:cx``/``as:ce``) and the web console, so the
station's status, the audit and the managers' notifications are the same from either door. Nothing
here happens on its own: a consequence starts only when a staff member confirms it.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel.ext.asyncio.session import AsyncSession

from conversations import assessment as ui
from conversations.types import Reply
from locales import Join, Raw, T, Text
from rules.profile import load_profile
from services import rounds
from storage.consequences import decide, set_station_status
from storage.models import Consequence, Station, StationStatus

CONFIRM, DISMISS, CLOSE, ESCALATE = "confirm", "dismiss", "close", "escalate"


async def decide_consequence(session: AsyncSession, consequence_id: int, action: str, *, person_id: int | None,
                             now: dt.datetime) -> Reply | None:
    """Apply staff's decision; the reply for the deciding staff member, or None when it no longer applies."""
    item = await session.get(Consequence, consequence_id)
    station = await session.get(Station, item.station_id) if item else None
    if item is None or station is None or station.id is None:
        return None
    if action in (CONFIRM, DISMISS) and item.status != "proposed":
        return None
    if action in (CLOSE, ESCALATE) and (item.action != "rectification" or item.status not in ("confirmed", "reported")):
        return None
    if action == DISMISS:
        await decide(session, item, "dismissed", person_id=person_id, now=now)
        return Reply(T("Dismissed; nothing changes for {station}.", station=Raw(station.name)), edit=True)
    if action == CONFIRM:
        return await confirm(session, item, station, person_id, now)
    if action == CLOSE:
        await decide(session, item, "closed", person_id=person_id, now=now)
        if station.status == StationStatus.rectifying.value:
            await set_station_status(session, station, StationStatus.active.value, reason="rectification closed",
                                     article=item.article, person_id=person_id, now=now)
        await rounds.tell_station(session, station.id, Reply(T(
            "Your rectification has been accepted and the item is closed.")), key=f"rectification-closed:{item.id}",
            kind="assessment", now=now)
        return Reply(T("Closed; {station} is active again.", station=Raw(station.name)), edit=True)
    if action != ESCALATE:
        return None
    await decide(session, item, "escalated", person_id=person_id, now=now)
    spec = rounds.spec_of(load_profile(station.policy_profile))
    article = spec.escalation_article
    escalated = Consequence(round_id=item.round_id, station_id=item.station_id, action="revocation", article=article,
                            clawback=spec.escalation_clawback, created_at=now)
    session.add(escalated)
    await session.flush()
    assert escalated.id is not None
    return ui.proposal_card(escalated.id, station.name, "revocation", article, escalated.clawback)


async def confirm(session: AsyncSession, item: Consequence, station: Station, person_id: int | None,
                  now: dt.datetime) -> Reply:
    """The confirmed consequence takes effect: the station's status, and its managers are told."""
    await decide(session, item, "confirmed", person_id=person_id, now=now)
    assert station.id is not None
    if item.action == "rectification":
        spec = rounds.spec_of(load_profile(station.policy_profile))
        item.due_on = item.due_on or now.date() + dt.timedelta(days=spec.rectification_days)
        session.add(item)
        await set_station_status(session, station, StationStatus.rectifying.value, reason="assessment failed",
                                 article=item.article, person_id=person_id, now=now)
        told: Text = T("Your station must rectify by {day} ({article}). When done, file the rectification report "
                       "with /rectify.", day=item.due_on, article=Raw(item.article))
        note: Text = T("Confirmed: {station} is rectifying until {day}.", station=Raw(station.name), day=item.due_on)
    elif item.action == "revocation":
        await set_station_status(session, station, StationStatus.revoked.value, reason="revocation confirmed",
                                 article=item.article, person_id=person_id, now=now)
        told = T("The title of your station has been revoked ({article}).", article=Raw(item.article))
        if item.clawback:
            told = Join((told, T("The subsidy paid so far is to be returned.")), " ")
        note = T("Confirmed: {station} is revoked; it keeps its history but gets no more reminders or broadcasts.",
                 station=Raw(station.name))
    elif item.action == "exit":
        await set_station_status(session, station, StationStatus.exited.value, reason="exit confirmed",
                                 article=item.article, person_id=person_id, now=now)
        told = T("Your station has exited ({article}). Please return the station's plaque to the society that "
                 "filed it.", article=Raw(item.article))
        note = T("Confirmed: {station} has exited; it keeps its history but gets no more reminders or broadcasts.",
                 station=Raw(station.name))
    else:
        told = T("The manager certificate must be re-examined ({article}); staff will contact you.",
                 article=Raw(item.article))
        note = T("Confirmed: re-examination of the manager certificate of {station}.", station=Raw(station.name))
    await rounds.tell_station(session, station.id, Reply(told), key=f"consequence-confirmed:{item.id}",
                              kind="assessment", now=now)
    return Reply(note, edit=True)
