"""Station applications: staff's /apply_link (with a QR code), the applicant's form, review, 公示 and approval.

Whoever opens an application link becomes an *applicant* (a role binding with no station): the one
door then lets them fill and follow their own applications and nothing else. The answers are an
ordinary versioned submission of kind "application", reviewed through ``bot.handlers.review`` (its
hooks let this module show the checklist, require every precondition ticked, and reach the
applicant). Accepted applications enter the profile's 公示 (``storage.notices``), then staff approve
(creating the station, the applicant bound as its manager or liaison) or refuse with a reason
(``bot.handlers.application_staff``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bot.form_context import profile_choices
from bot.handlers.documents import queue_document
from bot.handlers.forms import person_ids
from bot.handlers.forms import store_outcome as store_form_outcome
from bot.handlers.notices import shown
from bot.handlers.review import KindHooks
from bot.routing import APPLICANTS, STAFF, Route, Router, Turn
from bot.services import Services
from bot.submit import notify_staff
from conversations import applications as texts
from conversations import engine
from conversations.applications import FORM_ID
from conversations.engine import DraftState, Outcome
from conversations.fields import FormContext
from conversations.formspec import load_form
from conversations.types import Button, ButtonInput, CommandInput, OutgoingFile, Reply, keyboard
from locales import TN, Join, Raw, T, Text
from rules.profile import ApplicationRules, Profile, all_profiles, load_profile
from services.qr import qr_png
from storage import applications as store
from storage.drafts import active_draft, drafts_of, get_or_create, make_active, park_others, save
from storage.ids import db_int
from storage.models import AuditLog, Draft, Invite, Person, Role, StationApplication, Submission
from storage.notices import open_notice
from storage.outbox import enqueue
from storage.submissions import decide, latest_answers
from storage.tokens import create_invite

STALE = T("This application has changed since this message; nothing was done.")


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
    if kind == "submission" and (number := db_int(rest)) is not None:
        application = await store.for_submission(turn.session, number)
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
    async def submit(answers: dict[str, Any]) -> list[Reply]:
        return await submitted(turn, draft, profile, answers)

    return await store_form_outcome(turn, draft, outcome, submit)


async def submitted(turn: Turn, draft: Draft, profile: Profile, answers: dict[str, Any]) -> list[Reply]:
    person = applicant(turn)
    assert person is not None and person.id is not None
    resubmit = int(draft.subject_key.split(":", 1)[1]) if draft.subject_key.startswith("submission:") else None
    application, submission = await store.submit_application(turn.session, profile_id=profile.id, answers=answers,
                                                             person_id=person.id, now=turn.now, resubmit_id=resubmit)
    assert submission.id is not None
    await queue_document(turn, submission, person.id, profile.id)  # its paper form, sent after the commit
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
                            applicant=person.name if person else "", edit=edit)


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


ListButton = Callable[[StationApplication, Submission | None], Button | None]
"""An application's button in a list, given its submission if that is returned for changes."""


async def applications_list(turn: Turn, heading: Text, applications: Sequence[StationApplication], *,
                            with_profile: bool, button: ListButton) -> Reply:
    """A line per application, ``#id · [profile ·] title · stage``, and its button (staff's or the applicant's)."""
    lines: list[Text] = [heading]
    buttons = []
    for application in applications:
        submission = await turn.session.get(Submission, application.submission_id)
        returned = submission is not None and submission.status == "returned"
        profile = (Raw(application.policy_profile),) if with_profile else ()
        lines.append(Join((Raw(f"#{application.id}"), *profile, Raw(await title_of(turn, application)),
                           texts.stage_label(application.stage, returned)), " · "))
        shown = button(application, submission if returned else None)
        if shown is not None:
            buttons.append([shown])
    return Reply(Join(tuple(lines)), keyboard(*buttons))


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
                     TN("Anyone who opens it can apply on behalf of a host unit. It can be used many times and is "
                        "valid for {days} day; print the QR code on a poster or a notice.",
                        "Anyone who opens it can apply on behalf of a host unit. It can be used many times and is "
                        "valid for {days} days; print the QR code on a poster or a notice.", days, days=days),
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
            await make_active(turn.session, draft, person_ids(turn))
            return [Reply(T("Continuing your saved draft.")), *await run(turn, draft, "resume")]
        mine = await store.of_applicant(turn.session, person_ids(turn))
        if not mine:
            return [Reply(T("You have no application yet. Open the application link you were given to start one."))]

        def reopen(_application: StationApplication, returned: Submission | None) -> Button | None:
            return Button(T("✏️ Reopen and edit"), f"rv:o:{returned.id}") if returned is not None else None

        return [await applications_list(turn, T("Your applications:"), mine, with_profile=False, button=reopen)]

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
        if not await decide(turn.session, submission.id or 0, version, accept=True, staff_person_id=staff.id,
                            now=turn.now):
            return [Reply(STALE, notice=STALE)]
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

    services.hooks.review_kinds[store.KIND] = KindHooks(card=hook_card, reopen=hook_reopen, accept=hook_accept)
    services.hooks.stationless_forms[FORM_ID] = run
    services.hooks.token_handlers["apply"] = redeem_apply

    router.add(Route("apply_link", STAFF, apply_link, menu_label=T("Application link for new stations"),
                     menu_order=505))
    router.add(Route("apl", STAFF, apply_link_button, kind="button"))
    router.add(Route("apply", APPLICANTS, apply_command, menu_label=T("My station application"), menu_order=1))
    router.own_drafts([FORM_ID], free_input)
