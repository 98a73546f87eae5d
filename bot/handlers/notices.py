"""公示 in chat, for any subject: /notices lists running notices, /object files an objection, staff answer it.

Generic on purpose (``storage.notices``): station applications use it, and so can assessment results.
Objections come from anyone the bot knows (the door admits strangers to invitations only); staff
record an objection received by post or phone with the same command. The answer (upheld or not, with
the finding) reaches the objector through the outbox, as seed 002 第十五条（四） asks (调查核实结果反馈).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from telegram.ext import ContextTypes, JobQueue

from bot.routing import KNOWN, STAFF, Route, Router, Turn
from bot.services import Services
from bot.staff_drafts import StaffAnswer, open_staff_draft, staff_answer
from bot.submit import notify_staff
from conversations.types import Button, ButtonInput, CommandInput, Reply, keyboard
from locales import Join, Raw, T, Text
from storage.datetimes import local
from storage.db import Database
from storage.ids import db_int
from storage.models import Objection, PublicNotice
from storage.notices import (
    MAX_REASON,
    answer_objection,
    ended_open_notices,
    file_objection,
    running_notices,
    state_of,
)
from storage.outbox import Outgoing, enqueue, enqueue_many
from storage.people import bindings_for
from storage.recipients import active_staff

ANSWER = "objection_answer"
STALE = T("This objection has changed since this message; nothing was done.")
USAGE = T("To object, send /object <notice number> <your reason>, e.g. /object 3 The unit has not operated for two years.")


def shown(turn: Turn, value: dt.datetime) -> dt.datetime:
    return local(value, turn.now.tzinfo or dt.UTC)


async def enqueue_notice_endings(db: Database, now: dt.datetime, tz: dt.tzinfo) -> int:
    """Tell staff once when a 公示 is over and its subject still awaits their decision (idempotent keys)."""
    async with db.transaction() as session:
        items: list[Outgoing] = []
        staff = await active_staff(session)
        for notice in await ended_open_notices(session, now):
            state = await state_of(session, notice, now)
            reply = Reply(T("The public notice (公示) no. {number} — {title} — ended on {until}: {n} objection(s), "
                            "{open} unanswered. It now awaits your decision (station applications: /applications).",
                            number=notice.id or 0, title=Raw(notice.title), until=local(notice.ends_at, tz),
                            n=state.objections, open=state.unanswered))
            items += [Outgoing(f"notice-ended:{notice.id}:person-{person.id}", person.chat_id or 0, reply,
                               "staff_alert", person.id, respect_quiet_hours=True) for person in staff]
        added = await enqueue_many(session, items, not_before=now)
    return added


def install_jobs(services: Services) -> None:
    """At start (the catch-up sweep) and hourly: staff hear when a notice period is over (bot.app installs it)."""

    async def start(job_queue: JobQueue[Any]) -> None:
        await enqueue_notice_endings(services.db, services.now(), services.settings.tz)

        async def sweep(context: ContextTypes.DEFAULT_TYPE) -> None:
            await enqueue_notice_endings(services.db, services.now(), services.settings.tz)

        job_queue.run_repeating(sweep, interval=3600, first=3600, name="notice-endings",
                                job_kwargs={"max_instances": 1, "coalesce": True})

    services.on_job_queue(start)


def extend(router: Router, services: Services) -> None:

    async def notices(turn: Turn) -> list[Reply]:
        rows = await running_notices(turn.session, turn.now)
        if not rows:
            return [Reply(T("No public notice (公示) is running."))]
        lines: list[Text] = [T("Public notices (公示) now running:")]
        for notice in rows:
            lines.append(T("No. {number}: {title} — until {until}", number=notice.id or 0, title=Raw(notice.title),
                           until=shown(turn, notice.ends_at)))
        return [Reply(Join((*lines, USAGE)))]

    async def object_command(turn: Turn) -> list[Reply]:
        assert isinstance(turn.input, CommandInput)
        args = turn.input.args
        notice_id = db_int(args[0]) if len(args) >= 2 else None
        if notice_id is None:
            return [Reply(USAGE)]
        notice = await turn.session.get(PublicNotice, notice_id)
        if notice is None:
            return [Reply(T("There is no public notice number {number}. Send /notices to see the running ones.",
                            number=args[0]))]
        reason = " ".join(args[1:])[:MAX_REASON]
        objection = await file_objection(turn.session, notice, telegram_user_id=turn.telegram_user_id,
                                         chat_id=turn.chat_id, name=turn.user_name, reason=reason, now=turn.now)
        if objection is None:
            return [Reply(T("The public notice no. {number} is over; objections are no longer accepted.",
                            number=notice.id or 0))]
        card = Reply(Join((T("Objection #{number} to public notice no. {notice}: {title}", number=objection.id or 0,
                             notice=notice.id or 0, title=Raw(notice.title)),
                           T("From: {person}", person=Raw(turn.user_name)),
                           T("Reason: {reason}", reason=Raw(reason)),
                           T("Investigate, then answer:"))),
                     keyboard([Button(T("Objection upheld"), f"ob:u:{objection.id}"),
                               Button(T("Not upheld"), f"ob:n:{objection.id}")]))
        await notify_staff(turn, card, key=f"objection:{objection.id}")
        return [Reply(T("Your objection #{number} is recorded. Staff will investigate and tell you the result here.",
                        number=objection.id or 0))]

    async def answer_button(turn: Turn) -> list[Reply]:
        """``ob:u:<objection>`` upheld / ``ob:n:<objection>`` not upheld, then the finding as text."""
        assert isinstance(turn.input, ButtonInput)
        parts = turn.input.data.split(":")
        objection_id = db_int(parts[2]) if len(parts) > 2 else None
        objection = await turn.session.get(Objection, objection_id) if objection_id is not None else None
        staff = turn.staff()
        if objection is None or parts[1] not in ("u", "n") or objection.answered_at is not None or \
                staff is None or staff.id is None:
            return [Reply(STALE, notice=STALE)]
        await open_staff_draft(turn, staff.id, form_id=ANSWER, subject_key=f"objection:{objection.id}",
                               state={"objection_id": objection.id, "upheld": parts[1] == "u"})
        return [Reply(T("Type the finding of your investigation; the objector will receive it. (/cancel to stop)"))]

    async def answer_input(turn: Turn) -> list[Reply] | None:
        answer = await staff_answer(turn, [ANSWER], T("Cancelled; the objection is still unanswered."), text=True)
        if not isinstance(answer, StaffAnswer):
            return answer
        objection = await turn.session.get(Objection, int(answer.draft.state.get("objection_id") or 0))
        upheld = bool(answer.draft.state.get("upheld"))
        await turn.session.delete(answer.draft)
        if objection is None or objection.answered_at is not None:
            return [Reply(STALE)]
        finding = answer.text.strip()[:MAX_REASON]
        await answer_objection(turn.session, objection, upheld=upheld, answer=finding, person_id=answer.staff_id,
                               now=turn.now)
        notice = await turn.session.get(PublicNotice, objection.notice_id)
        verdict = T("upheld") if upheld else T("not upheld")
        reply = Reply(Join((T("Result of your objection #{number} to {title}: {verdict}.", number=objection.id or 0,
                              title=Raw(notice.title if notice else "?"), verdict=verdict),
                            T("Finding: {finding}", finding=Raw(finding)))))
        known = await bindings_for(turn.session, objection.telegram_user_id)  # for the objector's language
        await enqueue(turn.session, key=f"objection-answer:{objection.id}", chat_id=objection.chat_id, reply=reply,
                      kind="review_result", person_id=known[-1].id if known else None, not_before=turn.now,
                      respect_quiet_hours=False)
        return [Reply(T("Objection #{number} answered ({verdict}); the objector has been told.",
                        number=objection.id or 0, verdict=verdict))]

    router.add(Route("notices", KNOWN, notices, menu_label=T("Public notices (公示)"), menu_order=800))
    router.add(Route("object", KNOWN, object_command))
    router.add(Route("ob", STAFF, answer_button, kind="button"))
    router.own_drafts([ANSWER], answer_input)
