"""/broadcast (compose, choose the audience, preview, send now / schedule / test) and /broadcasts (report, cancel).

The composer's state is a Draft row (form_id "broadcast", status "composing"), so a restart
mid-composition loses nothing. A broadcast becomes one outbox row per person (deduplicated
by chat: a manager of two stations, or a person matched by two filters, gets one message);
a scheduled one is the same rows with a future ``not_before``, so it survives restarts and is
cancelled by marking its waiting rows cancelled. (The scheduler jobs are installed by ``bot.app``.)
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select, update

from bot import jobs
from bot.routing import STAFF, Route, Router, Turn
from bot.services import Services
from conversations import broadcast as compose
from conversations.types import Button, ButtonInput, FileInput, OutgoingFile, Reply, TextInput, keyboard
from locales import Join, Raw, T, Text
from rules import deadlines
from storage.datetimes import db_time, local
from storage.models import (
    LIVE_STATUSES,
    Broadcast,
    Draft,
    OutboxMessage,
    OutboxStatus,
    Person,
    Role,
    Society,
    Station,
    Submission,
)
from storage.outbox import UNCONFIRMED, enqueue
from storage.policy import effective_profiles

FORM_ID = "broadcast"
COMPOSING = "composing"
NO_DRAFT = T("There is no broadcast being composed. Send /broadcast to start one.")


async def composer(turn: Turn) -> Draft | None:
    staff = turn.staff()
    if staff is None:
        return None
    query = select(Draft).where(Draft.person_id == staff.id, Draft.form_id == FORM_ID, Draft.subject_key == "")
    return (await turn.session.exec(query)).first()


async def save(turn: Turn, draft: Draft, **changes: Any) -> None:
    draft.state = {**draft.state, **changes}
    draft.rev += 1
    draft.updated_at = db_time(turn.now)
    turn.session.add(draft)
    await turn.session.flush()


async def station_ids(turn: Turn, kind: str, value: str) -> set[int]:
    """Stations one audience filter selects (live stations only)."""
    query = select(Station.id).where(col(Station.status).in_(LIVE_STATUSES))
    year = turn.today.year
    if kind == "profile":
        query = query.where(Station.policy_profile == value)
    elif kind == "region":
        query = query.where(Station.region == value)
    elif kind == "station_type":
        query = query.where(Station.station_type == value)
    elif kind == "society_level":
        query = query.join(Society, col(Society.id) == col(Station.society_id)).where(Society.level == value)
    ids = {int(i) for i in (await turn.session.exec(query)).all() if i is not None}
    if kind in ("no_plan", "no_summary", "overdue"):
        wanted = {"no_plan": ("plan",), "no_summary": ("summary",)}.get(kind)
        done = set((await turn.session.exec(select(Submission.station_id, Submission.kind, Submission.year))).all())
        profiles = dict((await turn.session.exec(select(Station.id, Station.policy_profile))).all())
        effective = await effective_profiles(turn.session)  # duties a society's override turned on count too
        selected = set()
        for station_id in ids:
            profile = effective.get(profiles[station_id]) or jobs.profile_of(profiles[station_id])
            for spec in profile.duties if profile is not None else ():
                covered = deadlines.covered_year(spec, year)
                if (wanted is not None and spec.id not in wanted) or (station_id, spec.id, covered) in done:
                    continue
                due = deadlines.annual_due_date(profile, spec.id, year) if profile is not None else None
                if kind == "overdue" and (due is None or due >= turn.today):
                    continue
                selected.add(station_id)
        ids = selected
    return ids


async def recipients(turn: Turn, filters: Sequence[Mapping[str, Any]]) -> list[Person]:
    """Everyone the filters select, once per chat."""
    people: list[Person] = []
    for f in filters:
        kind, value = str(f.get("type")), str(f.get("value", ""))
        base = select(Person).where(col(Person.active).is_(True), col(Person.chat_id).is_not(None))
        if kind == "demand_contacts":
            query = base.where(Person.role == Role.demand_contact.value)
        else:
            ids = await station_ids(turn, kind, value)
            query = base.where(col(Person.role).in_([Role.manager.value, Role.liaison.value]),
                               col(Person.station_id).in_(sorted(ids)))
        people += list((await turn.session.exec(query.order_by(col(Person.id)))).all())
    unique: dict[int, Person] = {}
    for person in people:
        assert person.chat_id is not None
        unique.setdefault(person.chat_id, person)
    return list(unique.values())


def message_of(state: Mapping[str, Any]) -> Reply:
    document = state.get("document")
    file = OutgoingFile(document["name"], file_id=document["file_id"]) if document else None
    return Reply(Raw(state.get("text", "")), file=file)


async def show_preview(turn: Turn, draft: Draft) -> list[Reply]:
    count = len(await recipients(turn, draft.state.get("audience", [])))
    await save(turn, draft, step="preview")
    text = compose.preview(draft.state.get("text", ""), bool(draft.state.get("document")),
                           draft.state.get("audience", []), count)
    return [Reply(text, compose.preview_keyboard())]


async def start(turn: Turn) -> list[Reply]:
    staff = turn.staff()
    assert staff is not None and staff.id is not None
    draft = await composer(turn)
    if draft is None:
        draft = Draft(person_id=staff.id, form_id=FORM_ID, subject_key="", state={}, status=COMPOSING,
                      created_at=db_time(turn.now), updated_at=db_time(turn.now))
    draft.status = COMPOSING
    draft.state = {}
    await save(turn, draft, step="text", audience=[])
    return [Reply(T("Send the text of the broadcast. To attach a document, send the document with the text as "
                    "its caption."))]


async def free_input(turn: Turn) -> list[Reply] | None:
    """Texts and documents while composing (the message itself, or the schedule time)."""
    if turn.staff() is None or not isinstance(turn.input, (TextInput, FileInput)):
        return None
    draft = await composer(turn)
    if draft is None or draft.status != COMPOSING:
        return None
    step = draft.state.get("step")
    if step == "text":
        if isinstance(turn.input, FileInput):
            document = {"file_id": turn.input.file_id, "name": turn.input.name}
            await save(turn, draft, text=turn.input.caption, document=document, step="audience")
        elif turn.input.text.strip():
            await save(turn, draft, text=turn.input.text.strip(), document=None, step="audience")
        else:
            return [Reply(T("Send the text of the broadcast."))]
        return [Reply(T("Who should receive it? You can combine several groups."), compose.audience_keyboard([]))]
    if step == "schedule" and isinstance(turn.input, TextInput):
        when = compose.parse_when(turn.input.text, turn.now)
        if isinstance(when, T):
            return [Reply(when)]
        return await send(turn, draft, when)
    return None


async def send(turn: Turn, draft: Draft, when: dt.datetime | None) -> list[Reply]:
    staff = turn.staff()
    assert staff is not None and staff.id is not None
    people = await recipients(turn, draft.state.get("audience", []))
    if not people:
        return [Reply(T("Nobody matches this audience; choose another one."), compose.audience_keyboard([]))]
    item = Broadcast(created_by_person_id=staff.id, text=draft.state.get("text", "")[:4096],
                     document=draft.state.get("document"), audience={"filters": draft.state.get("audience", [])},
                     scheduled_for=db_time(when) if when else None, status="scheduled" if when else "sending",
                     recipients=len(people), created_at=db_time(turn.now))
    turn.session.add(item)
    await turn.session.flush()
    message = message_of(draft.state)
    for person in people:
        assert person.chat_id is not None
        await enqueue(turn.session, key=f"broadcast:{item.id}:person-{person.id}", chat_id=person.chat_id,
                      person_id=person.id, reply=message, kind="broadcast", not_before=when or turn.now,
                      broadcast_id=item.id)
    draft.status = "sent"
    await save(turn, draft, step="done", broadcast_id=item.id)
    if when is not None:
        text: Text = T("Broadcast #{number} is scheduled for {when} to {count} recipients. /broadcasts shows it and "
                       "lets you cancel it.", number=item.id, when=when, count=len(people))
    else:
        text = T("Broadcast #{number} is on its way to {count} recipients (messages wait for the end of quiet hours "
                 "at night). /broadcasts shows the delivery report.", number=item.id, count=len(people))
    return [Reply(text, edit=True)]


async def button(turn: Turn) -> list[Reply]:
    assert isinstance(turn.input, ButtonInput)
    parts = turn.input.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    if action == "x":
        return await cancel_broadcast(turn, parts[2] if len(parts) > 2 else "")
    draft = await composer(turn)
    if draft is None or draft.status != COMPOSING:
        return [Reply(NO_DRAFT, notice=NO_DRAFT)]
    state = draft.state
    if action == "cancel":
        draft.status = "cancelled"
        await save(turn, draft, step="cancelled")
        return [Reply(T("Broadcast discarded."), edit=True)]
    if action == "a" and len(parts) > 2 and parts[2] in compose.AUDIENCES:
        kind = parts[2]
        if kind in compose.WITH_VALUE:
            options = await value_options(turn, kind)
            await save(turn, draft, step="value", pending=kind, options=options)
            rows = [[Button(compose.value_label(kind, o), f"bc:v:{i}")] for i, o in enumerate(options[:40])]
            return [Reply(T("Which one?"), keyboard(*rows), edit=True)]
        await save(turn, draft, audience=[*state.get("audience", []), {"type": kind}])
        return await show_preview(turn, draft)
    if action == "v" and state.get("step") == "value" and len(parts) > 2 and parts[2].isdigit():
        options = state.get("options", [])
        index = int(parts[2])
        if index >= len(options):
            return [Reply(NO_DRAFT, notice=T("This button is no longer active."))]
        await save(turn, draft, audience=[*state.get("audience", []),
                                          {"type": state.get("pending"), "value": options[index]}])
        return await show_preview(turn, draft)
    if action == "more" or (action == "preview" and not state.get("audience")):
        await save(turn, draft, step="audience")
        return [Reply(compose.describe(state.get("audience", [])), compose.audience_keyboard(state.get("audience", [])),
                      edit=True)]
    if action == "preview":
        return await show_preview(turn, draft)
    if state.get("step") != "preview" or not state.get("audience"):
        return [Reply(T("Choose the audience first."), compose.audience_keyboard(state.get("audience", [])))]
    if action == "test":
        return [message_of(state), Reply(T("This is how the broadcast will look."), compose.preview_keyboard())]
    if action == "send":
        return await send(turn, draft, None)
    if action == "sched":
        await save(turn, draft, step="schedule")
        return [Reply(T("When should it be sent? Type the date and time like 2027-02-20 09:30 (Beijing time)."))]
    return [Reply(T("This button is no longer active."), notice=T("This button is no longer active."))]


async def value_options(turn: Turn, kind: str) -> list[str]:
    if kind == "society_level":
        return list(compose.SOCIETY_LEVELS)
    column = {"profile": Station.policy_profile, "region": Station.region, "station_type": Station.station_type}[kind]
    values = (await turn.session.exec(select(column).where(col(Station.status).in_(LIVE_STATUSES)).distinct())).all()
    return sorted(str(v) for v in values if v)


STATES = {"scheduled": T("scheduled"), "sending": T("sending"), "finished": T("finished"),
          "cancelled": T("cancelled")}


def cancellable(item: Broadcast, now: dt.datetime) -> bool:
    """Only a scheduled broadcast whose time has not come yet (its rows still wait)."""
    return item.status == "scheduled" and item.scheduled_for is not None and db_time(item.scheduled_for) > now


def state_of(item: Broadcast, waiting: int, now: dt.datetime) -> str:
    if item.status == "cancelled":
        return "cancelled"
    if cancellable(item, now):
        return "scheduled"
    return "sending" if waiting else "finished"


async def report_lines(turn: Turn, item: Broadcast) -> Text:
    rows = (await turn.session.exec(
        select(OutboxMessage.status, OutboxMessage.last_error, func.count())
        .where(OutboxMessage.broadcast_id == item.id).group_by(OutboxMessage.status, OutboxMessage.last_error))).all()
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for status, error, n in rows:
        if status == OutboxStatus.failed and error.startswith("Forbidden"):
            counts["unreachable"] += n
        elif status == OutboxStatus.failed:
            counts["failed"] += n
            reasons[error.split(":", 1)[0] or "?"] += n
        else:
            counts[status] += n
    when = local(item.scheduled_for, turn.services.settings.tz) if item.scheduled_for else local(
        item.created_at, turn.services.settings.tz)
    waiting = counts[OutboxStatus.pending] + counts[OutboxStatus.sending]
    head = T("#{number} · {when} · {status}", number=item.id, when=when,
             status=STATES[state_of(item, waiting, turn.now)])
    lines: list[Text] = [head, Raw(item.text[:80]),
                         T("sent {sent}, waiting {waiting}, failed {failed}, unreachable {unreachable}, "
                           "unconfirmed {unconfirmed}, cancelled {cancelled}",
                           sent=counts[OutboxStatus.sent], waiting=waiting, failed=counts["failed"], unreachable=counts["unreachable"],
                           unconfirmed=counts[UNCONFIRMED], cancelled=counts[OutboxStatus.cancelled])]
    if reasons:
        lines.append(T("Reasons: {reasons}", reasons=Raw(", ".join(f"{r} ×{n}" for r, n in reasons.most_common()))))
    return Join(tuple(lines))


async def list_broadcasts(turn: Turn) -> list[Reply]:
    items = (await turn.session.exec(select(Broadcast).order_by(col(Broadcast.id).desc()).limit(10))).all()
    if not items:
        return [Reply(T("No broadcasts yet. Send /broadcast to compose one."))]
    replies = []
    for item in items:
        buttons = [Button(T("Cancel #{number}", number=item.id), f"bc:x:{item.id}")] if cancellable(item, turn.now) \
            else []
        replies.append(Reply(await report_lines(turn, item), keyboard(buttons)))
    return replies


async def cancel_broadcast(turn: Turn, number: str) -> list[Reply]:
    item = await turn.session.get(Broadcast, int(number)) if number.isdigit() else None
    if item is None or not cancellable(item, turn.now):
        return [Reply(T("Only a scheduled broadcast that has not started can be cancelled."),
                      notice=T("This button is no longer active."))]
    result: Any = await turn.session.exec(update(OutboxMessage).where(
        col(OutboxMessage.broadcast_id) == item.id, col(OutboxMessage.status) == OutboxStatus.pending.value)
        .values(status=OutboxStatus.cancelled.value))
    item.status = "cancelled"
    turn.session.add(item)
    return [Reply(T("Broadcast #{number} is cancelled; {count} messages will not be sent.", number=item.id,
                    count=int(result.rowcount or 0)), edit=True)]


def extend(router: Router, services: Services) -> None:
    router.add(Route("broadcast", STAFF, start, menu_label=T("Broadcast a message to stations"), menu_order=60))
    router.add(Route("broadcasts", STAFF, list_broadcasts, menu_label=T("Broadcasts and delivery reports"),
                     menu_order=61))
    router.add(Route("bc", STAFF, button, kind="button"))
    router.free_input.append(free_input)
