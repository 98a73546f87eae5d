"""After a round: staff confirm or dismiss what the bot proposes; managers file the rectification report.

Nothing here happens on its own: a rectification, a revocation or a re-examination starts only when a
staff member presses Confirm. Rectification: the station becomes "rectifying", the item shows on its
/status with reminders, the manager files the report (``/rectify``, a TOML form run by the engine),
and staff close the item (station active again) or escalate it (a revocation proposal).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from telegram.ext import ContextTypes, JobQueue

from bot.handlers.documents import queue_document
from bot.handlers.forms import manager_station, open_form, run_engine
from bot.routing import MANAGERS, STAFF, Route, Router, Turn
from bot.services import Services
from conversations import assessment as ui
from conversations.types import Button, CommandInput, Reply, keyboard
from locales import TN, Join, Raw, T, Text
from rules.profile import load_profile
from services import rounds
from services.consequences import CLOSE, CONFIRM, DISMISS, ESCALATE, decide_consequence
from storage.consequences import decide, due_rectifications, of_resubmission, open_items
from storage.db import Database
from storage.drafts import active_draft
from storage.ids import db_int
from storage.models import Consequence, Draft, Station, StationStatus
from storage.submissions import submit

FORM_ID = "rectification_report"
STALE = T("This button is no longer active.")
REMIND_DAYS_BEFORE = (30, 7, 1)
ACTIONS = {"cc": CONFIRM, "cd": DISMISS, "cx": CLOSE, "ce": ESCALATE}


async def decide_button(turn: Turn, action: str, consequence_id: int) -> list[Reply]:
    """``as:cc`` confirm, ``as:cd`` dismiss (proposed); ``as:cx`` close, ``as:ce`` escalate (a running rectification)."""
    staff = turn.staff()
    reply = await decide_consequence(turn.session, consequence_id, ACTIONS.get(action, ""),
                                     person_id=staff.id, now=turn.now) if staff is not None else None
    return [reply] if reply is not None else [Reply(STALE, notice=STALE)]


async def rectifying_item(turn: Turn, station: Station) -> Consequence | None:
    return next((c for c in await open_items(turn.session, station.id or 0)
                 if c.action == "rectification" and c.status == "confirmed"), None)


async def rectify(turn: Turn) -> list[Reply]:
    """``/rectify``: the manager's rectification report for the station's running rectification."""
    station = await manager_station(turn)
    item = await rectifying_item(turn, station) if station is not None else None
    if station is None or item is None:
        return [Reply(T("Your station has no rectification to report on."))]
    return await open_form(turn, FORM_ID, subject_key=f"consequence:{item.id}")


async def form_input(turn: Turn) -> list[Reply] | None:
    """Typed answers of the rectification report go to the engine (its buttons already do)."""
    ids = [p.id for p in turn.bindings if p.id is not None]
    draft = await active_draft(turn.session, ids)
    if draft is None or draft.form_id != FORM_ID or draft.station_id is None:
        return None
    station = await turn.session.get(Station, draft.station_id)
    return await run_engine(turn, draft, station, "handle") if station is not None else None


async def submitted(turn: Turn, draft: Draft, station: Station, answers: dict[str, Any]) -> list[Reply]:
    """The report is filed: kept as a versioned submission; staff get it with Close / Escalate."""
    manager = turn.manager()
    kind, _, number = draft.subject_key.partition(":")
    resubmit_id = int(number) if kind == "submission" and number.isdigit() else None  # returned by staff, corrected
    if kind == "consequence" and number.isdigit():
        item = await turn.session.get(Consequence, int(number))
    elif resubmit_id is not None:
        item = await of_resubmission(turn.session, resubmit_id)
    else:
        item = None
    if manager is None or manager.id is None or item is None or item.station_id != station.id or station.id is None:
        return [Reply(STALE)]
    submission = await submit(turn.session, station_id=station.id, kind=FORM_ID, answers=answers, person_id=manager.id,
                              now=turn.now, due_on=item.due_on, resubmit_id=resubmit_id)
    item.report_submission_id = submission.id
    await queue_document(turn, submission, manager.id)  # its paper form, sent after the commit
    await decide(turn.session, item, "reported", person_id=manager.id, now=turn.now)
    body: list[Text] = [T("Rectification report of {station} ({article}):", station=Raw(station.name), article=Raw(item.article))]
    body += [Raw(f"{answers.get(name, '')}") for name in ("problems", "measures", "results")]
    await rounds.tell_staff(turn.session, Reply(Join(tuple(body)), keyboard(
        [Button(T("Close the rectification"), f"as:cx:{item.id}"), Button(T("Escalate"), f"as:ce:{item.id}")])),
        key=f"rectification-report:{item.id}:{submission.id}", now=turn.now)
    return [Reply(T("Rectification report filed (number {number}); staff will review it.", number=submission.id))]


async def status_lines(turn: Turn) -> list[Reply]:
    """Appended to the manager's /status: a running rectification with its deadline, a certificate re-examination."""
    station = await manager_station(turn)
    if station is None or station.id is None:
        return []
    lines: list[Text] = []
    for item in await open_items(turn.session, station.id):
        if item.action == "rectification" and item.due_on is not None:
            days = (item.due_on - turn.today).days
            state = T("report filed, awaiting staff") if item.status == "reported" else (
                TN("{n} day left", "{n} days left", days) if days >= 0
                else TN("{n} day overdue", "{n} days overdue", -days))
            lines.append(T("Rectification ({article}) due {day}: {state}", article=Raw(item.article), day=item.due_on,
                           state=state))
        elif item.action == "reexamination":
            lines.append(T("Re-examination of the manager certificate ({article}): staff will contact you.",
                           article=Raw(item.article)))
    if not lines:
        return []
    buttons = keyboard([Button(T("File the rectification report"), "m:rectify")]) if any(
        i.status == "confirmed" for i in await open_items(turn.session, station.id)) else ()
    return [Reply(Join(tuple(lines)), buttons)]


