"""/assess for staff: open a round, choose grades, rank, publish (公示, objections), final publication.

Buttons ``as:<action>:<id>`` are staff's; ``ob:<action>:<id>`` are the managers' (objections). Every id
in callback data is re-read from the database and checked against the person pressing.
"""

from __future__ import annotations

import datetime as dt

from bot import rounds
from bot.routing import MANAGERS, STAFF, Route, Router, Turn
from bot.services import Services
from conversations import assessment as ui
from conversations.types import Button, ButtonInput, CommandInput, Reply, TextInput, keyboard
from locales import Join, Raw, T, Text
from rules.profile import all_profiles, load_profile
from storage.drafts import active_draft, get_or_create, park_others, save
from storage.models import AssessmentEntry, AssessmentRound, Objection
from storage.objections import answer_objection, file_objection
from storage.rounds import OPEN, PUBLICITY, RoundExists, open_round
from storage.rounds import rounds as list_rounds

STALE = T("This button is no longer active.")
OBJECTION_FORM = "objection"
ANSWER_FORM = "objection_answer"
MAX_TEXT = 2000
DEFAULT_DEADLINE_DAYS = 14


def default_year(today: dt.date) -> int:
    return today.year - 1 if today.month <= 6 else today.year


def parse_open(args: tuple[str, ...], today: dt.date) -> tuple[list[str], int, dt.date] | Text:
    """``<profile|all> [year] [deadline]`` → (profiles, period's last year, deadline for missing material)."""
    profiles = sorted(pid for pid, p in all_profiles().items() if p.assessment is not None)
    if not args or (args[0] != "all" and args[0] not in profiles):
        return T("Which profile? One of: {profiles}, or all.", profiles=Raw(", ".join(profiles)))
    chosen = profiles if args[0] == "all" else [args[0]]
    year = default_year(today)
    deadline = today + dt.timedelta(days=DEFAULT_DEADLINE_DAYS)
    for arg in args[1:]:
        if arg.isdigit() and len(arg) == 4:
            year = int(arg)
        else:
            try:
                deadline = dt.date.fromisoformat(arg)
            except ValueError:
                return T("{value} is neither a year nor a date (YYYY-MM-DD).", value=Raw(arg))
    if deadline < today:
        return T("The deadline {day} has already passed.", day=deadline)
    return chosen, year, deadline


async def assess(turn: Turn) -> list[Reply]:
    args = turn.input.args if isinstance(turn.input, CommandInput) else ()
    if not args:
        found = await list_rounds(turn.session)
        return [ui.round_list([(r.id or 0, load_profile(r.profile), r.period_start, r.period_end, r.status)
                               for r in found])]
    if args[0].startswith("#") and args[0][1:].isdigit():
        rnd = await turn.session.get(AssessmentRound, int(args[0][1:]))
        return [await card(turn, rnd)] if rnd is not None else [Reply(T("No such round."))]
    parsed = parse_open(args, turn.today)
    if not isinstance(parsed, tuple):
        return [Reply(parsed)]
    profiles, year, deadline = parsed
    staff = turn.staff()
    replies: list[Reply] = []
    for profile_id in profiles:
        try:
            rnd, _ = await open_round(turn.session, profile_id=profile_id, period_end=year, deadline=deadline,
                                      person_id=staff.id if staff else None, now=turn.now)
        except RoundExists as exists:
            replies.append(await card(turn, exists.existing, note=T("This round is already open.")))
            continue
        ev = await rounds.evaluate(turn.session, rnd)
        told = await rounds.notify_opened(turn.session, ev, turn.now)
        replies.append(ui.round_card(await rounds.summary(turn.session, rnd, ev),
                                     note=T("Round opened; the inputs of {n} stations are frozen; {told} managers told.",
                                            n=len(ev.entries), told=told)))
    return replies


async def card(turn: Turn, rnd: AssessmentRound | None, *, edit: bool = False, note: Text | None = None) -> Reply:
    if rnd is None:
        return Reply(STALE, notice=STALE)
    return ui.round_card(await rounds.summary(turn.session, rnd), edit=edit, note=note)


async def figures(turn: Turn, ev: rounds.Evaluation, entry: AssessmentEntry) -> ui.Figures:
    lines = rounds.covers_lines(entry, ev.round)
    for kind, year in ev.missing[entry.station_id]:
        lines.append(T("Missing: {material}", material=rounds.material_label(ev.profile, kind, year)))
    for year, ratings in sorted(entry.snapshot.get("ratings", {}).items()):
        lines.append(T("{year}: satisfaction {average} from {count} ratings", year=Raw(year),
                       average=ui.num(ratings.get("average")), count=int(ratings.get("count", 0))))
    if ev.spec.points:
        lines.append(T("Points: {points}", points=ui.num(ev.points[entry.station_id].total)))
    return ui.Figures(ev.name(entry.station_id), tuple(lines))


