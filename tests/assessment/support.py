"""Stations with managers, ledgers and yearly material for whole assessment rounds."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook

from storage.models import Activity, Submission
from testing.client import Sandbox, User, joined
from testing.outbox_flush import render_pending
from tests.conftest import SHANGHAI, STAFF
from tests.forms.conftest import Seat, seat


@dataclass
class Station:
    seat: Seat

    @property
    def id(self) -> int:
        assert self.seat.station.id is not None
        return self.seat.station.id

    @property
    def user(self) -> User:
        return self.seat.user

    @property
    def name(self) -> str:
        return self.seat.station.name


async def station(box: Sandbox, n: int, name: str, profile: str, founded: dt.date = dt.date(2024, 3, 1)) -> Station:
    found = await seat(box.services.db, User(7000 + n, f"Manager{n}", "en"), name, profile)
    async with box.services.db.session() as session:
        row = await session.get(type(found.station), found.station.id)
        assert row is not None
        row.founded_on = founded
        session.add(row)
        await session.commit()
    found.station.founded_on = founded
    return Station(found)


async def ledger(box: Sandbox, st: Station, year: int, activity_type: str, **outcomes: int) -> None:
    async with box.services.db.session() as session:
        session.add(Activity(station_id=st.id, activity_type=activity_type, title="服务", started_on=dt.date(year, 6, 1),
                             outcomes=outcomes, logged_by_person_id=st.seat.person.id or 0))
        await session.commit()


async def material(box: Sandbox, st: Station, year: int, *kinds: str) -> None:
    """Yearly material of ``year`` submitted in time (what the round checks participation against)."""
    async with box.services.db.session() as session:
        for kind in kinds:
            session.add(Submission(station_id=st.id, kind=kind, year=year, status="accepted",
                                   submitted_at=dt.datetime(year + 1, 1, 20, 10, tzinfo=SHANGHAI)))
        await session.commit()


def fill(content: bytes, edits: dict[tuple[int, str], Any]) -> bytes:
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    for (line, column), value in edits.items():
        sheet[f"{column}{line}"] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def score_sheet(box: Sandbox, year: int) -> tuple[bytes, list[tuple[Any, ...]]]:
    calls = await box.send(STAFF, f"/scoresheet {year}")
    sent = next(c for c in calls if c.method == "sendDocument")
    blank = next(iter(sent.files.values()))
    rows = list(load_workbook(io.BytesIO(blank)).worksheets[0].iter_rows(min_row=2, values_only=True))
    return blank, rows


def points_for(rows: list[tuple[Any, ...]], wanted: dict[int, dict[str, float]]) -> dict[tuple[int, str], Any]:
    """Cell edits putting ``wanted[station][row id]`` into column F of the sheet's lines."""
    return {(line, "F"): wanted[row[0]][row[2]] for line, row in enumerate(rows, start=2) if row[0] in wanted}


async def inbox(box: Sandbox, st: Station) -> str:
    return joined(await render_pending(box, st.user.id))


async def staff_inbox(box: Sandbox) -> str:
    return joined(await render_pending(box, STAFF.id))


async def press_on(box: Sandbox, user: User, contains: str, label: str) -> list[Any]:
    """Press ``label`` on the newest message to ``user`` whose text contains ``contains``."""
    messages = sorted((m for (chat, _), m in box.api.messages.items() if chat == user.id),
                      key=lambda m: m["message_id"], reverse=True)
    for message in messages:
        if contains in (message.get("text") or message.get("caption") or ""):
            return await box.press(user, label, message)
    raise LookupError(f"no message with {contains!r} to {user.id}")
