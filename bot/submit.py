"""What happens when a form is submitted: ledger rows, versioned submissions, deadlines, staff review."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from bot.duties import draft_duty, station_profile
from bot.handlers.documents import queue_document
from bot.routing import Turn
from bot.submission_forms import form_and_context
from conversations.duties import duty_label
from conversations.formspec import load_form
from conversations.review import STATUS_LABELS
from conversations.types import Reply
from locales import TN, Join, Raw, T, Text
from rules.deadlines import annual_due_date, deadline_for, due_year_of, lateness
from services.rating_requests import request_rating_for_activity
from services.review import card, view_of
from storage.calendar import workday_calendar
from storage.ids import db_int
from storage.ledger import activity_columns
from storage.models import Activity, DemandUnit, Draft, Person, Station
from storage.outbox import enqueue
from storage.recipients import active_staff
from storage.roster import NewExpert, link_experts, need_for, roster_experts
from storage.submissions import SubmissionLocked, submit

log = logging.getLogger(__name__)
SUBMISSION_KINDS = {"change_report": "change_report", "annual_plan": "plan", "annual_summary": "summary"}
NO_DUTY = T("This form files no yearly duty of your station; nothing was submitted.")


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


async def on_submitted(turn: Turn, draft: Draft, station: Station, answers: dict[str, Any]) -> list[Reply]:
    hook = turn.services.hooks.form_submitted.get(draft.form_id)
    if hook is not None:  # a feature area's own form (the rectification report ...) handles its submission
        replies: list[Reply] = await hook(turn, draft, station, answers)
        return replies
    if draft.form_id == "activity":
        return await log_activity(turn, station, answers)
    return await submit_for_review(turn, draft, station, answers)


async def submit_for_review(turn: Turn, draft: Draft, station: Station, answers: dict[str, Any]) -> list[Reply]:
    manager = turn.manager()
    assert manager is not None and manager.id is not None and station.id is not None
    profile = await station_profile(turn.session, station)
    duty = None if draft.form_id == "change_report" else await draft_duty(turn.session, draft, profile)
    if draft.form_id != "change_report" and duty is None:
        return [Reply(NO_DUTY)]
    kind = duty.id if duty is not None else SUBMISSION_KINDS[draft.form_id]
    year = int(answers["year"]) if isinstance(answers.get("year"), int) else None
    due_on: dt.date | None = None
    event_on: dt.date | None = None
    late = 0
    headline: list[Text] = []
    if kind == "change_report":
        event_on = _date(answers.get("event_date"))
        assert event_on is not None
        calendar = await workday_calendar(turn.session)
        due_on = deadline_for(str(answers["kind"]), event_on, profile, calendar)
        late = lateness(due_on, turn.today, calendar)
        headline = [deadline_line(due_on, late)]
        if calendar.guessed_years_used:
            log.warning("holiday schedule not loaded for %s: working days counted Monday to Friday",
                        sorted(calendar.guessed_years_used))
            headline.append(T("Note: the official holiday schedule for {years} is not loaded; working days were counted Monday to Friday.",
                              years=Raw(", ".join(str(y) for y in sorted(calendar.guessed_years_used)))))
    elif year is not None and duty is not None:
        due_on = annual_due_date(duty, due_year_of(duty, year), profile)
    resubmit_id = int(draft.subject_key.split(":", 1)[1]) if draft.subject_key.startswith("submission:") else None
    try:
        submission = await submit(turn.session, station_id=station.id, kind=kind, answers=answers,
                                  person_id=manager.id, now=turn.now, year=year, due_on=due_on, event_on=event_on,
                                  late_workdays=late, resubmit_id=resubmit_id, one_per_year=duty is not None)
    except SubmissionLocked as locked:
        return [Reply(T("A {kind} for {year} has already been submitted (status: {status}); it can only be changed after staff return it.",
                        kind=duty_label(kind, profile),
                        year=year or 0, status=STATUS_LABELS.get(locked.submission.status, Raw(locked.submission.status))))]
    assert submission.id is not None
    await queue_document(turn, submission, manager.id)  # the paper document, rendered after the commit
    if not manager.name:  # a binding made without a name: keep the Telegram name, so every card shows one
        manager.name = turn.user_name[:100]
        turn.session.add(manager)
    view = await view_of(turn.session, submission, today=turn.today, tr=turn.tr, forms=form_and_context)
    await notify_staff(turn, card(view, headline), key=f"review:{submission.id}:v{submission.current_version}")
    done = T("Submitted (number {number}, version {version}). Staff will review it; you will be told the result here.",
             number=submission.id, version=submission.current_version)
    return [Reply(Join((done, *headline)))]


def deadline_line(due_on: dt.date | None, late: int) -> Text:
    if due_on is None:
        return T("No reporting deadline is set for this change.")
    if late > 0:
        return TN("Deadline was {day}: this report is late by {n} working day.",
                  "Deadline was {day}: this report is late by {n} working days.", late, day=due_on)
    return T("Deadline: {day} — reported on time.", day=due_on)


async def notify_staff(turn: Turn, reply: Reply, *, key: str) -> int:
    count = 0
    for person in await active_staff(turn.session):
        assert person.chat_id is not None
        added = await enqueue(turn.session, key=f"{key}:to-{person.id}", chat_id=person.chat_id, reply=reply,
                              kind="staff_review", person_id=person.id, not_before=turn.now,
                              respect_quiet_hours=False)
        count += int(added)
    return count


async def log_activity(turn: Turn, station: Station, answers: dict[str, Any]) -> list[Reply]:
    manager = turn.manager()
    assert manager is not None and manager.id is not None and station.id is not None
    unit_id: int | None = None
    choice = answers.get("demand_unit")
    if choice == "new" and answers.get("new_unit_name"):
        unit = DemandUnit(name=str(answers["new_unit_name"]), credit_code=str(answers.get("new_unit_credit_code") or ""),
                          contact_name=str(answers.get("new_unit_contact_name") or ""),
                          contact_phone=str(answers.get("new_unit_contact_phone") or ""),
                          created_by_station_id=station.id)
        turn.session.add(unit)
        await turn.session.flush()
        unit_id = unit.id
    elif isinstance(choice, str) and (chosen := db_int(choice)) is not None:
        known = await turn.session.get(DemandUnit, chosen)
        unit_id = known.id if known is not None else None
    need_id = await need_for(turn.session, station.id, unit_id, answers.get("need"), answers.get("new_need"))
    days = int(answers.get("days_each") or 0)
    added = [NewExpert(str(row.get("name") or ""), str(row.get("title") or ""), bool(row.get("outside_province")))
             for row in answers.get("new_experts") or [] if isinstance(row, dict)]
    experts = await roster_experts(turn.session, station.id, list(answers.get("expert_picks") or []), added)
    columns = activity_columns(load_form("activity", station.policy_profile), answers)
    # The free-text columns stay filled for the ledger export: names, head count, total days (known
    # before the row is written, so it is written once).
    columns.update(experts="、".join(e.name for e in experts)[:1000], experts_count=len(experts),
                   experts_outside_province=sum(e.outside_province for e in experts), expert_days=days * len(experts))
    activity = Activity(**columns, station_id=station.id, demand_unit_id=unit_id, need_id=need_id, answers=answers,
                        logged_by_person_id=manager.id)
    turn.session.add(activity)
    await turn.session.flush()
    assert activity.id is not None
    await link_experts(turn.session, activity.id, experts, days)
    replies = [Reply(T("Recorded in the station ledger (entry {number}).", number=activity.id))]
    if unit_id is not None:
        replies += await request_rating(turn, activity, manager)
    return replies


async def request_rating(turn: Turn, activity: Activity, manager: Person) -> list[Reply]:
    """Ask the served unit to rate the service (the use case in ``services.rating_requests``)."""
    return await request_rating_for_activity(turn.session, activity, manager, turn.now, turn.services.deep_link)
