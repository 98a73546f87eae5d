"""/people for staff on a phone: find a person by typing part of a name, phone or station, then deactivate
them or move a manager to another station — each confirmed with a button, through the console's use cases.

``services.people`` decides (the same refusals, the same audit lines as the web console); this module asks
and shows. Typed searches go to a staff draft (``bot.staff_drafts``), so /cancel stops and a restart loses
nothing. Every button is checked again against the database: a button from an old message acts on what is
true now, and a move names the station it was offered from, so a manager moved since is not moved twice.
"""

from __future__ import annotations

from bot.routing import STAFF, Route, Router, Turn
from bot.services import Services
from bot.staff_drafts import StaffAnswer, open_staff_draft, staff_answer
from conversations.onboarding import ROLE_TITLES
from conversations.types import Button, ButtonInput, CommandInput, Reply, keyboard
from locales import TN, Join, Raw, T, Text
from services.people import (
    DEACTIVATE_QUESTION,
    DEACTIVATED,
    MOVED,
    PROBLEM_TEXTS,
    PeopleProblem,
    deactivate_person,
    move_manager,
)
from storage.ids import db_int
from storage.models import Person, Role, Station
from storage.people_queries import PeopleFilter, find_people, stations_with_manager

SEARCH_FORM = "people_search"
MOVE_FORM = "people_move"
SHOWN = 8  # buttons a phone shows without scrolling; a longer list asks for more of the name
STALE = T("This button is no longer active.")
STOPPED = T("Stopped; nothing was changed.")
ASK_PERSON = T("Whom are you looking for? Type part of a name, a phone number or a station name (/cancel to stop).")
NARROW = T("Only the first {shown} are shown: type more of the name to narrow it down.", shown=SHOWN)


def role_of(person: Person) -> Text:
    return T(ROLE_TITLES.get(person.role, person.role))


async def person_card(turn: Turn, person: Person, *, edit: bool = True, said: Text | None = None,
                      notice: Text | None = None) -> Reply:
    """Who the person is now, with what staff can do to them (re-read: the card never trusts the button)."""
    station = await turn.session.get(Station, person.station_id) if person.station_id else None
    lines: list[Text] = [*([said] if said is not None else []), Raw(person.name or "—"),
                         T("Role: {role}", role=role_of(person))]
    if station is not None:
        lines.append(T("Station: {station} (number {number})", station=Raw(station.name), number=station.id))
    if person.phone:
        lines.append(T("Phone: {phone}", phone=Raw(person.phone)))
    if not person.active:
        lines.append(T("Deactivated: the bot no longer treats them as this role."))
    buttons: list[list[Button]] = []
    staff = turn.staff()
    if person.active and (staff is None or staff.id != person.id):
        buttons.append([Button(T("Deactivate…"), f"pp:d:{person.id}")])
    if person.active and person.role == Role.manager.value:
        buttons.append([Button(T("Move to another station…"), f"pp:m:{person.id}")])
    return Reply(Join(tuple(lines)), keyboard(*buttons), edit=edit, notice=notice)


async def refused_on_card(turn: Turn, person: Person, problem: PeopleProblem) -> Reply:
    """The refusal above the person's card as it is now, so staff can choose again."""
    return await person_card(turn, person, said=T(PROBLEM_TEXTS[problem]), notice=T(PROBLEM_TEXTS[problem]))


async def search_people(turn: Turn, text: str) -> list[Reply] | None:
    """Active people whose name, phone or station contains ``text``, as buttons; None when nobody matches."""
    rows, total = await find_people(turn.session, PeopleFilter(search=text.strip()[:100], active="active"))
    if not rows:
        return None
    buttons = [[Button(Join((Raw(person.name or "—"), role_of(person), *([Raw(station)] if station else [])), " · "),
                       f"pp:s:{person.id}")] for person, station in rows[:SHOWN]]
    lines: list[Text] = [TN("{n} person matches “{text}”:", "{n} people match “{text}”:", total, text=Raw(text))]
    if total > SHOWN:
        lines.append(NARROW)
    return [Reply(Join(tuple(lines)), keyboard(*buttons))]


async def people(turn: Turn) -> list[Reply]:
    """``/people [name, phone or station]``: the matches at once, or the question what to look for."""
    staff = turn.staff()
    assert staff is not None and staff.id is not None, "the route is for staff"
    text = " ".join(turn.input.args).strip() if isinstance(turn.input, CommandInput) else ""
    if text:
        found = await search_people(turn, text)
        if found is not None:
            return found
    await open_staff_draft(turn, staff.id, form_id=SEARCH_FORM, subject_key="", state={})
    if text:
        return [Reply(Join((T("Nobody active matches “{text}”.", text=Raw(text)), ASK_PERSON)))]
    return [Reply(ASK_PERSON)]


