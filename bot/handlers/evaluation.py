"""/evaluation for staff: the demand side's yearly evaluation of each station (guiyang-kczg).

Reach rules as for service ratings: a bound contact is asked through the outbox; for a unit
without one, the station's managers get a single-use link to pass on.
"""

from __future__ import annotations

from typing import Any

from bot.handlers.ratings import contact_draft, contact_for, open_link, refusal
from bot.routing import CONTACTS, STAFF, Route, Router, Turn
from bot.services import Services
from conversations import evaluation as ev
from conversations.types import ButtonInput, CommandInput, Reply, TextInput
from locales import TN, Join, Raw, T
from rules.profile import Profile, load_profile
from storage.drafts import get_or_create, save
from storage.evaluation import create_yearly_requests
from storage.ids import db_int
from storage.models import DemandUnit, Draft, Invite, Person, Rating, RatingRequest, Role, Station
from storage.outbox import enqueue
from storage.ratings import unit_contact
from storage.recipients import station_managers
from storage.tokens import create_invite

FORM_ID = "evaluation"
STALE = T("This button is no longer active.")


def questions_of(profile: Profile) -> list[ev.Question]:
    return [ev.Question(q.id, q.question, q.kind, q.required) for q in profile.rating.yearly_evaluation.questions]


async def context_of(turn: Turn, request: RatingRequest) -> tuple[Station, Profile, list[ev.Question]]:
    station = await turn.session.get(Station, request.station_id)
    assert station is not None
    profile = load_profile(station.policy_profile)
    return station, profile, questions_of(profile)


async def draft_for(turn: Turn, contact: Person, request: RatingRequest) -> Draft:
    assert contact.id is not None
    draft, _ = await get_or_create(turn.session, person_id=contact.id, form_id=FORM_ID,
                                   subject_key=f"request:{request.id}", station_id=None, now=turn.now)
    return draft


async def advance(turn: Turn, request: RatingRequest, contact: Person, draft: Draft, answers: dict[str, Any],
                  *, edit: bool) -> list[Reply]:
    """Store the answers; ask the next question or, when all are answered, record the evaluation."""
    station, profile, questions = await context_of(turn, request)
    assert request.id is not None and contact.id is not None
    if ev.next_question(questions, answers) is not None:
        await save(turn.session, draft, {"answers": answers}, draft.rev + 1, turn.now)
        return [ev.ask(request.id, station.name, request.year or turn.today.year, questions, answers,
                       profile.rating.scale, edit=edit)]
    comment = " ".join(str(answers[q.id]) for q in questions if q.kind == "text" and not q.required and answers.get(q.id))
    turn.session.add(Rating(request_id=request.id, station_id=request.station_id, person_id=contact.id,
                            scores={q.id: answers[q.id] for q in questions if q.kind == "scale"},
                            score=ev.satisfaction_score(answers, questions, profile.rating),
                            comment=comment, answers=answers, created_at=turn.now))
    request.status = "answered"
    request.answered_at = turn.now
    turn.session.add(request)
    await turn.session.delete(draft)
    await turn.session.flush()
    return [ev.thanks()]


async def start_evaluation(turn: Turn, request: RatingRequest, contact: Person) -> list[Reply]:
    draft = await draft_for(turn, contact, request)
    draft.status = "active"
    answers = dict(draft.state.get("answers", {}))
    station, profile, questions = await context_of(turn, request)
    await save(turn.session, draft, {"answers": answers}, draft.rev + 1, turn.now)
    assert request.id is not None
    return [ev.ask(request.id, station.name, request.year or turn.today.year, questions, answers, profile.rating.scale)]


async def open_token(turn: Turn, invite: Invite) -> list[Reply]:
    """``/start <token>`` of an evaluation link: bind the person as the unit's contact first, then ask."""
    opened = await open_link(turn, invite)
    if isinstance(opened, Reply):
        return [opened]
    return await start_evaluation(turn, *opened)


