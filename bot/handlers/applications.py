"""Station applications: staff's /apply_link (with a QR code), the applicant's form, review, 公示 and approval.

Whoever opens an application link becomes an *applicant* (a role binding with no station): the one
door then lets them fill and follow their own applications and nothing else. The answers are an
ordinary versioned submission of kind "application", reviewed through ``bot.handlers.review`` (its
hooks let this module show the checklist, require every precondition ticked, and reach the
applicant). Accepted applications enter the profile's 公示 (``storage.notices``), then staff approve
(creating the station, the applicant bound as its manager or liaison) or refuse with a reason.
"""

from __future__ import annotations

from typing import Any

from bot.formctx import profile_choices
from bot.handlers.forms import STATIONLESS_FORMS, person_ids
from bot.handlers.notices import shown
from bot.handlers.review import HOOKS, KindHooks
from bot.qr import qr_png
from bot.routing import APPLICANTS, STAFF, Route, Router, Turn
from bot.services import Services
from bot.submit import notify_staff
from conversations import applications as texts
from conversations import engine
from conversations.applications import FORM_ID
from conversations.engine import DraftState, Outcome
from conversations.fields import FormContext
from conversations.formspec import load_form
from conversations.types import Button, ButtonInput, CommandInput, OutgoingFile, Reply, TextInput, keyboard
from locales import Join, Raw, T, Text
from rules.profile import ApplicationRules, Profile, all_profiles, load_profile
from storage import applications as store
from storage.drafts import active_draft, drafts_of, get_or_create, park_others, save
from storage.models import AuditLog, Draft, Invite, Person, Role, StationApplication, Submission
from storage.notices import close_notice, notice_for, open_notice, state_of
from storage.outbox import enqueue
from storage.submissions import latest_answers, review
from storage.tokens import create_invite

DECISION = "application_decision"
STALE = T("This application has changed since this message; nothing was done.")
ROLE_LABELS = {"manager": T("station manager"), "liaison": T("station liaison")}
MAX_TEXT = 2000


def rules_of(profile: Profile) -> ApplicationRules:
    assert profile.application is not None
    return profile.application


def context(profile: Profile, turn: Turn) -> FormContext:
    """Choices come from the profile alone: there is no station yet."""
    choices: dict[str, Any] = profile_choices(profile)
    rules = rules_of(profile)
    choices["unit_types"] = [(item.id, T(item.label)) for item in rules.unit_types]
    choices["business_fields"] = [(item.id, T(item.label)) for item in rules.business_fields]
    return FormContext(today=turn.today, profile_id=profile.id, choices=choices, render=turn.tr)


def applicant(turn: Turn) -> Person | None:
    return turn.binding(Role.applicant.value)


async def draft_profile(turn: Turn, draft: Draft) -> str | None:
    """``new:<profile>`` for a first application, ``submission:<id>`` when editing a returned one."""
    kind, _, rest = draft.subject_key.partition(":")
    if kind == "new":
        return rest
    if kind == "submission" and rest.isdigit():
        application = await store.for_submission(turn.session, int(rest))
        return application.policy_profile if application else None
    return None


async def run(turn: Turn, draft: Draft, call: str = "handle") -> list[Reply]:
    profile_id = await draft_profile(turn, draft)
    if profile_id is None or profile_id not in all_profiles():
        return engine.moved_on(None).replies
    profile = load_profile(profile_id)
    form = load_form(FORM_ID, profile_id)
    ctx = context(profile, turn)
    state = DraftState.from_json(draft.state) if draft.state else None
    assert draft.id is not None
    if state is None or call == "start":
        outcome = engine.start(form, ctx, draft.id)
    elif call == "resume":
        outcome = engine.resume(form, state, ctx)
    else:
        outcome = engine.handle(form, state, turn.input, ctx)
    return await store_outcome(turn, draft, profile, outcome)


