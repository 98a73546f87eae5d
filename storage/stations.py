"""Stations and societies as stored: look-ups and writes.

Checking what staff type or import (a CSV, one station on the command line) is the use case
``services.stations``; the values reaching here are checked already.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Society, Station, StationStatus

DATE_COLUMNS = ("founded_on", "agreement_start", "agreement_end", "manager_certificate_expiry")


def column_length(column: str) -> int | None:
    """The longest value the table's column holds (the model's ``max_length``)."""
    table = Society.__table__ if column == "society" else Station.__table__  # type: ignore[attr-defined]
    name = "name" if column == "society" else column
    if name not in table.c:
        return None
    length = getattr(table.c[name].type, "length", None)
    return int(length) if length else None


async def society_by_name(session: AsyncSession, name: str) -> Society | None:
    return (await session.exec(select(Society).where(Society.name == name))).first()


async def save_society(session: AsyncSession, society: Society) -> Society:
    session.add(society)
    await session.flush()
    return society


def apply_values(station: Station, values: dict[str, str], society_id: int | None) -> None:
    """Copy checked values (ISO dates as text) onto a station."""
    for column in ("plaque_name", "approval_number", "station_type", "host_unit_name", "host_unit_credit_code",
                   "region"):
        setattr(station, column, values.get(column, ""))
    station.name = values["name"]
    station.policy_profile = values["policy_profile"]
    station.society_id = society_id
    station.status = values.get("status") or StationStatus.active
    for column in DATE_COLUMNS:
        value = values.get(column, "")
        setattr(station, column, dt.date.fromisoformat(value) if value else None)


async def insert_station(session: AsyncSession, values: dict[str, str], society_id: int | None) -> Station:
    station = Station(name=values["name"], policy_profile=values["policy_profile"])
    apply_values(station, values, society_id)
    session.add(station)
    await session.flush()
    return station


async def matching_station(session: AsyncSession, values: dict[str, str]) -> Station | None:
    """The station already stored with this name and host unit credit code (a re-import)."""
    query = select(Station).where(Station.name == values["name"],
                                  Station.host_unit_credit_code == values.get("host_unit_credit_code", ""))
    return (await session.exec(query.order_by(col(Station.id)))).first()
