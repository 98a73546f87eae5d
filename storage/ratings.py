"""Rating requests: who is asked, links and QR codes, stored ratings, aggregates and reminders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.ratings import Dimension, Service, question
from conversations.types import Button, Reply, keyboard
from locales import Join, Raw, T, Text
from rules.profile import Profile, load_profile
from rules.satisfaction import MIN_RATINGS_FOR_AGGREGATES
from storage.datetimes import db_time, local, zone_of
from storage.models import Activity, DemandUnit, Draft, Person, Rating, RatingRequest, Role, Station
from storage.outbox import enqueue
from storage.rating_aggregates import rating_aggregates

MIN_RATINGS_FOR_AVERAGES = MIN_RATINGS_FOR_AGGREGATES


def dimensions_of(profile: Profile) -> list[Dimension]:
    return [Dimension(d.id, d.label) for d in profile.rating.dimensions]


def local_day(value: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """The day a stored moment fell on in the deployment's zone (``TIMEZONE``)."""
    return local(value, tz).date()


async def service_of(session: AsyncSession, request: RatingRequest, tz: dt.tzinfo) -> Service:
    station = await session.get(Station, request.station_id)
    activity = await session.get(Activity, request.activity_id) if request.activity_id else None
    unit = await session.get(DemandUnit, request.demand_unit_id)
    assert request.id is not None
    return Service(request_id=request.id, station_name=station.name if station else "",
                   title=activity.title if activity else "",
                   day=activity.started_on if activity else local_day(request.created_at, tz),
                   unit_name=unit.name if unit else "")


async def profile_of_request(session: AsyncSession, request: RatingRequest) -> Profile:
    station = await session.get(Station, request.station_id)
    assert station is not None
    return load_profile(station.policy_profile)


async def unit_contact(session: AsyncSession, demand_unit_id: int) -> Person | None:
    """The unit's most recently bound contact who can be messaged, if any."""
    query = (select(Person).where(Person.role == Role.demand_contact.value, Person.demand_unit_id == demand_unit_id,
                                  col(Person.active).is_(True), col(Person.reachable).is_(True),
                                  col(Person.chat_id).is_not(None))
             .order_by(col(Person.id).desc()))
    return (await session.exec(query)).first()


def is_expired(request: RatingRequest, now: dt.datetime) -> bool:
    return db_time(request.expires_at) <= db_time(now)


async def first_question(session: AsyncSession, request: RatingRequest, tz: dt.tzinfo,
                         scores: dict[str, int] | None = None, lead: Text | None = None) -> Reply:
    profile = await profile_of_request(session, request)
    service = await service_of(session, request, tz)
    return question(service, dimensions_of(profile), scores or {}, profile.rating.scale, lead=lead)


async def store_rating(session: AsyncSession, request: RatingRequest, person: Person, scores: dict[str, int],
                       value: float, comment: str, now: dt.datetime) -> Rating:
    assert request.id is not None and person.id is not None
    rating = Rating(request_id=request.id, station_id=request.station_id, person_id=person.id, scores=scores,
                    score=value, comment=comment, answers={}, created_at=db_time(now))
    request.status = "answered"
    request.answered_at = db_time(now)
    session.add(rating)
    session.add(request)
    await session.flush()
    return rating


async def alert_staff_low_rating(session: AsyncSession, request: RatingRequest, rating: Rating,
                                 now: dt.datetime) -> int:
    """Tell every staff member about a rating below the profile's alert threshold."""
    service = await service_of(session, request, zone_of(now))
    lines: list[Text] = [T("Low rating: {station} scored {score} out of 100 for “{title}” ({day}) from {unit}.",
                           station=Raw(service.station_name), score=Raw(f"{rating.score:.0f}"),
                           title=Raw(service.title), day=service.day, unit=Raw(service.unit_name))]
    if rating.comment:
        lines.append(T("Comment: {comment}", comment=Raw(rating.comment)))
    staff = (await session.exec(select(Person).where(Person.role == Role.staff.value, col(Person.active).is_(True),
                                                     col(Person.chat_id).is_not(None)))).all()
    added = 0
    for member in staff:
        assert member.chat_id is not None
        added += await enqueue(session, key=f"rating-alert:{rating.id}:staff-{member.id}", chat_id=member.chat_id,
                               reply=Reply(Join(tuple(lines))), kind="staff_alert", person_id=member.id,
                               not_before=now, respect_quiet_hours=False)
    return added


