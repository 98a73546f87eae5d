"""/experts: a manager's roster of experts, where "outside the province" can be corrected.

Seed 003 三（三）7 counts "省外专家 N 人" from the roster; names typed before the roster existed were
migrated without knowing who came from outside (only where an activity said all its experts did),
so the manager can set it here. Every change is kept in the audit log.
"""

from __future__ import annotations

from bot.handlers.forms import NO_STATION, manager_station
from bot.routing import MANAGERS, Route, Router, Turn
from bot.services import Services
from conversations.types import Button, ButtonInput, Reply, keyboard
from locales import Join, Raw, T, Text
from storage.ids import db_int
from storage.models import AuditLog, Expert, Station
from storage.roster import roster

OUTSIDE = T("🌏 outside the province")
INSIDE = T("from the province")


def roster_reply(station: Station, experts: list[Expert], edit: bool = False) -> Reply:
    if not experts:
        return Reply(T("No experts on the roster yet: they are added when you log an activity (/log)."), edit=edit)
    lines: list[Text] = [T("Experts on the roster of {station}:", station=Raw(station.name))]
    for number, expert in enumerate(experts, 1):
        name = f"{number}. {expert.name}" + (f" ({expert.title})" if expert.title else "")
        lines.append(Join((Raw(name), OUTSIDE if expert.outside_province else INSIDE), " — "))
    lines.append(T("Press an expert to switch between outside the province and from the province."))
    buttons = [(Button(Join((Raw(expert.name), OUTSIDE if expert.outside_province else INSIDE), ": "),
                       f"ex:o:{expert.id}"),) for expert in experts]
    return Reply(Join(tuple(lines)), keyboard(*buttons), edit=edit)


def extend(router: Router, services: Services) -> None:
    async def show(turn: Turn) -> list[Reply]:
        station = await manager_station(turn)
        if station is None or station.id is None:
            return [Reply(NO_STATION)]
        return [roster_reply(station, await roster(turn.session, station.id))]

    async def switch(turn: Turn) -> list[Reply]:
        """``ex:o:<expert>``: the expert must be on the manager's own station (callback data is not trusted)."""
        assert isinstance(turn.input, ButtonInput)
        station = await manager_station(turn)
        parts = turn.input.data.split(":")
        expert_id = db_int(parts[2]) if len(parts) == 3 else None
        expert = await turn.session.get(Expert, expert_id) if expert_id is not None else None
        if station is None or station.id is None or expert is None or expert.station_id != station.id:
            return [Reply(T("This expert is not on your station's roster."))]
        expert.outside_province = not expert.outside_province
        manager = turn.manager()
        turn.session.add(AuditLog(at=turn.now, person_id=manager.id if manager else None, action="expert_outside_set",
                                  subject=f"expert:{expert.id}", detail={"outside_province": expert.outside_province}))
        await turn.session.flush()
        return [roster_reply(station, await roster(turn.session, station.id), edit=True)]

    router.add(Route("experts", MANAGERS, show, menu_label=T("The station's roster of experts"), menu_order=36))
    router.add(Route("ex", MANAGERS, switch, kind="button"))
