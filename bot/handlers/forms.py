"""Station managers' forms in chat: /report, /plan, /summary, /log, /resume, and /back /skip /cancel.

The engine decides; this module loads and saves the draft row around each call, checks that
the draft belongs to the person pressing, and hands submitted answers to ``bot.submit``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.duties import draft_duty, duty_subject, offered_year, station_profile
from bot.form_context import Loader, context_key, lazy_form_context, run_lazily
from bot.routing import APPLICANTS, KNOWN, MANAGERS, Route, Router, Turn
from bot.services import Services
from bot.submit import on_submitted
from conversations import engine
from conversations.engine import DraftState, Outcome
from conversations.fields import FormContext
from conversations.formspec import form_ids, load_form
from conversations.types import Button, ButtonInput, CommandInput, Reply, keyboard
from locales import T
from rules.profile import all_profiles
from storage.drafts import active_draft, drafts_of, get_or_create, make_active, park_others, save
from storage.ids import db_int
from storage.ledger import ledger_counts
from storage.models import Draft, Station

FORM_COMMANDS = {"report": "change_report", "plan": "annual_plan", "summary": "annual_summary", "log": "activity"}
# A yearly duty's own form (efficiency_report, self_check ...) is run by the engine too; a duty a
# policy override adds with another form is recognised by its draft's ``duty:<id>`` subject.
ENGINE_FORMS = frozenset(FORM_COMMANDS.values()) | frozenset(
    spec.form for profile in all_profiles().values() for spec in profile.annual_submissions)
DUTY_COMMAND = "du-"  # fs:d:<draft>:du-<duty id> starts a duty's form after discarding a draft
FORM_TITLES = {
    "change_report": T("Change report"),
    "annual_plan": T("Annual work plan"),
    "annual_summary": T("Annual work summary"),
    "activity": T("Service activity"),
}
# Forms filled before a station exists register a runner here: services.hooks.stationless_forms[form_id].
NO_STATION = T("Your account is not linked to a station. Please ask staff for a new invitation.")
NOTHING_TO_RESUME = T("You have no unfinished form. Send /menu to start one.")


async def manager_station(turn: Turn) -> Station | None:
    manager = turn.manager()
    if manager is None or manager.station_id is None:
        return None
    return await turn.session.get(Station, manager.station_id)


def person_ids(turn: Turn) -> list[int]:
    return [p.id for p in turn.bindings if p.id is not None]


async def run_engine(turn: Turn, draft: Draft, station: Station, call: str) -> list[Reply]:
    """Load the draft's form, run one engine call, store the outcome.

    What the call may consult from the database (the station's demand units, the year a duty is
    owed for, the ledger counts a summary shows) is read only if the call reaches it, so a plain
    step costs the turn's one read and the draft's one guarded write.
    """
    form = load_form(draft.form_id, station.policy_profile)
    profile = await station_profile(turn.session, station)
    duty = await draft_duty(turn.session, draft, profile) if draft.form_id != "change_report" else None
    session, now, today = turn.session, turn.now, turn.today

    async def duty_year() -> int | None:
        return await offered_year(session, station, profile, duty, now) if duty else None

    async def counts_for_summary() -> dict[str, int]:
        state = DraftState.from_json(draft.state) if draft.state else None
        answered = state.answers.get("year") if state else None
        year = int(answered) if isinstance(answered, int) else await duty_year() or today.year - 1
        assert station.id is not None
        return await ledger_counts(session, station.id, year)

    facts: dict[str, Loader] = {"duty_year": duty_year}
    if draft.form_id == "annual_summary":
        facts["ledger_counts"] = counts_for_summary
    answers = draft.state.get("answers") if draft.state else None  # read only: no copy needed
    ctx, loaders = lazy_form_context(session, station, today, turn.tr, facts, answers)
    draft_id = draft.id
    assert draft_id is not None

    def engine_call(ctx: FormContext) -> Outcome:
        # A fresh state each try: a call interrupted by ChoicesNeeded must not leave half a change behind.
        state = DraftState.from_json(draft.state) if draft.state else None
        if state is None or call == "start":
            return engine.start(form, ctx, draft_id)
        if call == "resume":
            return engine.resume(form, state, ctx)
        return engine.handle(form, state, turn.input, ctx)

    outcome = await run_lazily(ctx, loaders, engine_call)
    moved_to = outcome.draft
    if moved_to is not None and context_key(moved_to.answers) != context_key(answers):
        # The answer changed what the next question lists (a demand unit's needs): draw it again.
        ctx, loaders = lazy_form_context(session, station, today, turn.tr, facts, moved_to.answers)
        outcome.replies = (await run_lazily(ctx, loaders, lambda ctx: engine.resume(form, moved_to, ctx))).replies
    return await store(turn, draft, station, outcome)


async def store(turn: Turn, draft: Draft, station: Station, outcome: Outcome) -> list[Reply]:
    async def submit(answers: dict[str, Any]) -> list[Reply]:
        return await on_submitted(turn, draft, station, answers)

    return await store_outcome(turn, draft, outcome, submit)


async def store_outcome(turn: Turn, draft: Draft, outcome: Outcome,
                        submit: Callable[[dict[str, Any]], Awaitable[list[Reply]]]) -> list[Reply]:
    """Keep what one engine call decided: submitted (then the draft goes), discarded, or the new draft."""
    replies = list(outcome.replies)
    if outcome.submitted is not None:
        replies += await submit(outcome.submitted)
        await turn.session.delete(draft)
    elif outcome.discarded:
        await turn.session.delete(draft)
    elif outcome.draft is not None:
        status = "parked" if outcome.cancelled_kept else "active"
        await save(turn.session, draft, outcome.draft.to_json(), outcome.draft.rev, turn.now, status)
    session = turn.session
    if session.new or session.dirty or session.deleted:  # a plain step's one write is already made
        await session.flush()
    return replies


def form_title(form_id: str, profile_id: str) -> T:
    if form_id in FORM_TITLES or form_id not in form_ids():
        return FORM_TITLES.get(form_id, T("form"))
    return T(load_form(form_id, profile_id).title)


async def open_duty(turn: Turn, duty_id: str) -> list[Reply]:
    """Open the form of one yearly duty of the manager's station (the reminder's and /status's button)."""
    station = await manager_station(turn)
    if station is None:
        return [Reply(NO_STATION)]
    profile = await station_profile(turn.session, station)
    spec = profile.submission(duty_id)
    if spec is None:
        return [Reply(T("Your station has no such yearly duty. Send /status to see what is due."))]
    return await open_form(turn, spec.form, subject_key=duty_subject(profile, spec),
                           command=DUTY_COMMAND + spec.id)