async def button(turn: Turn) -> list[Reply]:
    assert isinstance(turn.input, ButtonInput)
    parts = turn.input.data.split(":")
    request_id = db_int(parts[1]) if len(parts) == 4 else None
    request = await turn.session.get(RatingRequest, request_id) if request_id is not None else None
    contact = contact_for(turn, request) if request is not None and request.kind == "yearly" else None
    if request is None or contact is None:
        return [Reply(STALE, notice=STALE)]
    refused = refusal(request, turn.now, edit=True)
    if refused is not None:
        return [refused]
    _, profile, questions = await context_of(turn, request)
    draft = await draft_for(turn, contact, request)
    answers = dict(draft.state.get("answers", {}))
    found = db_int(parts[2])
    index = -1 if found is None else found
    accepted = ev.accept_button(questions, index, parts[3], profile.rating.scale)
    if accepted is None or index != ev.next_question(questions, answers):
        return [Reply(STALE, notice=STALE)]
    answers[accepted[0]] = accepted[1]
    return await advance(turn, request, contact, draft, answers, edit=True)


async def typed(turn: Turn) -> list[Reply] | None:
    found = await contact_draft(turn, FORM_ID)
    if not isinstance(found, tuple):
        return found
    draft, request, contact = found
    _, _, questions = await context_of(turn, request)
    answers = dict(draft.state.get("answers", {}))
    text = turn.input.text if isinstance(turn.input, TextInput) else ""
    accepted = ev.accept_text(questions, answers, text)
    if isinstance(accepted, Reply):
        return [accepted]
    answers[accepted[0]] = accepted[1]
    return await advance(turn, request, contact, draft, answers, edit=False)


async def launch(turn: Turn) -> list[Reply]:
    """Staff: ``/evaluation <year>`` asks every unit each evaluated station served that year."""
    args = turn.input.args if isinstance(turn.input, CommandInput) else ()
    year = (db_int(args[0]) if args and len(args[0]) == 4 else None) or turn.today.year
    staff = turn.staff()
    direct = links = 0
    for item in await create_yearly_requests(turn.session, year, turn.now):
        request, station = item.request, item.station
        assert request.id is not None
        profile = load_profile(station.policy_profile)
        contact = await unit_contact(turn.session, request.demand_unit_id)
        if contact is not None and contact.chat_id is not None:
            reply = ev.ask(request.id, station.name, year, questions_of(profile), {}, profile.rating.scale)
            await enqueue(turn.session, key=f"evaluation-request:{request.id}", chat_id=contact.chat_id, reply=reply,
                          kind="evaluation_request", person_id=contact.id, not_before=turn.now)
            direct += 1
            continue
        token, _ = await create_invite(turn.session, role=Role.demand_contact.value, now=turn.now,
                                       days=profile.rating.token_days, purpose="evaluation",
                                       demand_unit_id=request.demand_unit_id, rating_request_id=request.id,
                                       created_by_person_id=staff.id if staff else None)
        unit = await turn.session.get(DemandUnit, request.demand_unit_id)
        text = T("Staff ask {unit} to evaluate your station's work in {year}. Please forward them this single-use "
                 "link:\n{link}", unit=Raw(unit.name if unit else "?"), year=Raw(str(year)),
                 link=Raw(turn.services.deep_link(token)))
        assert station.id is not None
        for manager in await station_managers(turn.session, [station.id]):
            assert manager.chat_id is not None
            await enqueue(turn.session, key=f"evaluation-link:{request.id}:to-{manager.id}",
                          chat_id=manager.chat_id, reply=Reply(text), kind="evaluation_link",
                          person_id=manager.id, not_before=turn.now)
        links += 1
    return [Reply(Join((TN("Yearly evaluation {year}: {n} new request.", "Yearly evaluation {year}: {n} new requests.",
                           direct + links, year=Raw(str(year))),
                        T("Asked directly: {direct}; links sent to station managers: {links}.", direct=direct,
                          links=links))))]


def extend(router: Router, services: Services) -> None:
    services.hooks.token_handlers["evaluation"] = open_token
    router.add(Route("ev", CONTACTS, button, kind="button"))
    router.add(Route("evaluation", STAFF, launch, menu_label=T("Yearly demand-side evaluation"), menu_order=70))
    router.own_drafts([FORM_ID], typed)
