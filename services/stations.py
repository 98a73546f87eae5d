"""Adding stations: one typed on the command line, a CSV import, an approved application (``services.applications``).

A CSV is checked completely before anything is written (all or nothing): encoding, columns,
every cell's length against its column, dates, the credit code's check character. Problems
are collected with their line and column so the file can be fixed in one pass.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from locales import Raw, T, Text, render, translator
from rules.identifiers import credit_code_problem, normalise_credit_code
from storage.models import Society, SocietyLevel, Station, StationStatus
from storage.stations import (
    DATE_COLUMNS,
    apply_values,
    column_length,
    insert_station,
    matching_station,
    save_society,
    society_by_name,
)

CSV_COLUMNS = (
    "name", "plaque_name", "approval_number", "station_type", "host_unit_name", "host_unit_credit_code",
    "region", "society", "society_level", "policy_profile", "founded_on", "agreement_start",
    "agreement_end", "manager_certificate_expiry", "status",
)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_PROBLEMS = 50
Existing = Literal["refuse", "update", "skip"]


class ImportProblem(ValueError):
    """Stations that cannot be written; ``texts`` names each line and column (localizable)."""

    def __init__(self, *texts: Text) -> None:
        self.texts = texts
        super().__init__("; ".join(render(t, translator("en")) for t in texts))


@dataclass(frozen=True)
class StationRow:
    values: dict[str, str]
    line: int


@dataclass
class ImportResult:
    added: list[Station] = field(default_factory=list)
    updated: list[Station] = field(default_factory=list)
    skipped: int = 0


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM, what most tools write), else GB18030 (a superset of GBK, Chinese Excel)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportProblem(T("the file is neither UTF-8 nor GBK/GB18030 text; save it as CSV UTF-8")) from None


def _where(line: int, column: str) -> Text:
    """``line 3, column name`` in a file; just the field's name for one station typed on the command line."""
    return T("line {line}, column {column}", line=str(line), column=Raw(column)) if line else Raw(column)


def _date(value: str) -> dt.date | None:
    """An ISO date (2027-03-05) only: 20270305 or 2027/3/5 are refused rather than guessed."""
    if not value:
        return None
    if not ISO_DATE.match(value):
        raise ValueError(value)
    return dt.date.fromisoformat(value)


def _row_problems(values: dict[str, str], line: int, profiles: set[str]) -> list[Text]:
    problems: list[Text] = []
    for column, value in values.items():
        limit = column_length(column)
        if limit is not None and len(value) > limit:
            problems.append(T("{where}: at most {limit} characters, got {count}", where=_where(line, column),
                              limit=str(limit), count=str(len(value))))
    if not values.get("name"):
        problems.append(T("{where}: a station needs a name", where=_where(line, "name")))
    if values.get("policy_profile", "") not in profiles:
        problems.append(T("{where}: unknown policy profile {value}; known: {known}",
                          where=_where(line, "policy_profile"), value=repr(values.get("policy_profile", "")),
                          known=Raw(", ".join(sorted(profiles)))))
    if (values.get("society_level") or SocietyLevel.provincial) not in SocietyLevel.__members__:
        problems.append(T("{where}: expected national, provincial or municipal", where=_where(line, "society_level")))
    if values.get("society_level") and not values.get("society"):
        problems.append(T("{where}: a society level needs the society's name in the society column",
                          where=_where(line, "society_level")))
    if (values.get("status") or StationStatus.active) not in StationStatus.__members__:
        problems.append(T("{where}: expected active, rectifying, revoked or exited", where=_where(line, "status")))
    code = values.get("host_unit_credit_code", "")
    if code and credit_code_problem(code) is not None:
        problems.append(T("{where}: not a valid unified social credit code (18 characters, the last a check "
                          "character), got {value}", where=_where(line, "host_unit_credit_code"), value=repr(code)))
    dates: dict[str, dt.date | None] = {}
    for column in DATE_COLUMNS:
        try:
            dates[column] = _date(values.get(column, ""))
        except ValueError:
            problems.append(T("{where}: expected a date like 2027-03-05, got {value}", where=_where(line, column),
                              value=repr(values.get(column, ""))))
    start, end = dates.get("agreement_start"), dates.get("agreement_end")
    if start is not None and end is not None and end < start:
        problems.append(T("{where}: the agreement ends before it starts ({start})", where=_where(line, "agreement_end"),
                          start=Raw(start.isoformat())))
    return problems