async def open_form(turn: Turn, form_id: str, subject_key: str = "", prefill: dict | None = None,
                    command: str | None = None) -> list[Reply]:
    station = await manager_station(turn)
    manager = turn.manager()
    if station is None or manager is None or manager.id is None:
        return [Reply(NO_STATION)]
    current = await active_draft(turn.session, person_ids(turn))
    if current is not None and (current.form_id != form_id or current.subject_key != subject_key):
        question = T("You have an unfinished {form}. Continue it, or discard it and start {new}?",
                     form=form_title(current.form_id, station.policy_profile),
                     new=form_title(form_id, station.policy_profile))
        new_command = command or next((c for c, f in FORM_COMMANDS.items() if f == form_id), "menu")
        return [Reply(question, keyboard(
            [Button(T("Continue the unfinished one"), f"fs:c:{current.id}")],
            [Button(T("Discard it and start the new one"), f"fs:d:{current.id}:{new_command}")],
        ))]
    draft, created = await get_or_create(turn.session, person_id=manager.id, form_id=form_id,
                                         subject_key=subject_key, station_id=station.id, now=turn.now)
    await park_others(turn.session, person_ids(turn), draft.id or 0)
    if created or not draft.state:
        replies = await run_engine(turn, draft, station, "start")
        if prefill:
            state = DraftState.from_json(draft.state)
            state.answers = dict(prefill)
            state.step = "summary"
            state.rev += 1
            await save(turn.session, draft, state.to_json(), state.rev, turn.now)
            return await run_engine(turn, draft, station, "resume")
        return replies
    draft.status = "active"
    return [Reply(T("Continuing your saved draft.")), *await run_engine(turn, draft, station, "resume")]


async def form_input(turn: Turn) -> list[Reply] | None:
    """Free text and files go to the form being filled, if any."""
    draft = await active_draft(turn.session, person_ids(turn))
    if draft is None or (draft.form_id not in ENGINE_FORMS and not draft.subject_key.startswith("duty:")):
        return None
    station = await turn.session.get(Station, draft.station_id) if draft.station_id else None
    if station is None:
        return None
    return await run_engine(turn, draft, station, "handle")


