"""/assess for staff: open a round, choose grades, rank, publish (公示), final publication.

Buttons ``as:<action>:<id>`` are staff's; every id in callback data is re-read from the database.
The 公示 is a ``storage.notices`` public notice: stations object with /object, staff answer with its
buttons (``bot/handlers/notices.py``); the final publication waits until it is over and answered.
"""

from __future__ import annotations

import datetime as dt

from bot.routing import STAFF, Route, Router, Turn
from bot.services import Services
from conversations import assessment as ui
from conversations.types import ButtonInput, CommandInput, Reply
from locales import TN, Raw, T, Text
from rules.profile import all_profiles, load_profile
from services import round_steps, rounds
from storage.ids import db_int
from storage.models import AssessmentEntry, AssessmentRound
from storage.rounds import OPEN, PUBLICITY, RoundExists
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
        if len(arg) == 4 and (number := db_int(arg)) is not None:
            year = number
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
    if args[0].startswith("#") and (number := db_int(args[0][1:])) is not None:
        rnd = await turn.session.get(AssessmentRound, number)
        return [await card(turn, rnd)] if rnd is not None else [Reply(T("No such round."))]
    parsed = parse_open(args, turn.today)
    if not isinstance(parsed, tuple):
        return [Reply(parsed)]
    profiles, year, deadline = parsed
    staff = turn.staff()
    replies: list[Reply] = []
    for profile_id in profiles:
        try:
            rnd, ev, told = await rounds.open_and_tell(turn.session, profile_id=profile_id, period_end=year,
                                                       deadline=deadline, person_id=staff.id if staff else None,
                                                       now=turn.now)
        except RoundExists as exists:
            replies.append(await card(turn, exists.existing, note=T("This round is already open.")))
            continue
        replies.append(ui.round_card(await rounds.summary(turn.session, rnd, turn.now, ev),
                                     note=T("Round opened; the inputs of {n} stations are frozen; {told} managers told.",
                                            n=len(ev.entries), told=told)))
    return replies


async def card(turn: Turn, rnd: AssessmentRound | None, *, edit: bool = False, note: Text | None = None) -> Reply:
    if rnd is None:
        return Reply(STALE, notice=STALE)
    return ui.round_card(await rounds.summary(turn.session, rnd, turn.now), edit=edit, note=note)


async def figures(turn: Turn, ev: rounds.Evaluation, entry: AssessmentEntry) -> ui.Figures:
    lines = rounds.covers_lines(entry, ev.round)
    for kind, year in ev.missing[entry.station_id]:
        lines.append(T("Missing: {material}", material=rounds.material_label(ev.profile, kind, year)))
    for year, ratings in sorted(entry.snapshot.get("ratings", {}).items()):
        lines.append(TN("{year}: satisfaction {average} from {n} rating", "{year}: satisfaction {average} from {n} ratings",
                        int(ratings.get("count", 0)), year=Raw(year), average=ui.num(ratings.get("average"))))
    for year, found in sorted(entry.snapshot.get("evaluations", {}).items()):
        lines.append(TN("{year}: the demand side's evaluation {average} from {n} unit",
                        "{year}: the demand side's evaluation {average} from {n} units", int(found.get("count", 0)),
                        year=Raw(year), average=ui.num(found.get("average"))))
    if ev.spec.points:
        lines.append(T("Points: {points}", points=ui.num(ev.points[entry.station_id].total)))
    return ui.Figures(ev.name(entry.station_id), tuple(lines))


async def next_grade(turn: Turn, rnd: AssessmentRound, *, edit: bool) -> Reply:
    ev = await rounds.evaluate(turn.session, rnd, tz=turn.services.settings.tz)
    waiting = [e for e in ev.entries if e.staff_grade is None]
    if not waiting:
        return await card(turn, rnd, edit=edit, note=T("Every station has a grade."))
    return ui.grade_card(waiting[0].id or 0, ev.spec, await figures(turn, ev, waiting[0]), edit=edit)


async def staff_button(turn: Turn) -> list[Reply]:
    assert isinstance(turn.input, ButtonInput)
    parts = turn.input.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    target = (db_int(parts[2]) if len(parts) > 2 else None) or 0
    if action in ("sg", "tp", "ex"):
        return await entry_button(turn, action, target, parts[3] if len(parts) > 3 else "")
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
    if action == "t":
        choice = db_int(parts[3]) if len(parts) > 3 else None
        if choice is None or not await round_steps.decide_tie(turn.session, rnd, choice, turn.services.settings.tz):
            return [Reply(STALE, notice=STALE)]
        action = "k"
    if action == "k" and rnd.status in (OPEN, PUBLICITY):
        ev = await rounds.evaluate(turn.session, rnd, tz=turn.services.settings.tz)
        if not ev.unscored:
            await rounds.apply(turn.session, ev)
        return [ui.ranking(rounds.rank_view(ev), edit=True)]
    if (action == "p" and rnd.status == OPEN) or (action == "f" and rnd.status == PUBLICITY):
        return await publish_step(turn, rnd)
    return [Reply(STALE, notice=STALE)]


async def publish_step(turn: Turn, rnd: AssessmentRound) -> list[Reply]:
    """Publish (公示 or final), or final publication after the 公示 once every objection is answered."""
    done = await round_steps.publish_next(turn.session, rnd, turn.now)
    if done is None:
        return [Reply(STALE, notice=STALE)]
    if done.ev is not None:
        return [Reply(done.note), ui.ranking(rounds.rank_view(done.ev))]
    return [await card(turn, rnd, note=done.note)] if done.published else [Reply(done.note)]


ENTRY_ACTIONS = {"sg": round_steps.GRADE, "tp": round_steps.TOOK_PART, "ex": round_steps.EXCUSED}


async def entry_button(turn: Turn, action: str, entry_id: int, value: str) -> list[Reply]:
    rnd = await round_steps.decide_entry(turn.session, entry_id, ENTRY_ACTIONS[action], value)
    if rnd is None:
        return [Reply(STALE, notice=STALE)]
    if action == "sg":
        return [await next_grade(turn, rnd, edit=True)]
    ev = await rounds.evaluate(turn.session, rnd, tz=turn.services.settings.tz)
    return [ui.ranking(rounds.rank_view(ev), edit=True)]


def extend(router: Router, services: Services) -> None:
    router.add(Route("assess", STAFF, assess, menu_label=T("Assessment rounds"), menu_order=540))
    router.add(Route("as", STAFF, staff_button, kind="button"))
