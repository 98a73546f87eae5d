"""Rating requests and ratings: who is asked, the request's service, stored ratings, aggregates, open requests.

Queries and writes only; the messages of the rating flow are built in ``services.ratings``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.ratings import Service
from rules.profile import Profile, load_profile
from rules.satisfaction import MIN_RATINGS_FOR_AGGREGATES
from storage.datetimes import db_time, local_day
from storage.models import Activity, DemandUnit, Draft, Person, Rating, RatingRequest, Station
from storage.rating_aggregates import rating_aggregates
from storage.recipients import demand_contacts, station_managers

MIN_RATINGS_FOR_AVERAGES = MIN_RATINGS_FOR_AGGREGATES


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
    contacts = await demand_contacts(session, demand_unit_id)
    return contacts[-1] if contacts else None


def is_expired(request: RatingRequest, now: dt.datetime) -> bool:
    return db_time(request.expires_at) <= db_time(now)


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


async def station_aggregates(session: AsyncSession, station_id: int, year: int, profile: Profile, *,
                             tz: dt.tzinfo) -> Aggregates:
    """Counts and averages only: never who gave which score, never comments (averages from
    ``rating_aggregates``, which applies the anonymity minimum)."""
    requests = (await session.exec(select(RatingRequest).where(RatingRequest.station_id == station_id,
                                                               RatingRequest.year == year,
                                                               RatingRequest.kind == "service"))).all()
    found = await rating_aggregates(session, year, [station_id], tz=tz, per_dimension=True)
    rated = found[0].aggregate if found else None
    answered = sum(1 for r in requests if r.status == "answered")
    return Aggregates(len(requests), answered, rated.count if rated else 0,
                      rated.per_dimension if rated else {}, rated.average if rated else None)


async def open_requests(session: AsyncSession, station_id: int, now: dt.datetime) -> list[RatingRequest]:
    query = (select(RatingRequest).where(RatingRequest.station_id == station_id, RatingRequest.status == "open",
                                         col(RatingRequest.expires_at) > db_time(now))
             .order_by(col(RatingRequest.id)))
    return list((await session.exec(query)).all())


async def open_unanswered(session: AsyncSession) -> list[RatingRequest]:
    """Every request still open, expired or not (the reminder job marks the expired ones)."""
    return list((await session.exec(select(RatingRequest).where(RatingRequest.status == "open"))).all())


async def latest_ratings(session: AsyncSession, limit: int = 20) -> list[Rating]:
    return list((await session.exec(select(Rating).order_by(col(Rating.id).desc()).limit(limit))).all())


async def manager_for(session: AsyncSession, request: RatingRequest) -> Person | None:
    """The manager who logged the service, else the station's newest active manager."""
    activity = await session.get(Activity, request.activity_id) if request.activity_id else None
    logger = await session.get(Person, activity.logged_by_person_id) if activity else None
    if logger is not None and logger.active and logger.chat_id is not None and logger.station_id == request.station_id:
        return logger
    managers = await station_managers(session, [request.station_id])
    return managers[-1] if managers else None


async def draft_scores(session: AsyncSession, contact: Person, request: RatingRequest) -> dict[str, int]:
    draft = (await session.exec(select(Draft).where(Draft.person_id == contact.id, Draft.form_id == "rating",
                                                    Draft.subject_key == f"request:{request.id}"))).first()
    scores: Any = draft.state.get("scores", {}) if draft is not None else {}
    return {str(k): int(v) for k, v in scores.items()} if isinstance(scores, dict) else {}