def extend(router: Router, services: Services) -> None:
    def starter(form_id: str):  # type: ignore[no-untyped-def]
        async def handler(turn: Turn) -> list[Reply]:
            return await open_form(turn, form_id)
        return handler

    async def own_draft(turn: Turn, position: int) -> Draft | None:
        """The draft whose id is part ``position`` of the button's data, if it is this person's (else forged or gone)."""
        assert isinstance(turn.input, ButtonInput)
        parts = turn.input.data.split(":")
        draft_id = db_int(parts[position]) if len(parts) > position else None
        draft = await turn.session.get(Draft, draft_id) if draft_id is not None else None
        return draft if draft is not None and draft.person_id in person_ids(turn) else None

    async def engine_button(turn: Turn) -> list[Reply]:
        """``f:<draft_id>:<rev>:...`` — the draft must be this person's; the engine checks the rev."""
        draft = await own_draft(turn, 1)
        if draft is None:
            return engine.moved_on(None).replies
        runner = services.hooks.stationless_forms.get(draft.form_id)
        if runner is not None:  # a form filled before any station exists (a station application)
            await make_active(turn.session, draft, person_ids(turn))
            return list(await runner(turn, draft))
        if draft.station_id is None:
            return engine.moved_on(None).replies
        station = await turn.session.get(Station, draft.station_id)
        if station is None:
            return engine.moved_on(None).replies
        await make_active(turn.session, draft, person_ids(turn))
        return await run_engine(turn, draft, station, "handle")

    async def switch_button(turn: Turn) -> list[Reply]:
        """``fs:c:<draft>`` continue the open form; ``fs:d:<draft>:<command>`` discard it and start another."""
        assert isinstance(turn.input, ButtonInput)
        parts = turn.input.data.split(":")
        draft = await own_draft(turn, 2)
        if draft is None:
            return engine.moved_on(None).replies
        station = await turn.session.get(Station, draft.station_id) if draft.station_id else None
        if station is None:
            return engine.moved_on(None).replies
        if parts[1] == "c":
            return await run_engine(turn, draft, station, "resume")
        await turn.session.delete(draft)
        await turn.session.flush()
        command = parts[3] if len(parts) > 3 else ""
        if command.startswith(DUTY_COMMAND):
            return [Reply(T("Draft discarded.")), *await open_duty(turn, command.removeprefix(DUTY_COMMAND))]
        form_id = FORM_COMMANDS.get(command)
        if form_id is None:
            return [Reply(T("Draft discarded."))]
        return [Reply(T("Draft discarded.")), *await open_form(turn, form_id)]

    async def resume(turn: Turn) -> list[Reply]:
        drafts = [d for d in await drafts_of(turn.session, person_ids(turn)) if d.form_id in ENGINE_FORMS]
        if not drafts:
            return [Reply(NOTHING_TO_RESUME)]
        draft = next((d for d in drafts if d.status == "active"), drafts[0])
        station = await turn.session.get(Station, draft.station_id) if draft.station_id else None
        if station is None:
            return [Reply(NOTHING_TO_RESUME)]
        draft.status = "active"
        await park_others(turn.session, person_ids(turn), draft.id or 0)
        return await run_engine(turn, draft, station, "resume")

    async def form_command(turn: Turn) -> list[Reply]:
        """/back, /skip and /cancel act on the open form."""
        assert isinstance(turn.input, CommandInput)
        return await router.free_input(turn) or [Reply(NOTHING_TO_RESUME)]

    labels = {
        "report": (T("Report a change"), 10), "plan": (T("Annual work plan"), 20),
        "summary": (T("Last year's summary"), 30), "log": (T("Log a service activity"), 5),
    }
    for command, form_id in FORM_COMMANDS.items():
        label, order = labels[command]
        router.add(Route(command, MANAGERS, starter(form_id), menu_label=label, menu_order=order))
    router.add(Route("resume", MANAGERS, resume, menu_label=T("Continue my unfinished form"), menu_order=40))
    for command in ("back", "skip", "cancel"):
        router.add(Route(command, KNOWN, form_command))
    router.add(Route("f", MANAGERS | APPLICANTS, engine_button, kind="button"))
    router.add(Route("fs", MANAGERS, switch_button, kind="button"))

    async def duty_button(turn: Turn) -> list[Reply]:
        """``du:<duty id>`` — open that duty's form; the duty is looked up in the manager's own station's profile."""
        assert isinstance(turn.input, ButtonInput)
        return await open_duty(turn, turn.input.data.partition(":")[2])

    router.add(Route("du", MANAGERS, duty_button, kind="button"))
    router.own_drafts(ENGINE_FORMS, form_input)
