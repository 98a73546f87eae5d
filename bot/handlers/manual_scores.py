"""Staff score the manual rows of the assessment table: a card per station in chat, or a score sheet.

``/scoring [year]`` lists the stations whose table has staff-scored rows (quzhou 设施, 经费制度 ...);
a station's card has a button per row, and the typed points are checked against the row's maximum.
``/scoresheet [year]`` sends the same rows as xlsx; the filled-in file sent back is imported
all-or-nothing. The waiting states are drafts, so a restart loses nothing.
"""

from __future__ import annotations

import datetime as dt

from bot.routing import STAFF, Route, Router, Turn
from bot.score_sheet import MAX_SHEET_BYTES, SheetUnreadable, read_sheet, write_sheet
from bot.services import Services
from bot.staff_drafts import StaffAnswer, open_staff_draft, staff_answer
from conversations import manual_scores as ui
from conversations.types import ButtonInput, CommandInput, FileInput, OutgoingFile, Reply, TextInput
from locales import T, Text
from rules.manual_scores import PointsProblem, check_sheet, manual_items
from rules.profile import Profile, all_profiles, load_profile
from services.manual_scores import score
from storage.ids import db_int
from storage.manual_scores import manual_points, scorable_stations, set_many
from storage.models import Station, StationStatus

POINTS_FORM = "manual_score"
IMPORT_FORM = "score_import"
STALE = T("This button is no longer active.")


def default_year(today: dt.date) -> int:
    """The year being assessed: last year until the summer (assessments follow the yearly summary)."""
    return today.year - 1 if today.month <= 6 else today.year


def year_arg(turn: Turn) -> int:
    args = turn.input.args if isinstance(turn.input, CommandInput) else ()
    return (db_int(args[0]) if args and len(args[0]) == 4 else None) or default_year(turn.today)


def profiles_with_manual_rows() -> list[str]:
    return sorted(pid for pid, profile in all_profiles().items() if manual_items(profile))


def rows_of(profile: Profile, scored: dict[str, float]) -> list[ui.CardRow]:
    return [ui.CardRow(item.id, item.label, float(item.max_points or 0), scored.get(item.id))
            for item in manual_items(profile)]


async def scorable(turn: Turn, station_id: int) -> Station | None:
    station = await turn.session.get(Station, station_id)
    if station is None or station.status not in (StationStatus.active.value, StationStatus.rectifying.value):
        return None
    return station if manual_items(load_profile(station.policy_profile)) else None


async def card_of(turn: Turn, station: Station, year: int, *, edit: bool, saved: Text | None = None) -> Reply:
    assert station.id is not None
    scored = (await manual_points(turn.session, year, [station.id])).get(station.id, {})
    return ui.card(station.id, station.name, year, rows_of(load_profile(station.policy_profile), scored),
                   edit=edit, saved=saved)


async def scoring(turn: Turn) -> list[Reply]:
    """``/scoring [year] [station id]``: the list of stations, or one station's card."""
    year = year_arg(turn)
    args = turn.input.args if isinstance(turn.input, CommandInput) else ()
    if len(args) > 1 and (station_id := db_int(args[1])) is not None:
        station = await scorable(turn, station_id)
        if station is None:
            return [Reply(T("No station {value} with rows scored by staff.", value=args[1]))]
        return [await card_of(turn, station, year, edit=False)]
    stations = await scorable_stations(turn.session, profiles_with_manual_rows())
    scored = await manual_points(turn.session, year, [s.id for s in stations if s.id is not None])
    listing = [(s.id or 0, s.name, len(scored.get(s.id or 0, {})), len(manual_items(load_profile(s.policy_profile))))
               for s in stations]
    return [ui.station_list(year, listing[:40])]


async def button(turn: Turn) -> list[Reply]:
    """``ms:c:<station>:<year>`` shows a card; ``ms:r:<station>:<year>:<row>`` asks for that row's points."""
    assert isinstance(turn.input, ButtonInput)
    parts = turn.input.data.split(":")
    staff = turn.staff()
    station_id, year = (db_int(parts[2]), db_int(parts[3])) if len(parts) >= 4 else (None, None)
    if station_id is None or year is None or staff is None or staff.id is None:
        return [Reply(STALE, notice=STALE)]
    station = await scorable(turn, station_id)
    if station is None:
        return [Reply(STALE, notice=STALE)]
    if parts[1] == "c":
        return [await card_of(turn, station, year, edit=True)]
    rows = rows_of(load_profile(station.policy_profile), {})
    index = db_int(parts[4]) if parts[1] == "r" and len(parts) > 4 else None
    if index is None or not 0 <= index < len(rows):
        return [Reply(STALE, notice=STALE)]
    await open_staff_draft(turn, staff.id, form_id=POINTS_FORM, subject_key=f"{station.id}:{year}",
                           state={"station_id": station.id, "year": year, "item": rows[index].item_id},
                           station_id=station.id)
    return [ui.ask_points(rows[index])]


