"""Scoring the rows staff assess, as one use case for every door: chat, the staff API and the web console.

Each typed value is checked against its row's maximum (``rules.manual_scores.parse_points``) and the
valid ones are stored with an audit line each (``storage.manual_scores.set_manual_points``). The API
stores all or nothing; the console's grid stores the valid cells and hands back a problem per bad cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from rules.manual_scores import PointsProblem, manual_items, parse_points
from rules.profile import load_profile
from storage.manual_scores import set_many
from storage.models import Station


@dataclass(frozen=True)
class CellProblem:
    """Why one typed cell was refused: a ``PointsProblem`` kind, or ``item_unknown`` / ``station_unknown``."""

    station_id: int
    item_id: str
    kind: str
    typed: str
    maximum: float = 0.0


@dataclass
class Scored:
    """What a scoring call did: the values stored (``{station: {row: points}}``) and the refused cells."""

    values: dict[int, dict[str, float]] = field(default_factory=dict)
    problems: list[CellProblem] = field(default_factory=list)

    @property
    def written(self) -> int:
        return sum(len(points) for points in self.values.values())


def check_cells(stations: Mapping[int, Station], typed: Mapping[int, Mapping[str, str]]) -> Scored:
    """Every typed cell checked against its station's table; nothing stored (see ``score``)."""
    found = Scored()
    for station_id, cells in typed.items():
        station = stations.get(station_id)
        items = {i.id: i for i in manual_items(load_profile(station.policy_profile))} if station else {}
        for item_id, text in cells.items():
            item = items.get(item_id)
            if station is None:
                found.problems.append(CellProblem(station_id, item_id, "station_unknown", text))
            elif item is None:
                found.problems.append(CellProblem(station_id, item_id, "item_unknown", text))
            else:
                parsed = parse_points(text, item)
                if isinstance(parsed, PointsProblem):
                    found.problems.append(CellProblem(station_id, item_id, parsed.kind, text, parsed.maximum))
                else:
                    found.values.setdefault(station_id, {})[item_id] = parsed
    return found


async def score(session: AsyncSession, *, year: int, typed: Mapping[int, Mapping[str, str]], person_id: int | None,
                now: dt.datetime, source: str, all_or_nothing: bool) -> Scored:
    """Check the typed points of ``{station: {row: text}}`` and store the valid ones for ``year`` (audited).

    ``all_or_nothing``: any refused cell stores nothing (the API, the chat's single cell); otherwise the
    valid cells are stored and the refused ones returned (the console's grid keeps what staff typed).
    """
    stations = {sid: row for sid in typed if (row := await session.get(Station, sid)) is not None}
    found = check_cells(stations, typed)
    if found.problems and all_or_nothing:
        return Scored({}, found.problems)
    await set_many(session, year=year, values=found.values, person_id=person_id, now=now, source=source)
    return found
