"""Ratings: the served unit's rating questions (deep link or outbox), /ratings aggregates, resend links, reminders."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from telegram.ext import ContextTypes, JobQueue

from bot.handlers.forms import manager_station
from bot.routing import CONTACTS, MANAGERS, STAFF, Route, Router, Turn
from bot.services import Services
from conversations.ratings import (
    EXPIRED,
    MAX_COMMENT,
    NO_COMMENT,
    NOT_YOURS,
    already_rated,
    comment_prompt,
    comment_too_long,
    dimensions_of,
    next_dimension,
    question,
    score,
    thanks,
)
from conversations.types import Button, ButtonInput, CommandInput, Reply, TextInput, keyboard
from locales import Join, Raw, T, Text, translator
from rules.profile import load_profile
from rules.satisfaction import meets_target
from services.rating_requests import link_replies
from services.ratings import alert_staff_low_rating, enqueue_rating_reminders, first_question
from storage.datetimes import local_day, zone_of
from storage.drafts import active_draft, get_or_create, save
from storage.ids import db_int
from storage.models import AuditLog, DemandUnit, Draft, Invite, Person, RatingRequest, Role, Station
from storage.people import bind_invite, bindings_for
from storage.ratings import (
    MIN_RATINGS_FOR_AVERAGES,
    is_expired,
    latest_ratings,
    open_requests,
    profile_of_request,
    service_of,
    station_aggregates,
    store_rating,
)

log = logging.getLogger(__name__)

REMINDERS_AT = dt.time(8, 40)
STALE = T("This button is no longer active.")


def contact_for(turn: Turn, request: RatingRequest) -> Person | None:
    """The presser's contact binding for the request's unit (callback data is never trusted)."""
    for person in reversed(turn.bindings):
        if person.role == Role.demand_contact.value and person.demand_unit_id == request.demand_unit_id:
            return person
    return None


def refusal(request: RatingRequest, now: dt.datetime, *, edit: bool) -> Reply | None:
    """Why the rating cannot go on (already answered, expired), or None when it can."""
    if request.status == "answered" and request.answered_at is not None:
        return already_rated(local_day(request.answered_at, zone_of(now)), edit=edit)
    if request.status != "open" or is_expired(request, now):
        return Reply(EXPIRED, edit=edit, notice=EXPIRED if edit else None)
    return None


async def rating_draft(turn: Turn, contact: Person, request: RatingRequest) -> Draft:
    assert contact.id is not None
    draft, _ = await get_or_create(turn.session, person_id=contact.id, form_id="rating",
                                   subject_key=f"request:{request.id}", station_id=None, now=turn.now)
    return draft


def scores_of(draft: Draft) -> dict[str, int]:
    raw = draft.state.get("scores", {})
    return {str(k): int(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


async def finish(turn: Turn, request: RatingRequest, contact: Person, draft: Draft, comment: str,
                 *, edit: bool) -> list[Reply]:
    profile = await profile_of_request(turn.session, request)
    dimensions = dimensions_of(profile)
    scores = scores_of(draft)
    value = score([scores[d.id] for d in dimensions], profile.rating)
    rating = await store_rating(turn.session, request, contact, scores, value, comment, turn.now)
    await turn.session.delete(draft)
    if value < profile.rating.alert_threshold:
        await alert_staff_low_rating(turn.session, request, rating, turn.now)
    log.info("rating stored for request %s", request.id)
    return [thanks(edit=edit)]


async def open_link(turn: Turn, invite: Invite) -> tuple[RatingRequest, Person] | Reply:
    """A rating or evaluation link: bind its holder as the unit's contact, then check the request is open.

    Binding comes first: even when this request is closed, later requests reach the contact directly.
    """
    request = await turn.session.get(RatingRequest, invite.rating_request_id) if invite.rating_request_id else None
    if request is None or invite.demand_unit_id != request.demand_unit_id:
        return Reply(EXPIRED)
    person = await bind_invite(turn.session, invite, telegram_user_id=turn.telegram_user_id, chat_id=turn.chat_id,
                               name=turn.user_name, language=turn.tr.locale)
    turn.session.add(AuditLog(at=turn.now, person_id=person.id, action=f"{invite.purpose}_link_used",
                              subject=f"rating_request:{request.id}", detail={}))
    turn.bindings = await bindings_for(turn.session, turn.telegram_user_id)
    turn.tr = translator(person.language)
    refused = refusal(request, turn.now, edit=False)
    return refused if refused is not None else (request, person)


async def open_rating_token(turn: Turn, invite: Invite) -> list[Reply]:
    """``/start <token>`` of a rating link: bind the person as the unit's contact, then start the rating."""
    opened = await open_link(turn, invite)
    if isinstance(opened, Reply):
        return [opened]
    request, person = opened
    draft = await rating_draft(turn, person, request)
    draft.status = "active"
    scores = scores_of(draft)
    await save(turn.session, draft, {"scores": scores}, draft.rev + 1, turn.now)
    return [await first_question(turn.session, request, turn.services.settings.tz, scores)]


