"""Staff review: accept or return with a comment; managers reopen returned submissions. Also /pending."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.handlers.forms import manager_station, open_form
from bot.routing import APPLICANTS, MANAGERS, STAFF, Route, Router, Turn
from bot.services import Services
from bot.staff_drafts import StaffAnswer, staff_answer
from bot.submission_forms import form_and_context, submission_form
from conversations.review import kind_label
from conversations.types import Button, ButtonInput, Reply, keyboard
from locales import TN, Join, Raw, T, Text
from services import review
from services.review import STALE, card, view_of
from storage.datetimes import local
from storage.drafts import get_or_create, save
from storage.ids import db_int
from storage.models import Person, Submission, SubmissionStatus
from storage.submissions import latest_answers, review_queue


@dataclass(frozen=True)
class KindHooks:
    """A submission kind with no station yet (station applications) plugs its own steps into this review flow.

    Registered in ``services.hooks.review_kinds[kind]`` by the area that owns the kind.
    """

    card: Callable[[Turn, Submission], Awaitable[Reply]]
    reopen: Callable[[Turn, Submission], Awaitable[list[Reply]]]
    accept: Callable[[Turn, Submission, Person, int], Awaitable[list[Reply]]]


def hooks_for(turn: Turn, kind: str) -> KindHooks | None:
    hooks: KindHooks | None = turn.services.hooks.review_kinds.get(kind)
    return hooks


async def card_for(turn: Turn, submission: Submission) -> Reply:
    hooks = hooks_for(turn, submission.kind)
    if hooks is not None:
        return await hooks.card(turn, submission)
    return card(await view_of(turn.session, submission, today=turn.today, tr=turn.tr, forms=form_and_context))


def extend(router: Router, services: Services) -> None:
    async def review_button(turn: Turn) -> list[Reply]:
        assert isinstance(turn.input, ButtonInput)
        parts = turn.input.data.split(":")
        action = parts[1] if len(parts) > 1 else ""
        sub_id = db_int(parts[2]) if len(parts) > 2 else None
        submission = await turn.session.get(Submission, sub_id) if sub_id is not None else None
        if submission is None or sub_id is None:
            return [Reply(STALE, notice=STALE)]
        if action == "o":
            return await reopen(turn, submission)
        staff = turn.staff()
        if staff is None or staff.id is None:
            return [Reply(T("Only staff can review submissions."), notice=T("Only staff can review submissions."))]
        if action == "s":
            return [await card_for(turn, submission)]
        given = db_int(parts[3]) if len(parts) > 3 else None
        version = -1 if given is None else given
        hooks = hooks_for(turn, submission.kind)
        if action == "a" and hooks is None:
            decided = await review.accept(turn.session, sub_id, version, staff=staff, now=turn.now)
            return [Reply(decided.message, notice=decided.notice)]
        closed = await review.why_closed(turn.session, submission, version)
        if closed is not None:
            return [Reply(closed.message, notice=closed.notice)]
        if action == "a" and hooks is not None:
            return await hooks.accept(turn, submission, staff, version)
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
        return await open_form(turn, await submission_form(turn.session, station, submission),
                               subject_key=f"submission:{submission.id}",
                               prefill=answers)

    async def comment_input(turn: Turn) -> list[Reply] | None:
        answer = await staff_answer(turn, ["review_comment"],
                                    T("Review comment cancelled; the submission still awaits review."),
                                    text=False)  # an empty comment is refused by the use case, with its reason
        if not isinstance(answer, StaffAnswer):
            return answer
        draft = answer.draft
        decided = await review.return_with_comment(turn.session, int(draft.state.get("submission_id", 0)),
                                                   int(draft.state.get("version", -1)), staff=answer.staff,
                                                   comment=answer.text, now=turn.now)
        if decided.outcome is not review.Outcome.refused:  # a usable comment: asked once, answered once
            await turn.session.delete(draft)
        return [Reply(decided.message)]

    async def pending(turn: Turn) -> list[Reply]:
        rows, total = await review_queue(turn.session, limit=20)
        if not rows:
            return [Reply(T("Nothing awaits review."))]
        lines: list[Text] = [TN("{n} submission awaits review:", "{n} submissions await review (oldest first):", total)]
        buttons = []
        for row in rows:
            sub = row.submission
            lines.append(Join((Raw(f"#{sub.id}"), kind_label(sub.kind), Raw(row.station_name or "—"),
                               T("{day}", day=local(sub.submitted_at, turn.services.settings.tz).date())), " · "))
            buttons.append([Button(Raw(f"#{sub.id}"), f"rv:s:{sub.id}")])
        return [Reply(Join(tuple(lines)), keyboard(*buttons))]

    router.add(Route("rv", MANAGERS | STAFF | APPLICANTS, review_button, kind="button"))
    router.add(Route("pending", STAFF, pending, menu_label=T("Submissions awaiting review"), menu_order=520))
    router.own_drafts(["review_comment"], comment_input)
