"""Staff review: accept or return with a comment; managers reopen returned submissions. Also /pending."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.duties import form_of_kind, station_profile
from bot.form_context import form_context
from bot.handlers.forms import manager_station, open_form
from bot.routing import APPLICANTS, MANAGERS, STAFF, Route, Router, Turn
from bot.services import Services
from conversations.formspec import load_form
from conversations.review import accepted_notice, answers_text, kind_label, returned_notice, staff_card
from conversations.types import Button, ButtonInput, CommandInput, Reply, TextInput, keyboard
from locales import Join, Raw, T, Text
from storage.datetimes import local
from storage.drafts import active_draft, get_or_create, save
from storage.models import Person, Station, Submission, SubmissionStatus
from storage.outbox import enqueue
from storage.recipients import station_managers
from storage.submissions import latest_answers, pending_review, review, submitter_name

FORM_OF_KIND = {"change_report": "change_report", "plan": "annual_plan", "summary": "annual_summary",
                "rectification_report": "rectification_report"}
STALE = T("This submission has changed since this message; nothing was done.")
MAX_COMMENT = 2000


@dataclass(frozen=True)
class KindHooks:
    """A submission kind with no station yet (station applications) plugs its own steps into this review flow.

    Registered in ``services.hooks.review_kinds[kind]`` by the area that owns the kind.
    """

    card: Callable[[Turn, Submission], Awaitable[Reply]]
    notify: Callable[[Turn, Submission, Reply, str], Awaitable[None]]
    reopen: Callable[[Turn, Submission], Awaitable[list[Reply]]]
    accept: Callable[[Turn, Submission, Person, int], Awaitable[list[Reply]]]


def hooks_for(turn: Turn, kind: str) -> KindHooks | None:
    hooks: KindHooks | None = turn.services.hooks.review_kinds.get(kind)
    return hooks


async def notify_station(turn: Turn, submission: Submission, reply: Reply, key: str) -> None:
    hooks = hooks_for(turn, submission.kind)
    if hooks is not None:
        await hooks.notify(turn, submission, reply, key)
        return
    for person in await station_managers(turn.session, [submission.station_id] if submission.station_id else []):
        assert person.chat_id is not None
        await enqueue(turn.session, key=f"{key}:to-{person.id}", chat_id=person.chat_id, reply=reply,
                      kind="review_result", person_id=person.id, not_before=turn.now, respect_quiet_hours=False)


async def submission_form(turn: Turn, station: Station, submission: Submission) -> str:
    """The form a submission was filed with: change report, or its yearly duty's own form."""
    profile = await station_profile(turn.session, station)
    return form_of_kind(submission.kind, profile) or FORM_OF_KIND[submission.kind]


async def card_for(turn: Turn, submission: Submission) -> Reply:
    hooks = hooks_for(turn, submission.kind)
    if hooks is not None:
        return await hooks.card(turn, submission)
    station = await turn.session.get(Station, submission.station_id)
    assert station is not None and submission.id is not None
    form = load_form(await submission_form(turn, station, submission), station.policy_profile)
    ctx = await form_context(turn.session, station, turn.today, turn.tr)
    answers = await latest_answers(turn.session, submission)
    return staff_card(submission_id=submission.id, version=submission.current_version, kind=submission.kind,
                      station_name=station.name, submitted_by=await submitter_name(turn.session, submission),
                      headline=[],
                      body=answers_text(form, answers, ctx))


