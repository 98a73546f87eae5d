"""Staff's side of station applications: the checklist ticks, /applications, approval (cap warnings) and refusal.

The review itself (accept, return with a comment) runs through ``bot.handlers.review`` with the hooks
registered in ``bot.handlers.applications``; this module takes over once staff decide.
"""

from __future__ import annotations

from typing import Any

from bot.handlers.applications import (
    STALE,
    applications_list,
    card_of,
    rules_of,
    tell_applicant,
    title_of,
)
from bot.handlers.notices import shown
from bot.routing import STAFF, Route, Router, Turn
from bot.services import Services
from bot.staff_drafts import StaffAnswer, open_staff_draft, staff_answer
from conversations import applications as texts
from conversations.onboarding import ROLE_NAMES
from conversations.types import Button, ButtonInput, Reply, keyboard
from locales import Join, Raw, T, Text
from rules.profile import ApplicationRules, load_profile
from services import applications as approval
from storage import applications as store
from storage.ids import db_int
from storage.models import Person, StationApplication, Submission
from storage.notices import close_notice, notice_for, state_of
from storage.submissions import latest_answers

DECISION = "application_decision"  # staff's one-line draft: the approval number, or the refusal's reason
MAX_TEXT = 2000


async def load(turn: Turn, raw: str) -> StationApplication | None:
    number = db_int(raw)
    return await turn.session.get(StationApplication, number) if number is not None else None


async def staff_button(turn: Turn) -> list[Reply]:
    """``ap:t:<app>:<item>:<version>`` tick, ``ap:s:<app>`` show, ``ap:p|P:<app>`` approve, ``ap:x:<app>`` refuse."""
    assert isinstance(turn.input, ButtonInput)
    parts = turn.input.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    application = await load(turn, parts[2]) if len(parts) > 2 else None
    staff = turn.staff()
    if application is None or staff is None or staff.id is None:
        return [Reply(STALE, notice=STALE)]
    submission = await turn.session.get(Submission, application.submission_id)
    assert submission is not None
    if action == "t":
        return await tick(turn, application, submission, staff, parts)
    if action == "s":
        return [await show(turn, application, submission)]
    if application.stage not in store.OPEN_STAGES:
        return [Reply(STALE, notice=STALE)]
    if action in ("p", "P"):
        return await approve_step(turn, application, staff, confirmed=action == "P")
    if action == "x":
        return await ask_decision(turn, application, staff, "refuse")
    return [Reply(STALE, notice=STALE)]


async def tick(turn: Turn, application: StationApplication, submission: Submission, staff: Person,
               parts: list[str]) -> list[Reply]:
    rules = rules_of(load_profile(application.policy_profile))
    index = db_int(parts[3]) if len(parts) > 3 else None
    version = db_int(parts[4]) if len(parts) > 4 else None
    if application.stage != "review" or submission.status != "submitted" or \
            index is None or version != submission.current_version or not 0 <= index < len(rules.preconditions):
        return [Reply(STALE, notice=STALE)]
    item = rules.preconditions[index]
    ok = not (application.checklist.get(item.id) or {}).get("ok")
    assert staff.id is not None
    await store.tick(turn.session, application, item.id, ok=ok, person_id=staff.id, now=turn.now)
    return [await card_of(turn, application, submission, edit=True)]


async def show(turn: Turn, application: StationApplication, submission: Submission) -> Reply:
    if application.stage == "review" and submission.status == "submitted":
        return await card_of(turn, application, submission)
    title = await title_of(turn, application)
    if application.stage not in ("notice", "decision"):
        return Reply(Join((T("Station application #{number}: {title}", number=application.id or 0,
                             title=Raw(title)),
                           T("Stage: {stage}", stage=texts.stage_label(application.stage)))))
    line = None
    notice = await notice_for(turn.session, store.SUBJECT, application.id or 0)
    if notice is not None:
        state = await state_of(turn.session, notice, turn.now)
        line = texts.notice_line(notice_id=notice.id or 0, ends=shown(turn, notice.ends_at), running=state.running,
                                 objections=state.objections, unanswered=state.unanswered)
    return texts.decision_card(application_id=application.id or 0, title=title, stage=application.stage,
                               notice_line=line)


async def approve_step(turn: Turn, application: StationApplication, staff: Person,
                       confirmed: bool) -> list[Reply]:
    profile = load_profile(application.policy_profile)
    rules = rules_of(profile)
    if application.stage == "review":
        return [Reply(T("Review and accept the application first."))]
    notice = await notice_for(turn.session, store.SUBJECT, application.id or 0)
    if notice is not None:
        state = await state_of(turn.session, notice, turn.now)
        if state.running:
            return [Reply(T("The public notice runs until {until}; approve it after that.", until=shown(turn, notice.ends_at)))]
        if state.unanswered:
            return [Reply(T("{n} objection(s) to this application are not answered yet; answer them first.",
                            n=state.unanswered))]
        if state.upheld:
            return [Reply(T("An objection to this application was upheld; it cannot be approved. Refuse it "
                            "with the reason."))]
    if not confirmed:
        warning = await cap_warning(turn, application, rules)
        if warning is not None:
            return [Reply(warning, keyboard([Button(T("Approve anyway"), f"ap:P:{application.id}")],
                                            [Button(T("⛔ Refuse"), f"ap:x:{application.id}")]))]
    return await ask_decision(turn, application, staff, "approve")