async def typed(turn: Turn) -> list[Reply] | None:
    """The text typed for a person search, or for the station a manager moves to (or /cancel)."""
    answer = await staff_answer(turn, (SEARCH_FORM, MOVE_FORM), STOPPED, text=True)
    if not isinstance(answer, StaffAnswer):
        return answer
    if answer.draft.form_id == SEARCH_FORM:
        found = await search_people(turn, answer.text)
        if found is None:
            return [Reply(Join((T("Nobody active matches “{text}”.", text=Raw(answer.text)), ASK_PERSON)))]
        await turn.session.delete(answer.draft)
        return found
    person = await turn.session.get(Person, int(answer.draft.state.get("person_id", 0)))
    if person is None or person.station_id != answer.draft.state.get("from"):
        await turn.session.delete(answer.draft)
        return [Reply(STALE)]
    stations, total = await stations_with_manager(turn.session, answer.text[:100], SHOWN)
    if not stations:
        return [Reply(T("No station matches “{text}”. Type part of its name or its number (/cancel to stop).",
                        text=Raw(answer.text)))]
    await turn.session.delete(answer.draft)
    buttons = [[Button(Join((Raw(f"{station.id} · {station.name}"[:60]),
                             T("manager: {name}", name=Raw(manager or "—")) if manager is not None
                             else T("no manager")), " · "),
                       f"pp:t:{person.id}:{person.station_id}:{station.id}")] for station, manager in stations]
    lines: list[Text] = [T("Where should {name} move? A station that has a manager must be freed first.",
                           name=Raw(person.name))]
    if total > SHOWN:
        lines.append(NARROW)
    return [Reply(Join(tuple(lines)), keyboard(*buttons))]


def numbers(data: str, count: int) -> list[int] | None:
    """The ``count`` numbers after ``pp:<step>:``, or None when the data is not that (forged or garbled)."""
    parts = data.split(":")[2:]
    found = [db_int(p) for p in parts]
    if len(found) != count or None in found:
        return None
    return [n for n in found if n is not None]


async def button(turn: Turn) -> list[Reply]:
    """``pp:<step>:<person>[:<from station>:<to station>]`` — s card, d/D deactivate, m/t/M move."""
    assert isinstance(turn.input, ButtonInput)
    step = turn.input.data.split(":")[1] if turn.input.data.count(":") >= 2 else ""
    ids = numbers(turn.input.data, 3 if step in ("t", "M") else 1)
    staff = turn.staff()
    if ids is None or step not in ("s", "d", "D", "m", "t", "M") or staff is None or staff.id is None:
        return [Reply(STALE, notice=STALE)]
    person = await turn.session.get(Person, ids[0])
    if person is None:
        gone = T(PROBLEM_TEXTS[PeopleProblem.no_person])
        return [Reply(gone, edit=True, notice=gone)]
    if step == "s":
        return [await person_card(turn, person)]
    if step == "d":
        if not person.active:
            return [await refused_on_card(turn, person, PeopleProblem.already_inactive)]
        station = await turn.session.get(Station, person.station_id) if person.station_id else None
        question = T(DEACTIVATE_QUESTION, name=Raw(person.name), role=role_of(person),
                     place=Raw(f", {station.name}") if station else Raw(""))
        return [Reply(question, keyboard([Button(T("Yes, deactivate"), f"pp:D:{person.id}"),
                                          Button(T("No, go back"), f"pp:s:{person.id}")]), edit=True)]
    if step == "D":
        done = await deactivate_person(turn.session, person.id or 0, staff, turn.now,
                                       turn.services.settings.staff_telegram_ids)
        if isinstance(done, PeopleProblem):
            return [await refused_on_card(turn, person, done)]
        return [await person_card(turn, done, said=T(DEACTIVATED, name=Raw(done.name), role=role_of(done)))]
    if step == "m":
        if person.role != Role.manager.value or not person.active:
            return [await refused_on_card(turn, person, PeopleProblem.not_a_manager)]
        await open_staff_draft(turn, staff.id, form_id=MOVE_FORM, subject_key="",
                               state={"person_id": person.id, "from": person.station_id})
        return [Reply(T("To which station should {name} move? Type part of its name or its number "
                        "(/cancel to stop).", name=Raw(person.name)), edit=True)]
    _, moved_from, target = ids
    if person.station_id != moved_from:  # moved since this button was sent: show where they are now
        return [await person_card(turn, person, said=STALE, notice=STALE)]
    station = await turn.session.get(Station, target)
    if station is None:
        return [await refused_on_card(turn, person, PeopleProblem.no_station)]
    if step == "t":
        old = await turn.session.get(Station, moved_from)
        question = T("Move {name} from {old} to {new}? Submissions and drafts stay with the old station.",
                     name=Raw(person.name), old=Raw(old.name if old else "—"), new=Raw(station.name))
        return [Reply(question, keyboard([Button(T("Yes, move"), f"pp:M:{person.id}:{moved_from}:{target}"),
                                          Button(T("No, go back"), f"pp:s:{person.id}")]), edit=True)]
    done = await move_manager(turn.session, person.id or 0, target, staff, turn.now)
    if isinstance(done, PeopleProblem):
        return [await refused_on_card(turn, person, done)]
    return [await person_card(turn, done, said=T(MOVED, name=Raw(done.name), station=Raw(station.name)))]


def extend(router: Router, services: Services) -> None:
    router.add(Route("people", STAFF, people, menu_label=T("Find a person: deactivate, or move a manager"),
                     menu_order=505))
    router.add(Route("pp", STAFF, button, kind="button"))
    router.own_drafts([SEARCH_FORM, MOVE_FORM], typed)