def extend(router: Router, services: Services) -> None:
    async def review_button(turn: Turn) -> list[Reply]:
        assert isinstance(turn.input, ButtonInput)
        parts = turn.input.data.split(":")
        action = parts[1] if len(parts) > 1 else ""
        sub_id = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 0
        submission = await turn.session.get(Submission, sub_id)
        if submission is None:
            return [Reply(STALE, notice=STALE)]
        if action == "o":
            return await reopen(turn, submission)
        staff = turn.staff()
        if staff is None or staff.id is None:
            return [Reply(T("Only staff can review submissions."), notice=T("Only staff can review submissions."))]
        if action == "s":
            return [await card_for(turn, submission)]
        version = int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else -1
        if submission.status != SubmissionStatus.submitted or version != submission.current_version:
            return [Reply(STALE, notice=STALE)]
        hooks = hooks_for(turn, submission.kind)
        if action == "a" and hooks is not None:
            return await hooks.accept(turn, submission, staff, version)
        if action == "a":
            await review(turn.session, submission, accept=True, staff_person_id=staff.id, now=turn.now)
            await notify_station(turn, submission, accepted_notice(kind=submission.kind, year=submission.year),
                                 key=f"accepted:{submission.id}:v{version}")
            return [Reply(T("Accepted submission #{number}; the station has been told.", number=submission.id),
                          notice=T("Accepted"))]
        if action == "r":
            draft, _ = await get_or_create(turn.session, person_id=staff.id, form_id="review_comment",
                                           subject_key=f"submission:{submission.id}", station_id=None, now=turn.now)
            await save(turn.session, draft, {"submission_id": submission.id, "version": version}, 0, turn.now)
            return [Reply(T("Type your comment for the station: what should they change? (/cancel to stop)"))]
        return [Reply(STALE, notice=STALE)]

    async def reopen(turn: Turn, submission: Submission) -> list[Reply]:
        hooks = hooks_for(turn, submission.kind)
        if hooks is not None:
            return await hooks.reopen(turn, submission)
        station = await manager_station(turn)
        if station is None or station.id != submission.station_id:
            return [Reply(T("You cannot do that with your current role. Send /help to see what you can do."))]
        if submission.status != SubmissionStatus.returned:
            return [Reply(STALE, notice=STALE)]
        answers = await latest_answers(turn.session, submission)
        return await open_form(turn, await submission_form(turn, station, submission),
                               subject_key=f"submission:{submission.id}",
                               prefill=answers)

    async def comment_input(turn: Turn) -> list[Reply] | None:
        staff = turn.staff()
        if staff is None or staff.id is None:
            return None
        draft = await active_draft(turn.session, [staff.id])
        if draft is None or draft.form_id != "review_comment":
            return None
        if isinstance(turn.input, CommandInput) and turn.input.command == "cancel":
            await turn.session.delete(draft)
            return [Reply(T("Review comment cancelled; the submission still awaits review."))]
        if not isinstance(turn.input, TextInput) or not turn.input.text.strip():
            return [Reply(T("Please type the comment as text."))]
        if len(turn.input.text) > MAX_COMMENT:
            return [Reply(T("The comment is too long ({n} characters); please keep it under {limit}.",
                            n=len(turn.input.text), limit=MAX_COMMENT))]
        submission = await turn.session.get(Submission, int(draft.state.get("submission_id", 0)))
        await turn.session.delete(draft)
        if submission is None or submission.status != SubmissionStatus.submitted or \
                submission.current_version != draft.state.get("version"):
            return [Reply(STALE)]
        comment = turn.input.text.strip()
        await review(turn.session, submission, accept=False, staff_person_id=staff.id, now=turn.now, comment=comment)
        assert submission.id is not None
        await notify_station(turn, submission, returned_notice(submission_id=submission.id, kind=submission.kind,
                                                               year=submission.year, comment=comment),
                             key=f"returned:{submission.id}:v{submission.current_version}")
        return [Reply(T("Returned submission #{number} with your comment; the station has been told.",
                        number=submission.id))]

    async def pending(turn: Turn) -> list[Reply]:
        rows, total = await pending_review(turn.session, limit=20)
        if not rows:
            return [Reply(T("Nothing awaits review."))]
        lines: list[Text] = [T("{n} submissions await review (oldest first):", n=total)]
        buttons = []
        for sub in rows:
            station = await turn.session.get(Station, sub.station_id) if sub.station_id else None
            lines.append(Join((Raw(f"#{sub.id}"), kind_label(sub.kind),
                               Raw(station.name if station else "—"),
                               T("{day}", day=local(sub.submitted_at, turn.services.settings.tz).date())), " · "))
            buttons.append([Button(Raw(f"#{sub.id}"), f"rv:s:{sub.id}")])
        return [Reply(Join(tuple(lines)), keyboard(*buttons))]

    router.add(Route("rv", MANAGERS | STAFF | APPLICANTS, review_button, kind="button"))
    router.add(Route("pending", STAFF, pending, menu_label=T("Submissions awaiting review"), menu_order=520))
    router.free_input.insert(0, comment_input)