async def rate_button(turn: Turn) -> list[Reply]:
    assert isinstance(turn.input, ButtonInput)
    parts = turn.input.data.split(":")
    request_id = db_int(parts[1]) if len(parts) > 1 else None
    request = await turn.session.get(RatingRequest, request_id) if request_id else None
    contact = contact_for(turn, request) if request is not None else None
    if request is None or contact is None:
        return [Reply(NOT_YOURS, notice=NOT_YOURS)]
    refused = refusal(request, turn.now, edit=True)
    if refused is not None:
        return [refused]
    profile = await profile_of_request(turn.session, request)
    dimensions = dimensions_of(profile)
    service = await service_of(turn.session, request, turn.services.settings.tz)
    draft = await rating_draft(turn, contact, request)
    scores = scores_of(draft)
    if len(parts) == 3 and parts[2] == NO_COMMENT:
        if next_dimension(dimensions, scores) is not None:
            return [question(service, dimensions, scores, profile.rating.scale, edit=True)]
        return await finish(turn, request, contact, draft, "", edit=True)
    index, stars = (db_int(parts[2]), db_int(parts[3])) if len(parts) == 4 else (None, None)
    if index is None or stars is None or index >= len(dimensions) or not 1 <= stars <= profile.rating.scale:
        return [Reply(STALE, notice=STALE)]
    scores[dimensions[index].id] = stars
    await save(turn.session, draft, {"scores": scores}, draft.rev + 1, turn.now)
    if next_dimension(dimensions, scores) is None:
        return [comment_prompt(service, dimensions, scores, edit=True)]
    return [question(service, dimensions, scores, profile.rating.scale, edit=True)]


async def contact_draft(turn: Turn, form_id: str) -> tuple[Draft, RatingRequest, Person] | list[Reply] | None:
    """The contact's open rating or evaluation draft that typed text belongs to (None: not ours).

    A draft whose request has closed meanwhile is dropped and the reason returned as replies.
    """
    contacts = [p.id for p in turn.bindings if p.role == Role.demand_contact.value and p.id is not None]
    draft = await active_draft(turn.session, contacts)
    if draft is None or draft.form_id != form_id or isinstance(turn.input, CommandInput):
        return None
    request = await turn.session.get(RatingRequest, int(draft.subject_key.split(":", 1)[1]))
    contact = next((p for p in turn.bindings if p.id == draft.person_id), None)
    if request is None or contact is None:
        return None
    refused = refusal(request, turn.now, edit=False)
    if refused is not None:
        await turn.session.delete(draft)
        return [refused]
    return draft, request, contact


async def comment_input(turn: Turn) -> list[Reply] | None:
    """Typed text while a rating waits for its comment."""
    found = await contact_draft(turn, "rating")
    if not isinstance(found, tuple):
        return found
    draft, request, contact = found
    profile = await profile_of_request(turn.session, request)
    if next_dimension(dimensions_of(profile), scores_of(draft)) is not None:
        return [Reply(T("Please tap the stars in the message above to answer each question."))]
    if not isinstance(turn.input, TextInput) or not turn.input.text.strip():
        return [Reply(T("Please type the comment as text, or tap “No comment”."))]
    text = turn.input.text.strip()
    if len(text) > MAX_COMMENT:
        return [comment_too_long(len(text))]
    return await finish(turn, request, contact, draft, text, edit=False)


async def resend_link(turn: Turn) -> list[Reply]:
    assert isinstance(turn.input, ButtonInput)
    parts = turn.input.data.split(":")
    request_id = db_int(parts[1]) if len(parts) > 1 else None
    request = await turn.session.get(RatingRequest, request_id) if request_id else None
    station = await manager_station(turn)
    manager = turn.manager()
    if request is None or station is None or manager is None or request.station_id != station.id:
        return [Reply(STALE, notice=STALE)]
    if request.status == "answered" and request.answered_at is not None:
        return [already_rated(local_day(request.answered_at, turn.services.settings.tz))]
    request.status = "open"  # a new link revives a request that expired unanswered
    turn.session.add(request)
    return await link_replies(turn.session, request, turn.services.deep_link, turn.now, manager.id)


def average_line(label: Text, value: float) -> Text:
    return Join((label, Raw(f"{value:.1f}")), ": ")


