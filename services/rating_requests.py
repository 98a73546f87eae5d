"""Rating requests as use cases: open one for a logged service, and hand out its single-use link.

They compose storage (the request, the invitation token), the core's replies, a QR code and outbox rows,
which is why they live here and not in ``storage.ratings`` (storage keeps queries and writes only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.types import OutgoingFile, Reply
from locales import Raw, T
from rules.profile import load_profile
from services.ratings import first_question
from storage.datetimes import db_time, local_day, zone_of
from storage.models import Activity, Person, RatingRequest, Role, Station
from storage.outbox import enqueue
from storage.ratings import profile_of_request, service_of, unit_contact
from storage.tokens import create_invite

DeepLink = Callable[[str], str]
"""Turns a start token into the bot's t.me link (``Services.deep_link``)."""


async def link_replies(session: AsyncSession, request: RatingRequest, deep_link: DeepLink, now: dt.datetime,
                       created_by: int | None) -> list[Reply]:
    """A new single-use link (and its QR code) for the unit's contact to open the rating."""
    assert request.id is not None
    profile = await profile_of_request(session, request)
    days = profile.rating.token_days
    token, _ = await create_invite(session, role=Role.demand_contact.value, now=now, days=days, purpose="rating",
                                   demand_unit_id=request.demand_unit_id, rating_request_id=request.id,
                                   created_by_person_id=created_by)
    until = db_time(now) + dt.timedelta(days=days)
    if db_time(request.expires_at) < until:
        request.expires_at = until
        session.add(request)
        await session.flush()
    service = await service_of(session, request, zone_of(now))
    link = deep_link(token)
    text = T("Please ask {unit} to rate this service: forward them this link, or let their contact scan the QR code. "
             "The link works once, until {day}.\n{link}", unit=Raw(service.unit_name),
             day=local_day(until, zone_of(now)), link=Raw(link))
    return [Reply(text), Reply(T("QR code of the rating link for {unit}.", unit=Raw(service.unit_name)),
                               file=OutgoingFile("rating.png", qr_of=link, kind="photo"))]


async def request_rating_for_activity(session: AsyncSession, activity: Activity, manager: Person,
                                      now: dt.datetime, deep_link: DeepLink) -> list[Reply]:
    """Open a rating request for a logged service; ask the bound contact, or give the manager a link."""
    if activity.demand_unit_id is None:
        return []
    station = await session.get(Station, activity.station_id)
    assert station is not None and activity.id is not None
    profile = load_profile(station.policy_profile)
    request = RatingRequest(kind="service", station_id=activity.station_id, activity_id=activity.id,
                            demand_unit_id=activity.demand_unit_id, year=activity.started_on.year,
                            status="open", created_at=db_time(now),
                            expires_at=db_time(now) + dt.timedelta(days=profile.rating.token_days))
    session.add(request)
    await session.flush()
    assert request.id is not None
    contact = await unit_contact(session, activity.demand_unit_id)
    if contact is not None and contact.chat_id is not None:
        await enqueue(session, key=f"rating-request:{request.id}", chat_id=contact.chat_id,
                      reply=await first_question(session, request, zone_of(now)), kind="rating_request", person_id=contact.id,
                      not_before=now)
        return [Reply(T("The unit's contact has been asked to rate this service."))]
    return await link_replies(session, request, deep_link, now, manager.id)