async def next_grade(turn: Turn, rnd: AssessmentRound, *, edit: bool) -> Reply:
    ev = await rounds.evaluate(turn.session, rnd)
    waiting = [e for e in ev.entries if e.staff_grade is None]
    if not waiting:
        return await card(turn, rnd, edit=edit, note=T("Every station has a grade."))
    return ui.grade_card(waiting[0].id or 0, ev.spec, await figures(turn, ev, waiting[0]), edit=edit)


async def staff_button(turn: Turn) -> list[Reply]:
    assert isinstance(turn.input, ButtonInput)
    parts = turn.input.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    target = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 0
    if action in ("sg", "tp", "ex"):
        return await entry_button(turn, action, target, parts[3] if len(parts) > 3 else "")
    if action in ("oa", "on"):
        return await answer_button(turn, target, upheld=action == "oa")
    if action in ("cc", "cd", "cx", "ce"):
        from bot.handlers import consequences

        return await consequences.decide_button(turn, action, target)
    rnd = await turn.session.get(AssessmentRound, target)
    if rnd is None:
        return [Reply(STALE, notice=STALE)]
    if action == "v":
        return [await card(turn, rnd, edit=True)]
    if action == "x":
        from bot.round_table import table_reply

        return [await table_reply(turn, rnd)]
    if action == "c":
        from bot.round_table import chart_reply

        return [await chart_reply(turn, rnd)]
    if action == "g" and rnd.status == OPEN:
        return [await next_grade(turn, rnd, edit=True)]
    if action == "t" and rnd.status in (OPEN, PUBLICITY) and len(parts) > 3 and parts[3].isdigit():
        rnd.staff_order = [*rnd.staff_order, int(parts[3])]
        turn.session.add(rnd)
        await turn.session.flush()
        action = "k"
    if action == "k" and rnd.status in (OPEN, PUBLICITY):
        ev = await rounds.evaluate(turn.session, rnd)
        if not ev.unscored:
            await rounds.apply(turn.session, ev)
        return [ui.ranking(rounds.rank_view(ev), edit=True)]
    if action == "p" and rnd.status == OPEN:
        ev = await rounds.publish(turn.session, rnd, turn.now)
        if not ev.ready:
            return [Reply(T("Not ready to publish: every row scored, every grade chosen and every tie decided first.")),
                    ui.ranking(rounds.rank_view(ev))]
        note = T("Published for public notice until {day}; stations can object.", day=rnd.publicity_until) \
            if rnd.status == PUBLICITY else T("Published; each station has been told its result.")
        return [await card(turn, rnd, note=note)]
    if action == "f" and rnd.status == PUBLICITY:
        return await final(turn, rnd)
    return [Reply(STALE, notice=STALE)]


async def final(turn: Turn, rnd: AssessmentRound) -> list[Reply]:
    assert rnd.publicity_until is not None
    if turn.today <= rnd.publicity_until:
        return [Reply(T("The public notice runs until {day}; final publication after that.", day=rnd.publicity_until))]
    summary = await rounds.summary(turn.session, rnd)
    if summary.objections_open:
        return [Reply(T("{n} objections still await an answer.", n=summary.objections_open))]
    ev = await rounds.finalize(turn.session, rnd, turn.now)
    if not ev.ready:
        return [Reply(T("Not ready to publish: every row scored, every grade chosen and every tie decided first.")),
                ui.ranking(rounds.rank_view(ev))]
    return [await card(turn, rnd, note=T("Published; each station has been told its result."))]


async def entry_button(turn: Turn, action: str, entry_id: int, value: str) -> list[Reply]:
    entry = await turn.session.get(AssessmentEntry, entry_id)
    rnd = await turn.session.get(AssessmentRound, entry.round_id) if entry else None
    if entry is None or rnd is None or rnd.status != OPEN:
        return [Reply(STALE, notice=STALE)]
    spec = rounds.spec_of(load_profile(rnd.profile))
    if action == "sg":
        if spec.verdict != "staff" or spec.grade(value) is None:
            return [Reply(STALE, notice=STALE)]
        entry.staff_grade = value
    elif action == "tp":
        entry.took_part = True
    else:
        entry.absence_excused = True
    turn.session.add(entry)
    await turn.session.flush()
    if action == "sg":
        return [await next_grade(turn, rnd, edit=True)]
    ev = await rounds.evaluate(turn.session, rnd)
    return [ui.ranking(rounds.rank_view(ev), edit=True)]


# ---- objections during the 公示 -------------------------------------------------------------------