async def manager_ratings(turn: Turn, station: Station, year: int) -> list[Reply]:
    assert station.id is not None
    profile = load_profile(station.policy_profile)
    agg = await station_aggregates(turn.session, station.id, year, profile, tz=turn.services.settings.tz)
    lines: list[Text] = [
        T("Ratings of {station} for {year}", station=Raw(station.name), year=Raw(str(year))),
        T("Rating requests: {n}; answered: {answered} ({rate}%).", n=agg.requests, answered=agg.answered,
          rate=Raw(f"{agg.response_rate:.0f}")),
    ]
    if agg.overall is None:
        lines.append(T("There are not enough ratings yet to show averages (at least {n} are needed, "
                       "so that no single rating can be recognised).", n=MIN_RATINGS_FOR_AVERAGES))
    else:
        lines.append(T("Average stars per question (1 to {scale}):", scale=profile.rating.scale))
        for dimension in profile.rating.dimensions:
            if dimension.id in agg.per_dimension:
                lines.append(average_line(T(dimension.label), agg.per_dimension[dimension.id]))
        target = f"{profile.rating.target:.0f}"
        wording = (T("above {target}", target=target) if profile.rating.target_comparison == "above"
                   else T("at least {target}", target=target))
        lines.append(T("Overall: {score} out of 100 (target: {target}).", score=Raw(f"{agg.overall:.1f}"),
                       target=wording))
        if not meets_target(agg.overall, profile.rating):
            lines.append(T("⚠️ Target not reached: it asks for more than {target}.",
                           target=Raw(f"{profile.rating.target:.0f}"))
                         if profile.rating.target_comparison == "above" else T("⚠️ Below the target."))
    pending = await open_requests(turn.session, station.id, turn.now)
    buttons = []
    if pending:
        lines.append(T("Open requests:"))
    for request in pending:
        service = await service_of(turn.session, request, turn.services.settings.tz)
        lines.append(Join((Raw(f"#{request.id}"), Raw(service.title), Raw(service.unit_name),
                           T("{day}", day=service.day)), " · "))
        buttons.append([Button(T("Resend link #{number}", number=request.id), f"rlink:{request.id}")])
    return [Reply(Join(tuple(lines)), keyboard(*buttons))]


async def staff_ratings(turn: Turn) -> list[Reply]:
    ratings = await latest_ratings(turn.session, limit=20)
    if not ratings:
        return [Reply(T("No ratings yet."))]
    lines: list[Text] = [T("Latest ratings (newest first):")]
    for rating in ratings:
        request = await turn.session.get(RatingRequest, rating.request_id)
        station = await turn.session.get(Station, rating.station_id)
        unit = await turn.session.get(DemandUnit, request.demand_unit_id) if request else None
        profile = load_profile(station.policy_profile) if station else None
        stars = " ".join(f"{rating.scores[d.id]}" for d in profile.rating.dimensions
                         if d.id in rating.scores) if profile else ""
        lines.append(Join((Raw(f"#{rating.id}"), Raw(station.name if station else "?"),
                           Raw(unit.name if unit else "?"), Raw(f"{rating.score:.0f}/100 ({stars})"),
                           T("{day}", day=local_day(rating.created_at, turn.services.settings.tz))), " · "))
        if rating.comment:
            lines.append(T("Comment: {comment}", comment=Raw(rating.comment)))
    return [Reply(Join(tuple(lines)))]


async def ratings(turn: Turn) -> list[Reply]:
    if turn.staff() is not None:
        return await staff_ratings(turn)
    station = await manager_station(turn)
    if station is None:
        return [Reply(T("You cannot do that with your current role. Send /help to see what you can do."))]
    args = turn.input.args if isinstance(turn.input, CommandInput) else ()
    year = (db_int(args[0]) if args and len(args[0]) == 4 else None) or turn.today.year
    return await manager_ratings(turn, station, year)


def install_reminders(services: Services) -> None:
    """Rating reminders: once at start-up (catch-up), then daily."""

    async def sweep() -> int:
        async with services.db.transaction() as session:
            return await enqueue_rating_reminders(session, services.now())

    async def start(job_queue: JobQueue[Any]) -> None:
        try:
            await sweep()
        except Exception:
            log.exception("start-up rating reminder sweep failed")

        async def daily(context: ContextTypes.DEFAULT_TYPE) -> None:
            await sweep()

        job_queue.run_daily(daily, REMINDERS_AT.replace(tzinfo=services.settings.tz), name="rating-reminders",
                            job_kwargs={"misfire_grace_time": 1})

    services.on_job_queue(start)


def extend(router: Router, services: Services) -> None:
    services.hooks.token_handlers["rating"] = open_rating_token
    router.add(Route("rate", CONTACTS, rate_button, kind="button"))
    router.add(Route("rlink", MANAGERS, resend_link, kind="button"))
    router.add(Route("ratings", MANAGERS | STAFF, ratings, menu_label=T("Service ratings"), menu_order=60))
    router.own_drafts(["rating"], comment_input)