async def typed_points(turn: Turn) -> list[Reply] | None:
    """The number typed after pressing a row's button (or /cancel)."""
    answer = await staff_answer(turn, (POINTS_FORM, IMPORT_FORM), T("Stopped; nothing more was changed."), text=False)
    if not isinstance(answer, StaffAnswer):
        return answer
    draft = answer.draft
    if draft.form_id == IMPORT_FORM:
        return await imported(turn, draft.state, draft)
    station = await scorable(turn, int(draft.state.get("station_id", 0)))
    year = int(draft.state.get("year", 0))
    rows = rows_of(load_profile(station.policy_profile), {}) if station is not None else []
    row = next((r for r in rows if r.item_id == draft.state.get("item")), None)
    if station is None or station.id is None or row is None:
        await turn.session.delete(draft)
        return [Reply(STALE)]
    if not isinstance(turn.input, TextInput):
        return [ui.points_problem(row, PointsProblem("not_a_number", row.maximum))]
    scored = await score(turn.session, year=year, typed={station.id: {row.item_id: turn.input.text}},
                         person_id=answer.staff_id, now=turn.now, source="chat", all_or_nothing=True)
    if scored.problems:
        return [ui.points_problem(row, PointsProblem(scored.problems[0].kind, scored.problems[0].maximum))]
    await turn.session.delete(draft)
    return [await card_of(turn, station, year, edit=False, saved=ui.saved(row, scored.values[station.id][row.item_id]))]


async def score_sheet(turn: Turn) -> list[Reply]:
    """``/scoresheet [year]``: the xlsx to fill in; the file sent back next is imported."""
    staff = turn.staff()
    assert staff is not None and staff.id is not None
    year = year_arg(turn)
    stations = await scorable_stations(turn.session, profiles_with_manual_rows())
    if not stations:
        return [Reply(T("No station's table has rows scored by staff."))]
    scored = await manual_points(turn.session, year, [s.id for s in stations if s.id is not None])
    content = write_sheet(stations, scored, turn.tr)
    await open_staff_draft(turn, staff.id, form_id=IMPORT_FORM, subject_key=str(year), state={"year": year})
    return [Reply(ui.sheet_sent(year), file=OutgoingFile(f"score-sheet-{year}.xlsx", content))]


async def download(turn: Turn, file_id: str) -> bytes:
    bot = turn.services.bot
    assert bot is not None, "kept by build_application at start"
    found = await bot.get_file(file_id)
    return bytes(await found.download_as_bytearray())


async def imported(turn: Turn, state: dict[str, object], draft: object) -> list[Reply]:
    """Check every row of the sent sheet; write all of them or none."""
    staff = turn.staff()
    assert staff is not None
    if not isinstance(turn.input, FileInput) or not turn.input.name.lower().endswith(".xlsx"):
        return [Reply(T("Please send the filled-in score sheet as an .xlsx file. (/cancel to stop)"))]
    if turn.input.size > MAX_SHEET_BYTES:
        return [Reply(T("This file is too large to be a score sheet."))]
    try:
        rows = read_sheet(await download(turn, turn.input.file_id))
    except SheetUnreadable:
        return [Reply(T("This file could not be read as an xlsx score sheet."))]
    year = int(str(state.get("year", 0)))
    stations = await scorable_stations(turn.session, profiles_with_manual_rows())
    values, problems = check_sheet(rows, {s.id: load_profile(s.policy_profile) for s in stations if s.id is not None})
    if problems:
        return [ui.import_refused(problems)]
    written = await set_many(turn.session, year=year, values=values, person_id=staff.id, now=turn.now,
                             source="import")
    await turn.session.delete(draft)
    return [ui.import_done(written, len(values))]


def extend(router: Router, services: Services) -> None:
    router.add(Route("ms", STAFF, button, kind="button"))
    router.add(Route("scoring", STAFF, scoring, menu_label=T("Score the rows staff assess"), menu_order=530))
    router.add(Route("scoresheet", STAFF, score_sheet, menu_label=T("Score sheet to fill in and import"),
                     menu_order=531))
    router.own_drafts([POINTS_FORM, IMPORT_FORM], typed_points)