@dataclass(frozen=True)
class Aggregates:
    requests: int
    answered: int
    ratings: int
    per_dimension: dict[str, float]
    overall: float | None

    @property
    def response_rate(self) -> float:
        return self.answered / self.requests * 100 if self.requests else 0.0


async def station_aggregates(session: AsyncSession, station_id: int, year: int, profile: Profile) -> Aggregates:
    """Counts and averages only: never who gave which score, never comments (averages from
    ``rating_aggregates``, which applies the anonymity minimum)."""
    requests = (await session.exec(select(RatingRequest).where(RatingRequest.station_id == station_id,
                                                               RatingRequest.year == year,
                                                               RatingRequest.kind == "service"))).all()
    found = await rating_aggregates(session, year, [station_id], per_dimension=True)
    rated = found[0].aggregate if found else None
    answered = sum(1 for r in requests if r.status == "answered")
    return Aggregates(len(requests), answered, rated.count if rated else 0,
                      rated.per_dimension if rated else {}, rated.average if rated else None)


async def open_requests(session: AsyncSession, station_id: int, now: dt.datetime) -> list[RatingRequest]:
    query = (select(RatingRequest).where(RatingRequest.station_id == station_id, RatingRequest.status == "open",
                                         col(RatingRequest.expires_at) > db_time(now))
             .order_by(col(RatingRequest.id)))
    return list((await session.exec(query)).all())


async def latest_ratings(session: AsyncSession, limit: int = 20) -> list[Rating]:
    return list((await session.exec(select(Rating).order_by(col(Rating.id).desc()).limit(limit))).all())


async def _manager_for(session: AsyncSession, request: RatingRequest) -> Person | None:
    """The manager who logged the service, else the station's newest active manager."""
    activity = await session.get(Activity, request.activity_id) if request.activity_id else None
    logger = await session.get(Person, activity.logged_by_person_id) if activity else None
    if logger is not None and logger.active and logger.chat_id is not None and logger.station_id == request.station_id:
        return logger
    query = (select(Person).where(Person.station_id == request.station_id,
                                  col(Person.role).in_([Role.manager.value, Role.liaison.value]),
                                  col(Person.active).is_(True), col(Person.chat_id).is_not(None))
             .order_by(col(Person.id).desc()))
    return (await session.exec(query)).first()


async def enqueue_rating_reminders(session: AsyncSession, now: dt.datetime) -> int:
    """Remind open, unexpired requests on the profile's reminder days after creation; returns rows added.

    Only the latest passed reminder day is enqueued (a bot that was down does not send two at once);
    keys ``rating-reminder:<id>:d<day>`` make every reminder happen at most once. Requests past their
    expiry are marked "expired"; answered ones are never reminded.
    """
    moment = db_time(now)
    rows = (await session.exec(select(RatingRequest).where(RatingRequest.status == "open"))).all()
    added = 0
    profiles: dict[int, Profile] = {}
    for request in rows:
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
        manager = await _manager_for(session, request)
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


async def draft_scores(session: AsyncSession, contact: Person, request: RatingRequest) -> dict[str, int]:
    draft = (await session.exec(select(Draft).where(Draft.person_id == contact.id, Draft.form_id == "rating",
                                                    Draft.subject_key == f"request:{request.id}"))).first()
    scores: Any = draft.state.get("scores", {}) if draft is not None else {}
    return {str(k): int(v) for k, v in scores.items()} if isinstance(scores, dict) else {}
