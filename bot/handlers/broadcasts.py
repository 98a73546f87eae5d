"""/broadcast (compose, choose the audience, preview, send now / schedule / test) and /broadcasts (report, cancel).

The composer's state is a Draft row (form_id "broadcast", status "composing"), so a restart
mid-composition loses nothing. What a broadcast does (recipients once per person, outbox rows,
scheduling, cancelling, the delivery report, the audit entry) is the use case in
``services.broadcasts``, shared with the web console. (The scheduler jobs are installed by ``bot.app``.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.routing import STAFF, Route, Router, Turn
from bot.services import Services
from conversations import broadcast as compose
from conversations.fields import FieldError
from conversations.types import Button, ButtonInput, FileInput, Reply, TextInput, keyboard
from locales import TN, Join, Raw, T, Text
from services import broadcasts as use
from storage.broadcasts import FORM_ID, composer_draft, recent_broadcasts, save_draft
from storage.datetimes import db_time, local
from storage.drafts import park_others
from storage.ids import db_int
from storage.models import Draft, OutboxStatus
from storage.outbox import UNCONFIRMED
from storage.recipients import station_choices

COMPOSING = "composing"
NO_DRAFT = T("There is no broadcast being composed. Send /broadcast to start one.")


async def composer(turn: Turn) -> Draft | None:
    staff = turn.staff()
    if staff is None or staff.id is None:
        return None
    return await composer_draft(turn.session, staff.id)


async def save(turn: Turn, draft: Draft, **changes: Any) -> None:
    await save_draft(turn.session, draft, turn.now, **changes)


def message_of(state: dict[str, Any]) -> Reply:
    return use.message_of(state.get("text", ""), state.get("document"))


async def show_preview(turn: Turn, draft: Draft) -> list[Reply]:
    count = len(await use.recipients(turn.session, draft.state.get("audience", []), turn.today))
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
    # A question still open (a /people search, a row's points) would take the text meant for the broadcast.
    await park_others(turn.session, [staff.id], draft.id or 0)
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
            try:  # the same limits as a document attached in the console
                document = use.attachment_of(turn.input)
            except FieldError as error:
                return [Reply(error.message)]
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
    item = await use.create(turn.session, staff=staff, text=draft.state.get("text", ""),
                            filters=draft.state.get("audience", []), now=turn.now, when=when,
                            document=draft.state.get("document"))
    if item is None:
        return [Reply(T("Nobody matches this audience; choose another one."), compose.audience_keyboard([]))]
    draft.status = "sent"
    await save(turn, draft, step="done", broadcast_id=item.id)
    if when is not None:
        text: Text = TN("Broadcast #{number} is scheduled for {when} to {n} recipient. /broadcasts shows it and "
                        "lets you cancel it.",
                        "Broadcast #{number} is scheduled for {when} to {n} recipients. /broadcasts shows it and "
                        "lets you cancel it.", item.recipients, number=item.id, when=when)
    else:
        text = TN("Broadcast #{number} is on its way to {n} recipient (messages wait for the end of quiet hours "
                  "at night). /broadcasts shows the delivery report.",
                  "Broadcast #{number} is on its way to {n} recipients (messages wait for the end of quiet hours "
                  "at night). /broadcasts shows the delivery report.", item.recipients, number=item.id)
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
    if action == "v" and state.get("step") == "value" and len(parts) > 2:
        options = state.get("options", [])
        index = db_int(parts[2])
        if index is None or index >= len(options):
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
    return [value for value, _label in (await station_choices(turn.session))[kind]]


def report_lines(report: use.Report, turn: Turn) -> Text:
    item, counts = report.item, report.counts
    when = local(item.scheduled_for or item.created_at, turn.services.settings.tz)
    head = T("#{number} · {when} · {status}", number=item.id, when=when, status=compose.BROADCAST_STATES[report.state])
    lines: list[Text] = [head, Raw(item.text[:80]),
                         T("sent {sent}, waiting {waiting}, failed {failed}, unreachable {unreachable}, "
                           "unconfirmed {unconfirmed}, cancelled {cancelled}",
                           sent=counts[OutboxStatus.sent], waiting=report.waiting, failed=counts["failed"],
                           unreachable=counts["unreachable"], unconfirmed=counts[UNCONFIRMED],
                           cancelled=counts[OutboxStatus.cancelled])]
    if report.reasons:
        lines.append(T("Reasons: {reasons}", reasons=Raw(", ".join(f"{r} ×{n}" for r, n in report.reasons.most_common()))))
    return Join(tuple(lines))


async def list_broadcasts(turn: Turn) -> list[Reply]:
    items = await recent_broadcasts(turn.session)
    if not items:
        return [Reply(T("No broadcasts yet. Send /broadcast to compose one."))]
    replies = []
    for report in await use.reports(turn.session, items, turn.now, turn.services.settings.quiet_hours):
        item = report.item
        buttons = [Button(T("Cancel #{number}", number=item.id), f"bc:x:{item.id}")] \
            if use.cancellable(item, turn.now) else []
        replies.append(Reply(report_lines(report, turn), keyboard(buttons)))
    return replies


async def cancel_broadcast(turn: Turn, number: str) -> list[Reply]:
    staff = turn.staff()
    assert staff is not None
    broadcast_id = db_int(number)
    count = await use.cancel(turn.session, broadcast_id, staff=staff, now=turn.now) if broadcast_id is not None else None
    if count is None:
        return [Reply(T("Only a scheduled broadcast that has not started can be cancelled."),
                      notice=T("This button is no longer active."))]
    return [Reply(TN("Broadcast #{number} is cancelled; {n} message will not be sent.",
                     "Broadcast #{number} is cancelled; {n} messages will not be sent.", count, number=broadcast_id), edit=True)]


def extend(router: Router, services: Services) -> None:
    router.add(Route("broadcast", STAFF, start, menu_label=T("Broadcast a message to stations"), menu_order=60))
    router.add(Route("broadcasts", STAFF, list_broadcasts, menu_label=T("Broadcasts and delivery reports"),
                     menu_order=61))
    router.add(Route("bc", STAFF, button, kind="button"))
    router.take_without_form(free_input)