async def cap_warning(turn: Turn, application: StationApplication, rules: ApplicationRules) -> Text | None:
    if rules.station_cap is not None:
        live = await store.live_stations(turn.session, application.policy_profile)
        if live >= rules.station_cap:
            return Join((texts.cap_warning(cap=rules.station_cap, live=live, society=None), Raw(rules.cap_source)))
    if rules.one_per_society:
        submission = await turn.session.get(Submission, application.submission_id)
        answers = await latest_answers(turn.session, submission) if submission else {}
        society = str(answers.get("society_name") or "")
        live = await store.live_stations_of_society(turn.session, application.policy_profile, society)
        if society and live >= 1:
            return Join((texts.cap_warning(cap=None, live=live, society=society), Raw(rules.cap_source)))
    return None


async def ask_decision(turn: Turn, application: StationApplication, staff: Person, action: str) -> list[Reply]:
    assert staff.id is not None
    await open_staff_draft(turn, staff.id, form_id=DECISION, subject_key=f"application:{application.id}",
                           state={"application_id": application.id, "action": action})
    if action == "refuse":
        return [Reply(T("Type the reason for refusing; the applicant will receive it. (/cancel to stop)"))]
    title = await title_of(turn, application)
    return [Reply(T("Type the approval number (核定编号). If the plaque name differs from “{plaque}”, put it on a "
                    "second line. (/cancel to stop)", plaque=Raw(title.split("（")[0])))]


async def decision_input(turn: Turn) -> list[Reply] | None:
    answer = await staff_answer(turn, [DECISION], T("Cancelled; the application is unchanged."), text=True)
    if not isinstance(answer, StaffAnswer):
        return answer
    staff, draft = answer.staff, answer.draft
    if len(answer.text) > MAX_TEXT:
        return [Reply(T("The text is too long ({n} characters); please keep it under {limit}.",
                        n=len(answer.text), limit=MAX_TEXT))]
    application = await turn.session.get(StationApplication, int(draft.state.get("application_id") or 0))
    action = draft.state.get("action")
    await turn.session.delete(draft)
    if application is None or application.stage not in ("notice", "decision", "review"):
        return [Reply(STALE)]
    text = answer.text.strip()
    title = await title_of(turn, application)
    notice = await notice_for(turn.session, store.SUBJECT, application.id or 0)
    if action == "refuse":
        await store.refuse(turn.session, application, reason=text, staff_person_id=answer.staff_id, now=turn.now)
        if notice is not None:
            await close_notice(turn.session, notice, turn.now)
        await tell_applicant(turn, application, texts.refused_notice(station_name=title, reason=text),
                             key=f"application-refused:{application.id}")
        return [Reply(T("Refused application #{number}; the applicant has been told the reason.",
                        number=application.id or 0))]
    if application.stage == "review":
        return [Reply(STALE)]
    return await approve(turn, application, staff, text, title, notice)


async def approve(turn: Turn, application: StationApplication, staff: Person, text: str, title: str,
                  notice: Any) -> list[Reply]:
    first, _, rest = text.partition("\n")
    submission = await turn.session.get(Submission, application.submission_id)
    answers = await latest_answers(turn.session, submission) if submission else {}
    person = await turn.session.get(Person, application.applicant_person_id)
    assert person is not None and staff.id is not None
    plaque = rest.strip() or str(answers.get("station_name") or title)
    station, binding = await approval.approve(turn.session, application, answers=answers, applicant=person,
                                           staff_person_id=staff.id, now=turn.now,
                                           approval_number=first.strip(), plaque_name=plaque)
    if notice is not None:
        await close_notice(turn.session, notice, turn.now)
    role = ROLE_NAMES.get(binding.role, ROLE_NAMES["manager"])
    await tell_applicant(turn, application, texts.approved_notice(
        station_name=station.name, approval_number=station.approval_number, plaque_name=station.plaque_name,
        role_label=role), key=f"application-approved:{application.id}")
    return [Reply(T("Approved application #{number}: station {station} (number {id}) created; the applicant is "
                    "bound to it as {role}.", number=application.id or 0, station=Raw(station.name),
                    id=station.id or 0, role=role))]


async def applications_command(turn: Turn) -> list[Reply]:
    rows = await store.open_applications(turn.session)
    if not rows:
        return [Reply(T("No station applications are open."))]

    def show(application: StationApplication, _returned: Submission | None) -> Button:
        return Button(Raw(f"#{application.id}"), f"ap:s:{application.id}")

    return [await applications_list(turn, T("Open station applications:"), rows, with_profile=True, button=show)]


def extend(router: Router, services: Services) -> None:
    router.add(Route("applications", STAFF, applications_command, menu_label=T("Station applications"),
                     menu_order=525))
    router.add(Route("ap", STAFF, staff_button, kind="button"))
    router.own_drafts([DECISION], decision_input)
