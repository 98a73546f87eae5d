"""The year's workbook for staff (all stations) or a manager (their own): xlsxwriter, constant memory.

Sheets: stations, submissions, ledger (one row per activity, streamed), ratings, scores. Headers
and labels are rendered in the reader's language; every cell format names a CJK-capable font.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import tempfile
from collections.abc import Sequence
from typing import Any

import xlsxwriter
from sqlmodel.ext.asyncio.session import AsyncSession
from xlsxwriter.worksheet import Worksheet

from bot.ledger_columns import ledger_cells, ledger_columns
from locales import TN, T, Translator, render
from rules.profile import Profile, RatingSpec, load_profile
from rules.scoring import LedgerTotals
from services.scores import StationScore, station_score
from storage import export_streams, listings
from storage.ledger import totals_by_station
from storage.manual_scores import manual_points
from storage.models import Station
from storage.rating_aggregates import StationSatisfaction, rating_aggregates

CJK_FONT = "Microsoft YaHei"  # shipped with every Chinese Windows; LibreOffice maps it to Noto Sans CJK
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (for dates after Excel's fictitious 1900-02-29)

STATUS_LABELS: dict[str, T] = {
    "submitted": T("Submitted, awaiting review"), "returned": T("Returned for changes"),
    "accepted": T("Accepted"), "active": T("Active"), "rectifying": T("Rectifying"),
    "revoked": T("Revoked"), "exited": T("Exited"),
}


def _label(value: str, tr: Translator) -> str:
    label = STATUS_LABELS.get(value)
    return render(label, tr) if label is not None else value


class _Book:
    """A workbook with the formats every sheet uses."""

    def __init__(self, output: io.BytesIO, tmpdir: str, tz: dt.tzinfo) -> None:
        self.tz = tz
        self.book = xlsxwriter.Workbook(output, {"constant_memory": True, "tmpdir": tmpdir})
        base = {"font_name": CJK_FONT, "font_size": 10}
        self.text = self.book.add_format(base)
        self.header = self.book.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.date = self.book.add_format({**base, "num_format": "yyyy-mm-dd"})
        self.datetime = self.book.add_format({**base, "num_format": "yyyy-mm-dd hh:mm"})
        self.number = self.book.add_format({**base, "num_format": "0.##"})

    def sheet(self, name: T, headers: Sequence[str], tr: Translator, widths: Sequence[int] = ()) -> Worksheet:
        sheet = self.book.add_worksheet(render(name, tr)[:31])
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        for col, title in enumerate(headers):
            sheet.write_string(0, col, title, self.header)
        sheet.freeze_panes(1, 0)
        return sheet

    def rows(self, sheet: Worksheet, first: int, rows: Sequence[Sequence[Any]]) -> None:
        """Rows ``first``, ``first + 1`` ...: one call per partition, for a worker thread."""
        for offset, values in enumerate(rows):
            self.row(sheet, first + offset, values)

    def row(self, sheet: Worksheet, row: int, values: Sequence[Any]) -> None:
        """One row; dispatch on the exact type, commonest first (this runs for tens of millions of cells).

        Dates become Excel serial numbers here (days since 1899-12-30, times as fractions of a day in
        the deployment's ``TIMEZONE``) and are written as numbers with a date format: what ``write_datetime`` does, cheaper.
        """
        for col, value in enumerate(values):
            kind = type(value)
            if kind is str:
                if value:
                    sheet.write_string(row, col, value, self.text)
            elif kind is int or kind is float:
                sheet.write_number(row, col, value, self.number)
            elif value is None:
                continue
            elif kind is dt.date:
                sheet.write_number(row, col, (value - EXCEL_EPOCH).days, self.date)
            elif isinstance(value, dt.datetime):
                local = value.astimezone(self.tz)
                seconds = local.hour * 3600 + local.minute * 60 + local.second
                sheet.write_number(row, col, (local.date() - EXCEL_EPOCH).days + seconds / 86400, self.datetime)
            elif kind is bool:
                sheet.write_boolean(row, col, value, self.text)
            elif isinstance(value, int | float):
                sheet.write_number(row, col, value, self.number)
            else:
                sheet.write_string(row, col, str(value), self.text)


def _headers(tr: Translator, *labels: T) -> list[str]:
    return [render(label, tr) for label in labels]


def _profiles(stations: Sequence[Station]) -> dict[str, Profile]:
    return {s.policy_profile: load_profile(s.policy_profile) for s in stations}


def _yes_no(value: bool | None, tr: Translator) -> str:
    if value is None:
        return ""
    return render(T("Yes") if value else T("No"), tr)


def _on_time(late_workdays: int, tr: Translator) -> str:
    return render(T("Late") if late_workdays > 0 else T("On time"), tr)


async def export_year(session: AsyncSession, year: int, tr: Translator,
                      station_ids: Sequence[int] | None = None, chunk: int = 500, *, tz: dt.tzinfo,
                      individual_ratings: bool = True) -> bytes:
    """The workbook as bytes; ``station_ids`` limits it (a manager's own station); times in ``tz``.

    ``individual_ratings=False`` (a manager's pack) gives averages per dimension instead of one row per
    rating: a station with few demand units could otherwise tell who gave which score and comment.
    """
    stations = await listings.list_stations(session, station_ids=station_ids)
    names = {s.id: s.name for s in stations}
    profiles = _profiles(stations)
    output = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="stationbot-xlsx-") as tmpdir:
        book = _Book(output, tmpdir, tz)
        await _stations_sheet(book, stations, tr)
        await _submissions_sheet(book, session, year, station_ids, names, profiles, stations, tr)
        await _ledger_sheet(book, session, year, station_ids, names, stations, profiles, tr, chunk)
        if individual_ratings:
            await _ratings_sheet(book, session, year, station_ids, names, profiles, tr, chunk)
        else:
            await _ratings_summary_sheet(book, session, year, stations, profiles, tr)
        await _scores_sheet(book, session, year, stations, tr)
        await asyncio.to_thread(book.book.close)  # zips the sheets: seconds on a big year, off the loop
    return output.getvalue()


async def _stations_sheet(book: _Book, stations: Sequence[Station], tr: Translator) -> None:
    sheet = book.sheet(T("Stations"), _headers(
        tr, T("ID"), T("Station"), T("Policy"), T("Region"), T("Status"), T("Station type"), T("Host unit"),
        T("Approval number"), T("Founded on"), T("Agreement ends"), T("Manager certificate expires")),
        tr, (6, 30, 16, 12, 12, 14, 30, 16, 12, 12, 14))
    for n, station in enumerate(stations, start=1):
        book.row(sheet, n, [station.id, station.name, station.policy_profile, station.region,
                            _label(station.status, tr), station.station_type, station.host_unit_name,
                            station.approval_number, station.founded_on, station.agreement_end,
                            station.manager_certificate_expiry])


async def _submissions_sheet(book: _Book, session: AsyncSession, year: int, station_ids: Sequence[int] | None,
                             names: dict[int | None, str], profiles: dict[str, Profile],
                             stations: Sequence[Station], tr: Translator) -> None:
    sheet = book.sheet(T("Submissions"), _headers(
        tr, T("Station"), T("Submission"), T("Year"), T("Status"), T("Due on"), T("Submitted at"),
        T("Late working days"), T("On time or late"), T("Version")), tr, (30, 20, 8, 16, 12, 16, 10, 10, 8))
    kinds: dict[tuple[int | None, str], str] = {}
    for station in stations:
        for item in profiles[station.policy_profile].annual_submissions:
            kinds[(station.id, item.id)] = render(T(item.label), tr)
    rows = await listings.list_submissions(session, year, station_ids)
    for n, sub in enumerate(rows, start=1):
        book.row(sheet, n, [names.get(sub.station_id, str(sub.station_id)), kinds.get((sub.station_id, sub.kind), sub.kind),
                            sub.year, _label(sub.status, tr), sub.due_on, sub.submitted_at, sub.late_workdays,
                            _on_time(sub.late_workdays, tr), sub.current_version])


async def _ledger_sheet(book: _Book, session: AsyncSession, year: int, station_ids: Sequence[int] | None,
                        names: dict[int | None, str], stations: Sequence[Station], profiles: dict[str, Profile],
                        tr: Translator, chunk: int) -> None:
    """One row per activity: ID and station, then the columns the activity form declares (``ledger_columns``).

    Rows are fetched a partition at a time on the event loop and written by a worker thread, so the
    bot keeps answering others while a big year is exported (the writing is most of the time).
    """
    columns = ledger_columns({s.id: profiles[s.policy_profile] for s in stations}, tr)
    sources, cells = ledger_cells(columns, names)
    sheet = book.sheet(T("Ledger"), _headers(tr, T("ID"), T("Station")) + [c.header for c in columns], tr,
                       (8, 30, *(c.width for c in columns)))
    n = 1
    async for partition in export_streams.stream_ledger(session, station_ids, year, sources, chunk):
        values = [cells(row) for row in partition]
        await asyncio.to_thread(book.rows, sheet, n, values)
        n += len(values)


async def _ratings_sheet(book: _Book, session: AsyncSession, year: int, station_ids: Sequence[int] | None,
                         names: dict[int | None, str], profiles: dict[str, Profile], tr: Translator,
                         chunk: int) -> None:
    dimensions: dict[str, str] = {}
    for profile in profiles.values():
        for dim in profile.rating.dimensions:
            dimensions.setdefault(dim.id, render(T(dim.label), tr))
    sheet = book.sheet(T("Ratings"), _headers(tr, T("Station"), T("Rated at"), T("Score (0–100)"))
                       + list(dimensions.values()) + _headers(tr, T("Comment")), tr,
                       (30, 16, 10) + (10,) * len(dimensions) + (40,))
    n = 1
    async for partition in export_streams.stream_ratings(session, station_ids, year, chunk, tz=book.tz):
        values: list[list[Any]] = []
        for station_id, created_at, score, scores, comment in partition:
            scores = scores or {}
            line: list[Any] = [names.get(station_id, str(station_id)), created_at, score]
            line += [scores.get(key) if isinstance(scores.get(key), int | float) else None for key in dimensions]
            line.append(comment)
            values.append(line)
        await asyncio.to_thread(book.rows, sheet, n, values)
        n += len(values)


async def _ratings_summary_sheet(book: _Book, session: AsyncSession, year: int, stations: Sequence[Station],
                                 profiles: dict[str, Profile], tr: Translator) -> None:
    """Per station: how many ratings, then the average (0–100) against the target and each dimension's
    average stars, only from 3 ratings on (``rating_aggregates``: fewer would identify the rater)."""
    dimensions: dict[str, str] = {}
    for profile in profiles.values():
        for dim in profile.rating.dimensions:
            dimensions.setdefault(dim.id, render(T(dim.label), tr))
    found = {s.station_id: s for s in await rating_aggregates(session, year, [s.id for s in stations if s.id],
                                                              tz=book.tz, per_dimension=True)}
    sheet = book.sheet(T("Ratings summary"), _headers(
        tr, T("Station"), T("Ratings"), T("Score (0–100)"), T("Required or target"), T("Met"))
        + [render(T("{dimension} (average)", dimension=label), tr) for label in dimensions.values()],
        tr, (30, 8, 10, 10, 6) + (12,) * len(dimensions))
    for n, station in enumerate(stations, start=1):
        rated = found.get(station.id or 0)
        spec = profiles[station.policy_profile].rating
        values: list[Any] = [station.name, rated.count if rated else 0, rated.average if rated else None,
                             _target_text(spec), _yes_no(rated.aggregate.met if rated else None, tr)]
        per_dimension = rated.aggregate.per_dimension if rated else {}
        values += [per_dimension.get(key) for key in dimensions]
        book.row(sheet, n, values)


def _target_text(spec: RatingSpec) -> str:
    """"> 80" for 高于 80 (strictly above), "≥ 80" otherwise, so the sheet reads as the seed does."""
    return f"{'>' if spec.target_comparison == 'above' else '≥'} {spec.target:.0f}"


def _profile_sheet_name(profile: Profile) -> T:
    """``考核 quzhou``: one score sheet per profile, as each profile scores differently."""
    return T("Scores {profile}", profile=profile.id)


def _score_lines(score: StationScore, profile: Profile, satisfaction: StationSatisfaction | None,
                 tr: Translator) -> list[list[Any]]:
    """Rows ``[group, item, actual, points, max points, required or target, met]`` of one station.

    While rows await staff the estimate is a range (low, high) and the verdict cell stays empty
    unless the whole range is on one side of the pass mark.
    """
    groups = {g.id: render(T(g.label), tr) for g in (profile.scoring.groups if profile.scoring else ())}
    awaiting = {line.id for line in score.awaiting_staff}
    lines: list[list[Any]] = []
    for m in score.minimums:
        lines.append([render(T("Minimums"), tr), render(T(m.label), tr), m.actual, None, None, m.required,
                      _yes_no(m.met, tr)])
    for line in score.lines:
        item = render(T(line.label), tr)
        if line.id in awaiting:
            item = render(T("{item} (awaiting staff score)", item=item), tr)
        elif line.manual:
            item = render(T("{item} (scored by staff)", item=item), tr)
        lines.append([groups.get(line.group, line.group), item, line.actual, line.points, line.max_points,
                      line.target, _yes_no(line.met, tr)])
    if score.score_kind == "table" and score.score_total is not None:
        estimate = render(T("Score estimate"), tr)
        lines.append([estimate, render(T("Points from the ledger"), tr), None, score.score_automatic,
                      None, None, ""])
        lines.append([estimate, render(T("Points scored by staff"), tr), None, score.score_manual, None, None, ""])
        if awaiting:
            names = "、".join(render(T(line.label), tr) for line in score.awaiting_staff)
            lines.append([estimate, render(T("Rows awaiting staff: {rows}", rows=names), tr), None, None,
                          score.score_high - score.score_total if score.score_high is not None else None, None, ""])
        lines.append([estimate, render(T("Estimated total, lowest (points)"), tr), None, score.score_total,
                      None, profile.scoring.pass_mark if profile.scoring else None, _yes_no(score.score_passes, tr)])
        lines.append([estimate, render(T("Estimated total, highest (points)"), tr), None, score.score_high,
                      None, profile.scoring.pass_mark if profile.scoring else None, _yes_no(score.score_passes, tr)])
    if satisfaction is not None:
        lines.append([render(T("Satisfaction"), tr),
                      render(TN("Average satisfaction (0–100) from {n} rating",
                                        "Average satisfaction (0–100) from {n} ratings", satisfaction.count), tr),
                      satisfaction.average, None, None, _target_text(profile.rating),
                      _yes_no(satisfaction.aggregate.met, tr)])
    return lines


async def _scores_sheet(book: _Book, session: AsyncSession, year: int, stations: Sequence[Station],
                        tr: Translator) -> None:
    """One sheet per profile: quzhou's table row by row, minimums, wuhan-qis counters, satisfaction."""
    ids = [s.id for s in stations if s.id is not None]
    all_totals = await totals_by_station(session, year, ids)
    satisfaction = {s.station_id: s for s in await rating_aggregates(session, year, ids, tz=book.tz)}
    manual = await manual_points(session, year, ids)
    headers = _headers(tr, T("Station"), T("Line"), T("Item"), T("Actual"), T("Points"), T("Maximum points"),
                       T("Required or target"), T("Met"))
    by_profile: dict[str, list[Station]] = {}
    for station in stations:
        by_profile.setdefault(station.policy_profile, []).append(station)
    for profile_id in sorted(by_profile):
        profile = load_profile(profile_id)
        sheet = book.sheet(_profile_sheet_name(profile), headers, tr, (30, 16, 40, 10, 8, 8, 10, 6))
        n = 0
        for station in by_profile[profile_id]:
            score = await station_score(session, station, year,
                                       all_totals.get(station.id or 0, LedgerTotals(year=year)),
                                       manual.get(station.id or 0, {}))
            for line in _score_lines(score, profile, satisfaction.get(station.id or 0), tr):
                n += 1
                book.row(sheet, n, [station.name, *line])