async def enqueue_rectification_reminders(db: Database, now: dt.datetime) -> int:
    """30, 7 and 1 days before the deadline, then weekly while overdue; idempotent by key."""
    added = 0
    async with db.transaction() as session:
        for item in await due_rectifications(session):
            if item.due_on is None:
                continue
            days = (item.due_on - now.date()).days
            if days in REMIND_DAYS_BEFORE:
                key = f"rectification-due:{item.id}:T-{days}"
            elif days < 0 and -days % 7 == 0:
                key = f"rectification-overdue:{item.id}:{-days}"
            else:
                continue
            text = T("Reminder: your rectification ({article}) is due {day}. File the report with /rectify.",
                     article=Raw(item.article), day=item.due_on)
            added += await rounds.tell_station(session, item.station_id, Reply(
                text, keyboard([Button(T("File the rectification report"), "m:rectify")])), key=key,
                kind="reminder", now=now)
    return added


def install_jobs(services: Services) -> None:
    """Daily rectification reminders (bot.app installs it with the other scheduled jobs)."""

    async def install_job(job_queue: JobQueue[Any]) -> None:

        async def remind(context: ContextTypes.DEFAULT_TYPE) -> None:
            await enqueue_rectification_reminders(services.db, services.now())

        job_queue.run_daily(remind, dt.time(9, 0, tzinfo=services.settings.tz), name="rectification-reminders",
                            job_kwargs={"max_instances": 1})

    services.on_job_queue(install_job)


async def propose_exit(turn: Turn) -> list[Reply]:
    """``/exit <station id>``: the host unit asked to leave (or agreed to): a proposal staff then confirm."""
    args = turn.input.args if isinstance(turn.input, CommandInput) else ()
    number = db_int(args[0]) if args else None
    station = await turn.session.get(Station, number) if number is not None else None
    if station is None or station.id is None:
        return [Reply(T("Send /exit followed by the station's number, for example /exit 12 (see /stations)."))]
    if station.status not in (StationStatus.active.value, StationStatus.rectifying.value):
        return [Reply(T("{station} is no longer active.", station=Raw(station.name)))]
    spec = rounds.spec_of(load_profile(station.policy_profile))
    if not spec.exit_article:
        return [Reply(T("The regulation of {station} describes no exit; a station leaves only by revocation.",
                        station=Raw(station.name)))]
    item = Consequence(station_id=station.id, action="exit", article=spec.exit_article, created_at=turn.now)
    turn.session.add(item)
    await turn.session.flush()
    assert item.id is not None
    return [ui.proposal_card(item.id, station.name, "exit", item.article, False)]


def extend(router: Router, services: Services) -> None:
    services.hooks.form_submitted[FORM_ID] = submitted
    services.hooks.status_lines.append(status_lines)
    router.add(Route("rectify", MANAGERS, rectify, menu_label=T("File the rectification report"), menu_order=45))
    router.add(Route("exit", STAFF, propose_exit))
    router.own_drafts([FORM_ID], form_input)