async def store_outcome(turn: Turn, draft: Draft, profile: Profile, outcome: Outcome) -> list[Reply]:
    replies = list(outcome.replies)
    if outcome.submitted is not None:
        replies += await submitted(turn, draft, profile, outcome.submitted)
        await turn.session.delete(draft)
    elif outcome.discarded:
        await turn.session.delete(draft)
    elif outcome.draft is not None:
        status = "parked" if outcome.cancelled_kept else "active"
        await save(turn.session, draft, outcome.draft.to_json(), outcome.draft.rev, turn.now, status)
    await turn.session.flush()
    return replies


async def submitted(turn: Turn, draft: Draft, profile: Profile, answers: dict[str, Any]) -> list[Reply]:
    person = applicant(turn)
    assert person is not None and person.id is not None
    resubmit = int(draft.subject_key.split(":", 1)[1]) if draft.subject_key.startswith("submission:") else None
    application, submission = await store.submit_application(turn.session, profile_id=profile.id, answers=answers,
                                                             person_id=person.id, now=turn.now, resubmit_id=resubmit)
    assert submission.id is not None
    card = await card_of(turn, application, submission)
    await notify_staff(turn, card, key=f"application:{application.id}:v{submission.current_version}")
    return [Reply(T("Application submitted (number {number}, version {version}). Staff will review it; you will be "
                    "told the result here. Send /apply to see where it stands.", number=application.id,
                    version=submission.current_version))]


async def card_of(turn: Turn, application: StationApplication, submission: Submission, edit: bool = False) -> Reply:
    profile = load_profile(application.policy_profile)
    answers = await latest_answers(turn.session, submission)
    person = await turn.session.get(Person, application.applicant_person_id)
    assert application.id is not None and submission.id is not None
    return texts.staff_card(application_id=application.id, submission_id=submission.id,
                            version=submission.current_version, profile_label=profile.label,
                            form=load_form(FORM_ID, profile.id), rules=rules_of(profile),
                            checklist=application.checklist, answers=answers, ctx=context(profile, turn),
                            applicant=person.name if person else "?", edit=edit)


async def open_application_form(turn: Turn, profile_id: str) -> list[Reply]:
    person = applicant(turn)
    assert person is not None and person.id is not None
    draft, created = await get_or_create(turn.session, person_id=person.id, form_id=FORM_ID,
                                         subject_key=f"new:{profile_id}", station_id=None, now=turn.now)
    await park_others(turn.session, person_ids(turn), draft.id or 0)
    intro = Reply(texts.applicant_intro(load_profile(profile_id).label))
    if created or not draft.state:
        return [intro, *await run(turn, draft, "start")]
    draft.status = "active"
    return [intro, *await run(turn, draft, "resume")]


async def title_of(turn: Turn, application: StationApplication) -> str:
    submission = await turn.session.get(Submission, application.submission_id)
    answers = await latest_answers(turn.session, submission) if submission else {}
    name = str(answers.get("station_name") or "")
    host = str(answers.get("host_name") or "")
    return f"{name}（{host}）" if host else name


async def tell_applicant(turn: Turn, application: StationApplication, reply: Reply, key: str) -> None:
    person = await turn.session.get(Person, application.applicant_person_id)
    if person is not None and person.chat_id is not None:
        await enqueue(turn.session, key=f"{key}:to-{person.id}", chat_id=person.chat_id, reply=reply,
                      kind="review_result", person_id=person.id, not_before=turn.now, respect_quiet_hours=False)