async def manager_button(turn: Turn) -> list[Reply]:
    """``ob:o:<entry>``: the manager of that entry's station objects during the public notice."""
    assert isinstance(turn.input, ButtonInput)
    parts = turn.input.data.split(":")
    entry = await turn.session.get(AssessmentEntry, int(parts[2])) if len(parts) > 2 and parts[2].isdigit() else None
    rnd = await turn.session.get(AssessmentRound, entry.round_id) if entry else None
    manager = turn.manager()
    if entry is None or rnd is None or manager is None or manager.id is None or manager.station_id != entry.station_id:
        return [Reply(STALE, notice=STALE)]
    if rnd.status != PUBLICITY or rnd.publicity_until is None or turn.today > rnd.publicity_until:
        return [Reply(T("The public notice has ended; objections are closed."))]
    draft, _ = await get_or_create(turn.session, person_id=manager.id, form_id=OBJECTION_FORM,
                                   subject_key=rounds.entry_subject(entry), station_id=entry.station_id, now=turn.now)
    await save(turn.session, draft, {"entry_id": entry.id}, draft.rev + 1, turn.now)
    await park_others(turn.session, [manager.id], draft.id or 0)
    return [Reply(T("Type your objection and its reason in one message. (/cancel to stop)"))]


async def answer_button(turn: Turn, objection_id: int, *, upheld: bool) -> list[Reply]:
    objection = await turn.session.get(Objection, objection_id)
    staff = turn.staff()
    if objection is None or objection.answered_at is not None or staff is None or staff.id is None:
        return [Reply(STALE, notice=STALE)]
    draft, _ = await get_or_create(turn.session, person_id=staff.id, form_id=ANSWER_FORM,
                                   subject_key=f"objection:{objection.id}", station_id=None, now=turn.now)
    await save(turn.session, draft, {"objection_id": objection.id, "upheld": upheld}, draft.rev + 1, turn.now)
    await park_others(turn.session, [staff.id], draft.id or 0)
    return [Reply(T("Type your answer to the station. (/cancel to stop)"))]


async def typed(turn: Turn) -> list[Reply] | None:
    """The objection's reason (manager) or the staff's answer, typed after the button."""
    ids = [p.id for p in turn.bindings if p.id is not None]
    draft = await active_draft(turn.session, ids)
    if draft is None or draft.form_id not in (OBJECTION_FORM, ANSWER_FORM):
        return None
    if isinstance(turn.input, CommandInput) and turn.input.command == "cancel":
        await turn.session.delete(draft)
        return [Reply(T("Stopped; nothing more was changed."))]
    text = turn.input.text.strip() if isinstance(turn.input, TextInput) else ""
    if not text:
        return [Reply(T("Please type it as text. (/cancel to stop)"))]
    if len(text) > MAX_TEXT:
        return [Reply(T("That is too long ({n} characters); please keep it under {limit}.", n=len(text),
                        limit=MAX_TEXT))]
    await turn.session.delete(draft)
    if draft.form_id == OBJECTION_FORM:
        return await filed(turn, draft.person_id, int(draft.state.get("entry_id", 0)), text)
    objection = await turn.session.get(Objection, int(draft.state.get("objection_id", 0)))
    if objection is None or objection.answered_at is not None:
        return [Reply(STALE)]
    upheld = bool(draft.state.get("upheld"))
    await answer_objection(turn.session, objection, answer=text, upheld=upheld, person_id=draft.person_id,
                           now=turn.now)
    verdict = T("Your objection was upheld.") if upheld else T("Your objection was not upheld.")
    reply = Reply(Join((verdict, T("Staff's answer: {answer}", answer=Raw(text)))))
    if objection.station_id is not None:
        await rounds.tell_station(turn.session, objection.station_id, reply, key=f"objection-answer:{objection.id}",
                                  kind="assessment", now=turn.now)
    note: Text = T("Answered; the station has been told.")
    if upheld:
        note = Join((note, T("Correct the scores or grade, then rank again before the final publication.")), " ")
    return [Reply(note)]


async def filed(turn: Turn, person_id: int, entry_id: int, reason: str) -> list[Reply]:
    entry = await turn.session.get(AssessmentEntry, entry_id)
    rnd = await turn.session.get(AssessmentRound, entry.round_id) if entry else None
    if entry is None or rnd is None or rnd.status != PUBLICITY:
        return [Reply(T("The public notice has ended; objections are closed."))]
    objection = await file_objection(turn.session, subject=rounds.entry_subject(entry), station_id=entry.station_id,
                                     person_id=person_id, reason=reason, now=turn.now)
    name = entry.snapshot.get("name", str(entry.station_id))
    reply = Reply(Join((T("Objection to the assessment result of {station}:", station=Raw(str(name))), Raw(reason))),
                  keyboard([Button(T("Uphold and answer"), f"as:oa:{objection.id}"),
                            Button(T("Reject and answer"), f"as:on:{objection.id}")]))
    await rounds.tell_staff(turn.session, reply, key=f"objection:{objection.id}", now=turn.now)
    return [Reply(T("Your objection has been recorded; staff will answer it here."))]


def extend(router: Router, services: Services) -> None:
    router.add(Route("assess", STAFF, assess, menu_label=T("Assessment rounds"), menu_order=540))
    router.add(Route("as", STAFF, staff_button, kind="button"))
    router.add(Route("ob", MANAGERS, manager_button, kind="button"))
    router.free_input.insert(0, typed)
