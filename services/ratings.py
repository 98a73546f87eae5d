"""The messages of the rating flow: the first question, reminders of open requests and low-rating alerts.

They compose storage reads, the core's replies (``conversations.ratings``) and outbox rows; storage keeps the
queries and writes (``storage.ratings``).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.ratings import dimensions_of, question
from conversations.types import Button, Reply, keyboard
from locales import Join, Raw, T, Text
from rules.profile import Profile
from storage.datetimes import db_time, zone_of
from storage.models import Rating, RatingRequest
from storage.outbox import enqueue
from storage.ratings import (
    draft_scores,
    is_expired,
    manager_for,
    open_unanswered,
    profile_of_request,
    service_of,
    unit_contact,
)
from storage.recipients import active_staff


async def first_question(session: AsyncSession, request: RatingRequest, tz: dt.tzinfo,
                         scores: dict[str, int] | None = None, lead: Text | None = None) -> Reply:
    profile = await profile_of_request(session, request)
    service = await service_of(session, request, tz)
    return question(service, dimensions_of(profile), scores or {}, profile.rating.scale, lead=lead)


async def alert_staff_low_rating(session: AsyncSession, request: RatingRequest, rating: Rating,
                                 now: dt.datetime) -> int:
    """Tell every staff member about a rating below the profile's alert threshold."""
    service = await service_of(session, request, zone_of(now))
    lines: list[Text] = [T("Low rating: {station} scored {score} out of 100 for “{title}” ({day}) from {unit}.",
                           station=Raw(service.station_name), score=Raw(f"{rating.score:.0f}"),
                           title=Raw(service.title), day=service.day, unit=Raw(service.unit_name))]
    if rating.comment:
        lines.append(T("Comment: {comment}", comment=Raw(rating.comment)))
    added = 0
    for member in await active_staff(session):
        assert member.chat_id is not None
        added += await enqueue(session, key=f"rating-alert:{rating.id}:staff-{member.id}", chat_id=member.chat_id,
                               reply=Reply(Join(tuple(lines))), kind="staff_alert", person_id=member.id,
                               not_before=now, respect_quiet_hours=False)
    return added


async def enqueue_rating_reminders(session: AsyncSession, now: dt.datetime) -> int:
    """Remind open, unexpired requests on the profile's reminder days after creation; returns rows added.

    Only the latest passed reminder day is enqueued (a bot that was down does not send two at once);
    keys ``rating-reminder:<id>:d<day>`` make every reminder happen at most once. Requests past their
    expiry are marked "expired"; answered ones are never reminded.
    """
    moment = db_time(now)
    added = 0
    profiles: dict[int, Profile] = {}
    for request in await open_unanswered(session):
        if is_expired(request, moment):
            request.status = "expired"
            session.add(request)
            continue
        if request.station_id not in profiles:
            profiles[request.station_id] = await profile_of_request(session, request)
        profile = profiles[request.station_id]
        passed = [d for d in profile.rating.reminder_days
                  if db_time(request.created_at) + dt.timedelta(days=d) <= moment]
        if not passed:
            continue
        day = max(passed)
        key = f"rating-reminder:{request.id}:d{day}"
        contact = await unit_contact(session, request.demand_unit_id)
        if contact is not None and contact.chat_id is not None:
            reply = await first_question(session, request, zone_of(now), await draft_scores(session, contact, request),
                                         lead=T("Reminder: your rating of this service is still missing."))
            added += await enqueue(session, key=key, chat_id=contact.chat_id, reply=reply, kind="rating_reminder",
                                   person_id=contact.id, not_before=now)
            continue
        manager = await manager_for(session, request)
        if manager is None or manager.chat_id is None:
            continue
        service = await service_of(session, request, zone_of(now))
        text = T("The rating request for “{title}” ({unit}, {day}) is still open. Resend the link?",
                 title=Raw(service.title), unit=Raw(service.unit_name), day=service.day)
        added += await enqueue(session, key=key, chat_id=manager.chat_id, person_id=manager.id, kind="rating_reminder",
                               reply=Reply(text, keyboard([Button(T("Resend link"), f"rlink:{request.id}")])),
                               not_before=now)
    await session.flush()
    return added