def extend(router: Router, services: Services) -> None:
    async def apply_link(turn: Turn) -> list[Reply]:
        """``/apply_link [profile]``: a reusable link and its QR code for a poster or a notice."""
        assert isinstance(turn.input, CommandInput)
        with_rules = [p for p in all_profiles().values() if p.application is not None]
        wanted = turn.input.args[0] if turn.input.args else None
        if wanted is None:
            if len(with_rules) == 1:
                wanted = with_rules[0].id
            else:
                rows = [[Button(T(p.label), f"apl:{p.id}")] for p in with_rules]
                return [Reply(T("Application link for which policy profile?"), keyboard(*rows))]
        return await issue_link(turn, wanted)

    async def apply_link_button(turn: Turn) -> list[Reply]:
        assert isinstance(turn.input, ButtonInput)
        return await issue_link(turn, turn.input.data.split(":", 1)[1] if ":" in turn.input.data else "")

    async def issue_link(turn: Turn, profile_id: str) -> list[Reply]:
        profile = all_profiles().get(profile_id)
        if profile is None:
            return [Reply(T("There is no policy profile {profile}.", profile=Raw(profile_id)))]
        if profile.application is None:
            return [Reply(T("The profile {profile} has no application rules; add an [application] section to it first.",
                            profile=Raw(profile_id)))]
        staff = turn.staff()
        days = profile.application.link_days
        token, invite = await create_invite(turn.session, role=Role.applicant.value, purpose="apply", now=turn.now,
                                            days=days, policy_profile=profile.id,
                                            created_by_person_id=staff.id if staff else None)
        turn.session.add(AuditLog(at=invite.created_at, person_id=staff.id if staff else None, action="apply_link",
                                  subject=f"invite:{invite.id}", detail={"profile": profile.id}))
        link = turn.services.deep_link(token)
        text = Join((T("Application link for new stations — {profile}.", profile=T(profile.label)),
                     T("Anyone who opens it can apply on behalf of a host unit. It can be used many times and is "
                       "valid for {days} days; print the QR code on a poster or a notice.", days=days),
                     Raw(link)))
        return [Reply(text), Reply(T("QR code of the same link"),
                                   file=OutgoingFile("apply.png", qr_png(link), kind="photo"))]

    async def redeem_apply(turn: Turn, invite: Invite) -> list[Reply]:
        """The token handler: the opener becomes an applicant (no station) and the form starts."""
        profile_id = invite.policy_profile
        if profile_id not in all_profiles() or load_profile(profile_id).application is None:
            return [Reply(T("This link is not valid. Please ask the staff of your society or 科协 for a new invitation link."))]
        person = applicant(turn)
        if person is None:
            person = Person(telegram_user_id=turn.telegram_user_id, chat_id=turn.chat_id, name=turn.user_name,
                            language=turn.tr.locale, role=Role.applicant.value)
            turn.session.add(person)
            await turn.session.flush()
            turn.bindings = [*turn.bindings, person]
        turn.session.add(AuditLog(at=turn.now, person_id=person.id, action="apply_link_opened",
                                  subject=f"invite:{invite.id}", detail={"profile": profile_id}))
        return await open_application_form(turn, profile_id)

    async def apply_command(turn: Turn) -> list[Reply]:
        """``/apply``: continue the draft, or see where one's applications stand."""
        drafts = await drafts_of(turn.session, person_ids(turn), FORM_ID)
        if drafts:
            draft = next((d for d in drafts if d.status == "active"), drafts[0])
            draft.status = "active"
            await park_others(turn.session, person_ids(turn), draft.id or 0)
            return [Reply(T("Continuing your saved draft.")), *await run(turn, draft, "resume")]
        mine = await store.of_applicant(turn.session, person_ids(turn))
        if not mine:
            return [Reply(T("You have no application yet. Open the application link you were given to start one."))]
        lines: list[Text] = [T("Your applications:")]
        buttons = []
        for application in mine:
            submission = await turn.session.get(Submission, application.submission_id)
            returned = submission is not None and submission.status == "returned"
            stage = texts.RETURNED if returned and application.stage == "review" else \
                texts.STAGE_LABELS.get(application.stage, Raw(application.stage))
            lines.append(Join((Raw(f"#{application.id}"), Raw(await title_of(turn, application)), stage), " · "))
            if returned and submission is not None:
                buttons.append([Button(T("✏️ Reopen and edit"), f"rv:o:{submission.id}")])
        return [Reply(Join(tuple(lines)), keyboard(*buttons))]

    async def free_input(turn: Turn) -> list[Reply] | None:
        draft = await active_draft(turn.session, person_ids(turn))
        if draft is None or draft.form_id != FORM_ID:
            return None
        return await run(turn, draft)

    # --- review hooks: the application is a submission without a station ---

    async def hook_card(turn: Turn, submission: Submission) -> Reply:
        application = await store.for_submission(turn.session, submission.id or 0)
        assert application is not None
        return await card_of(turn, application, submission)

    async def hook_notify(turn: Turn, submission: Submission, reply: Reply, key: str) -> None:
        application = await store.for_submission(turn.session, submission.id or 0)
        if application is not None:
            await tell_applicant(turn, application, reply, key)

    async def hook_reopen(turn: Turn, submission: Submission) -> list[Reply]:
        application = await store.for_submission(turn.session, submission.id or 0)
        mine = applicant(turn)
        if application is None or mine is None or application.applicant_person_id not in person_ids(turn):
            return [Reply(T("You cannot do that with your current role. Send /help to see what you can do."))]
        if submission.status != "returned" or application.stage != "review":
            return [Reply(STALE, notice=STALE)]
        assert mine.id is not None
        draft, created = await get_or_create(turn.session, person_id=mine.id, form_id=FORM_ID,
                                             subject_key=f"submission:{submission.id}", station_id=None, now=turn.now)
        await park_others(turn.session, person_ids(turn), draft.id or 0)
        if created or not draft.state:
            await run(turn, draft, "start")
            state = DraftState.from_json(draft.state)
            state.answers = await latest_answers(turn.session, submission)
            state.step = "summary"
            state.rev += 1
            await save(turn.session, draft, state.to_json(), state.rev, turn.now)
        draft.status = "active"
        return await run(turn, draft, "resume")

    async def hook_accept(turn: Turn, submission: Submission, staff: Person, version: int) -> list[Reply]:
        application = await store.for_submission(turn.session, submission.id or 0)
        if application is None or application.stage != "review":
            return [Reply(STALE, notice=STALE)]
        profile = load_profile(application.policy_profile)
        rules = rules_of(profile)
        missing = texts.unticked(rules, application.checklist)
        if missing:
            lines = tuple(Join((Raw("☐"), T(p.label), Raw(f"[{p.source}]")), " ") for p in missing)
            return [Reply(Join((T("Tick every precondition before accepting. Not yet ticked:"), *lines)),
                          notice=T("Preconditions not all ticked"))]
        assert staff.id is not None and application.id is not None
        await review(turn.session, submission, accept=True, staff_person_id=staff.id, now=turn.now)
        title = await title_of(turn, application)
        until = None
        if rules.notice_days is not None:
            notice = await open_notice(turn.session, subject_type=store.SUBJECT, subject_id=application.id,
                                       title=title, days=rules.notice_days, now=turn.now, source=rules.notice_source,
                                       person_id=staff.id)
            application.stage = "notice"
            until = shown(turn, notice.ends_at)
            done: Text = T("Accepted application #{number}. The public notice (公示) no. {notice} runs until {until}: "
                           "anyone may object with /object {notice} <reason>. Approve it after the notice with "
                           "/applications.", number=application.id, notice=notice.id or 0, until=until)
        else:
            application.stage = "decision"
            done = T("Accepted application #{number}; approve or refuse it with /applications.", number=application.id)
        turn.session.add(application)
        await tell_applicant(turn, application, texts.accepted_notice(station_name=title, notice_until=until),
                             key=f"application-accepted:{application.id}:v{version}")
        return [Reply(done, notice=T("Accepted"))]

    services.extras.setdefault(HOOKS, {})[store.KIND] = KindHooks(card=hook_card, notify=hook_notify,
                                                                 reopen=hook_reopen, accept=hook_accept)
    services.extras.setdefault(STATIONLESS_FORMS, {})[FORM_ID] = run
    services.extras.setdefault("token_handlers", {})["apply"] = redeem_apply

    # --- staff: ticks, the list, approval and refusal ---

    async def load(turn: Turn, raw: str) -> StationApplication | None:
        return await turn.session.get(StationApplication, int(raw)) if raw.isdigit() else None

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
        index = int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else -1
        version = int(parts[4]) if len(parts) > 4 and parts[4].isdigit() else -1
        if application.stage != "review" or submission.status != "submitted" or \
                version != submission.current_version or not 0 <= index < len(rules.preconditions):
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
                               T("Stage: {stage}", stage=texts.STAGE_LABELS.get(application.stage,
                                                                                Raw(application.stage))))))
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
        draft, _ = await get_or_create(turn.session, person_id=staff.id, form_id=DECISION,
                                       subject_key=f"application:{application.id}", station_id=None, now=turn.now)
        await save(turn.session, draft, {"application_id": application.id, "action": action}, 0, turn.now)
        await park_others(turn.session, [staff.id], draft.id or 0)
        if action == "refuse":
            return [Reply(T("Type the reason for refusing; the applicant will receive it. (/cancel to stop)"))]
        title = await title_of(turn, application)
        return [Reply(T("Type the approval number (核定编号). If the plaque name differs from “{plaque}”, put it on a "
                        "second line. (/cancel to stop)", plaque=Raw(title.split("（")[0])))]

    async def decision_input(turn: Turn) -> list[Reply] | None:
        staff = turn.staff()
        if staff is None or staff.id is None:
            return None
        draft = await active_draft(turn.session, [staff.id])
        if draft is None or draft.form_id != DECISION:
            return None
        if isinstance(turn.input, CommandInput) and turn.input.command == "cancel":
            await turn.session.delete(draft)
            return [Reply(T("Cancelled; the application is unchanged."))]
        if not isinstance(turn.input, TextInput) or not turn.input.text.strip():
            return [Reply(T("Please type it as text."))]
        if len(turn.input.text) > MAX_TEXT:
            return [Reply(T("The text is too long ({n} characters); please keep it under {limit}.",
                            n=len(turn.input.text), limit=MAX_TEXT))]
        application = await turn.session.get(StationApplication, int(draft.state.get("application_id") or 0))
        action = draft.state.get("action")
        await turn.session.delete(draft)
        if application is None or application.stage not in ("notice", "decision", "review"):
            return [Reply(STALE)]
        text = turn.input.text.strip()
        title = await title_of(turn, application)
        notice = await notice_for(turn.session, store.SUBJECT, application.id or 0)
        if action == "refuse":
            await store.refuse(turn.session, application, reason=text, staff_person_id=staff.id, now=turn.now)
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
        station, binding = await store.approve(turn.session, application, answers=answers, applicant=person,
                                               staff_person_id=staff.id, now=turn.now,
                                               approval_number=first.strip(), plaque_name=plaque)
        if notice is not None:
            await close_notice(turn.session, notice, turn.now)
        await tell_applicant(turn, application, texts.approved_notice(
            station_name=station.name, approval_number=station.approval_number, plaque_name=station.plaque_name,
            role_label=ROLE_LABELS.get(binding.role, ROLE_LABELS["manager"])), key=f"application-approved:{application.id}")
        return [Reply(T("Approved application #{number}: station {station} (number {id}) created; the applicant is "
                        "bound to it as {role}.", number=application.id or 0, station=Raw(station.name),
                        id=station.id or 0, role=ROLE_LABELS.get(binding.role, ROLE_LABELS["manager"])))]

    async def applications_command(turn: Turn) -> list[Reply]:
        rows = await store.open_applications(turn.session)
        if not rows:
            return [Reply(T("No station applications are open."))]
        lines: list[Text] = [T("Open station applications:")]
        buttons = []
        for application in rows:
            submission = await turn.session.get(Submission, application.submission_id)
            returned = submission is not None and submission.status == "returned"
            stage = texts.RETURNED if returned else texts.STAGE_LABELS.get(application.stage, Raw(application.stage))
            lines.append(Join((Raw(f"#{application.id}"), Raw(application.policy_profile),
                               Raw(await title_of(turn, application)), stage), " · "))
            buttons.append([Button(Raw(f"#{application.id}"), f"ap:s:{application.id}")])
        return [Reply(Join(tuple(lines)), keyboard(*buttons))]

    router.add(Route("apply_link", STAFF, apply_link, menu_label=T("Application link for new stations"),
                     menu_order=505))
    router.add(Route("apl", STAFF, apply_link_button, kind="button"))
    router.add(Route("applications", STAFF, applications_command, menu_label=T("Station applications"),
                     menu_order=525))
    router.add(Route("ap", STAFF, staff_button, kind="button"))
    router.add(Route("apply", APPLICANTS, apply_command, menu_label=T("My station application"), menu_order=1))
    router.free_input.append(free_input)
    router.free_input.append(decision_input)