def read_station_csv(text: str, known_profiles: Iterable[str]) -> list[StationRow]:
    """Parse and check every row before anything is written; raises with every problem found."""
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise ImportProblem(T("line {line}: the file contains a NUL byte; save it as CSV text", line=str(line)))
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fieldnames = [f.strip() for f in reader.fieldnames or []]
    reader.fieldnames = fieldnames
    missing = {"name", "policy_profile"} - set(fieldnames)
    if missing:
        raise ImportProblem(T("line 1: missing column(s) {missing}; columns: {columns}",
                              missing=Raw(", ".join(sorted(missing))), columns=Raw(", ".join(CSV_COLUMNS))))
    unknown = set(fieldnames) - set(CSV_COLUMNS)
    if unknown:
        raise ImportProblem(T("line 1: unknown column(s) {unknown}; columns: {columns}",
                              unknown=Raw(", ".join(sorted(unknown))), columns=Raw(", ".join(CSV_COLUMNS))))
    profiles = set(known_profiles)
    rows: list[StationRow] = []
    problems: list[Text] = []
    for raw in reader:
        line = reader.line_num
        if None in raw:
            problems.append(T("line {line}: more cells than columns", line=str(line)))
        values = {k: (v or "").strip() for k, v in raw.items() if k}
        if values.get("host_unit_credit_code"):
            values["host_unit_credit_code"] = normalise_credit_code(values["host_unit_credit_code"])
        problems += _row_problems(values, line, profiles)
        rows.append(StationRow(values, line))
    if problems:
        raise ImportProblem(*problems[:MAX_PROBLEMS])
    if not rows:
        raise ImportProblem(T("the file has no station rows"))
    return rows


async def society_named(session: AsyncSession, name: str, level: str | None, *, update_level: bool = False) -> Society:
    """The society of this name, created if new; a different level is refused unless ``update_level``."""
    society = await society_by_name(session, name)
    if society is None:
        return await save_society(session, Society(name=name, level=level or SocietyLevel.provincial))
    if level and level != society.level:
        if not update_level:
            raise ImportProblem(T("society {name} is recorded as {level}; to change it pass --update-society-level",
                                  name=Raw(name), level=Raw(society.level)))
        society.level = level
        await save_society(session, society)
    return society


async def add_station(session: AsyncSession, values: dict[str, str], known_profiles: Iterable[str], *,
                      update_society_level: bool = False) -> Station:
    """One station from checked values (the CLI's ``station add`` checks them as a one-row CSV)."""
    problems = _row_problems(values, 0, set(known_profiles))
    if problems:
        raise ImportProblem(*problems)
    society_id = None
    if values.get("society"):
        society = await society_named(session, values["society"], values.get("society_level") or None,
                                      update_level=update_society_level)
        society_id = society.id
    return await insert_station(session, values, society_id)


async def import_stations(session: AsyncSession, text: str, known_profiles: Sequence[str],
                          existing: Existing = "refuse", *, update_society_level: bool = False) -> ImportResult:
    """Write the checked rows; rows matching a stored station are updated, skipped or refused."""
    rows = read_station_csv(text, known_profiles)
    matches = [(row, await matching_station(session, row.values)) for row in rows]
    found = [(row, station) for row, station in matches if station is not None]
    if found and existing == "refuse":
        raise ImportProblem(*[T("line {line}: station {name} (host unit credit code {code}) is already stored as "
                                "number {number}", line=str(row.line), name=Raw(row.values["name"]),
                                code=Raw(row.values.get("host_unit_credit_code") or "-"), number=str(station.id))
                              for row, station in found[:MAX_PROBLEMS]],
                            T("choose --existing update (overwrite them) or --existing skip (leave them); "
                              "nothing was written"))
    result = ImportResult()
    for row, station in matches:
        try:
            if station is None:
                result.added.append(await add_station(session, row.values, known_profiles,
                                                      update_society_level=update_society_level))
            elif existing == "skip":
                result.skipped += 1
            else:
                society_id = None
                if row.values.get("society"):
                    society = await society_named(session, row.values["society"],
                                                  row.values.get("society_level") or None,
                                                  update_level=update_society_level)
                    society_id = society.id
                apply_values(station, row.values, society_id)
                session.add(station)
                result.updated.append(station)
        except ImportProblem as exc:
            raise ImportProblem(*[T("line {line}: {problem}", line=str(row.line), problem=t) for t in exc.texts]) from exc
    await session.flush()
    return result
