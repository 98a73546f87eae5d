"""Stations and societies: created by staff from the command line or a CSV import."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Society, SocietyLevel, Station, StationStatus

CSV_COLUMNS = (
    "name", "plaque_name", "approval_number", "station_type", "host_unit_name", "host_unit_credit_code",
    "region", "society", "society_level", "policy_profile", "founded_on", "agreement_start",
    "agreement_end", "manager_certificate_expiry", "status",
)
DATE_COLUMNS = ("founded_on", "agreement_start", "agreement_end", "manager_certificate_expiry")


class ImportProblem(ValueError):
    """A CSV row that cannot be imported; names the line and the column."""


@dataclass(frozen=True)
class StationRow:
    values: dict[str, str]
    line: int


async def society_named(session: AsyncSession, name: str, level: str) -> Society:
    society = (await session.exec(select(Society).where(Society.name == name))).first()
    if society is None:
        society = Society(name=name, level=level)
        session.add(society)
        await session.flush()
    return society


def _parse_date(value: str, line: int, column: str) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ImportProblem(f"line {line}, column {column}: expected a date like 2027-03-05, got {value!r}") from exc


def read_station_csv(text: str) -> list[StationRow]:
    """Parse and check a station CSV before anything is written (all or nothing)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"name", "policy_profile"} - set(reader.fieldnames or [])
    if missing:
        raise ImportProblem(f"line 1: missing column(s) {', '.join(sorted(missing))}; columns: {', '.join(CSV_COLUMNS)}")
    unknown = set(reader.fieldnames or []) - set(CSV_COLUMNS)
    if unknown:
        raise ImportProblem(f"line 1: unknown column(s) {', '.join(sorted(unknown))}; columns: {', '.join(CSV_COLUMNS)}")
    rows = []
    for index, raw in enumerate(reader, start=2):
        values = {k: (v or "").strip() for k, v in raw.items() if k}
        if not values.get("name"):
            raise ImportProblem(f"line {index}, column name: a station needs a name")
        level = values.get("society_level") or SocietyLevel.provincial
        if level not in SocietyLevel.__members__:
            raise ImportProblem(f"line {index}, column society_level: expected national, provincial or municipal")
        status = values.get("status") or StationStatus.active
        if status not in StationStatus.__members__:
            raise ImportProblem(f"line {index}, column status: expected active, rectifying, revoked or exited")
        for column in DATE_COLUMNS:
            _parse_date(values.get(column, ""), index, column)
        rows.append(StationRow(values, index))
    return rows


async def add_station(session: AsyncSession, values: dict[str, str], known_profiles: Iterable[str]) -> Station:
    profile = values.get("policy_profile", "")
    if profile not in set(known_profiles):
        raise ImportProblem(f"unknown policy profile {profile!r}; known: {', '.join(sorted(known_profiles))}")
    society_id = None
    if values.get("society"):
        society = await society_named(session, values["society"], values.get("society_level") or "provincial")
        society_id = society.id
    station = Station(
        name=values["name"],
        plaque_name=values.get("plaque_name", ""),
        approval_number=values.get("approval_number", ""),
        station_type=values.get("station_type", ""),
        host_unit_name=values.get("host_unit_name", ""),
        host_unit_credit_code=values.get("host_unit_credit_code", ""),
        region=values.get("region", ""),
        society_id=society_id,
        policy_profile=profile,
        status=values.get("status") or StationStatus.active,
    )
    for column in DATE_COLUMNS:
        setattr(station, column, _parse_date(values.get(column, ""), 0, column))
    session.add(station)
    await session.flush()
    return station


async def import_stations(session: AsyncSession, text: str, known_profiles: Sequence[str]) -> list[Station]:
    rows = read_station_csv(text)
    stations = []
    for row in rows:
        try:
            stations.append(await add_station(session, row.values, known_profiles))
        except ImportProblem as exc:
            raise ImportProblem(f"line {row.line}: {exc}") from exc
    return stations


async def list_stations(session: AsyncSession, *, profile: str | None = None, limit: int = 1000,
                        offset: int = 0) -> list[Station]:
    query = select(Station).order_by(col(Station.id)).limit(limit).offset(offset)
    if profile:
        query = query.where(Station.policy_profile == profile)
    return list((await session.exec(query)).all())
