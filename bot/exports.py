"""The year's workbook for staff (all stations) or a manager (their own), written by ``bot.workbook``.

Sheets: stations, submissions, ledger (one row per activity, streamed), ratings, scores. Headers
and labels are rendered in the reader's language; every cell format names a CJK-capable font.
The big sheets are generators the writer pulls from a worker thread, each pull reading one partition
on the event loop (``_Bridge``); the bot's callers run it all in a process of its own (``in_child``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, BinaryIO, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.ledger_columns import ledger_cells, ledger_columns
from bot.workbook import CJK_FONT, Progress, Sheet, local_time, sheet_keys, write_workbook
from locales import TN, T, Translator, render
from rules.profile import Profile, RatingSpec, load_profile
from rules.scoring import LedgerTotals
from services.scores import StationScore, station_score
from storage import export_streams, listings
from storage.ledger import totals_by_station
from storage.manual_scores import manual_points
from storage.models import Station
from storage.rating_aggregates import StationSatisfaction, rating_aggregates

__all__ = ["CJK_FONT", "STATUS_LABELS", "export_year", "write_year"]
T_ = TypeVar("T_")
SCORE_BATCH = 200  # stations scored per pull of a score sheet (each pull is a trip to the event loop)

STATUS_LABELS: dict[str, T] = {
    "submitted": T("Submitted, awaiting review"), "returned": T("Returned for changes"),
    "accepted": T("Accepted"), "active": T("Active"), "rectifying": T("Rectifying"),
    "revoked": T("Revoked"), "exited": T("Exited"),
}


def _label(value: str, tr: Translator) -> str:
    label = STATUS_LABELS.get(value)
    return render(label, tr) if label is not None else value


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


Rows = Iterator[Sequence[Any]]
Reader = Callable[[], AbstractAsyncContextManager[AsyncSession]]


class _Bridge:
    """Async reads for a writer in a worker thread: it pulls, each pull runs on the event loop.

    The writer takes synchronous row iterators; the rows come from async sessions. Each pull waits for
    one partition (or one station's score), so no more than that is ever held.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def call(self, work: Awaitable[T_]) -> T_:
        async def run() -> T_:
            return await work

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result()

    def batches(self, partitions: AsyncIterator[Sequence[Any]], keys: Sequence[str],
                build: Callable[[Sequence[Any]], list[Any]]) -> Iterator[list[dict[str, Any]]]:
        """Each partition as the writer's row dicts (``Sheet.batches``), built in one comprehension."""
        while True:
            try:
                partition = self.call(anext(partitions))
            except StopAsyncIteration:
                return
            yield [dict(zip(keys, build(row), strict=True)) for row in partition]


async def export_year(session: AsyncSession, year: int, tr: Translator,
                      station_ids: Sequence[int] | None = None, chunk: int = 500, *, tz: dt.tzinfo,
                      individual_ratings: bool = True, progress: Progress | None = None,
                      in_child: str | None = None) -> bytes:
    """The workbook as bytes; ``station_ids`` limits it (a manager's own station); times in ``tz``.

    ``individual_ratings=False`` (a manager's pack) gives averages per dimension instead of one row per
    rating: a station with few demand units could otherwise tell who gave which score and comment.
    ``in_child`` (the database URL) makes it in a process of its own (``bot.export_process``): a network's
    year is a minute of CPU that would otherwise share the bot's interpreter lock.
    """
    if in_child is not None:
        from bot.export_process import export_in_child

        return await export_in_child(in_child, year, tr.locale, station_ids, chunk=chunk, tz=tz,
                                     individual_ratings=individual_ratings, progress=progress)
    output = io.BytesIO()
    await write_year(session, year, tr, output, station_ids, chunk, tz=tz, individual_ratings=individual_ratings,
                     progress=progress)
    return output.getvalue()


async def write_year(session: AsyncSession, year: int, tr: Translator, target: str | BinaryIO,
                     station_ids: Sequence[int] | None = None, chunk: int = 500, *, tz: dt.tzinfo,
                     individual_ratings: bool = True, progress: Progress | None = None,
                     reader: Reader | None = None) -> None:
    """Write the workbook to ``target`` (a path or a binary buffer); see ``export_year``.

    ``reader`` opens a second session (the export's own process has its own engine): the score sheets'
    totals are read on it while the ledger sheet is written.
    """
    stations = await listings.list_stations(session, station_ids=station_ids)
    names = {s.id: s.name for s in stations}
    profiles = _profiles(stations)
    bridge = _Bridge(asyncio.get_running_loop())
    if progress is not None:
        total = await listings.count_activities(session, station_ids, year)
        if individual_ratings:
            total += await listings.count_ratings(session, station_ids, year, tz=tz)
        progress.start(total)
    sheets = [_stations_sheet(stations, tr),
              await _submissions_sheet(session, year, station_ids, names, profiles, stations, tr),
              _ledger_sheet(bridge, session, year, station_ids, names, stations, profiles, tr, chunk, tz)]
    if individual_ratings:
        sheets.append(_ratings_sheet(bridge, session, year, station_ids, names, profiles, tr, chunk, tz))
    else:
        sheets.append(await _ratings_summary_sheet(session, year, stations, profiles, tr, tz))
    scores, aside = await _scores_sheets(bridge, session, year, stations, tr, tz, station_ids, reader)
    # The writer pulls the rows (each pull reads on this loop) and zips the file: all off the loop.
    try:
        await asyncio.to_thread(write_workbook, target, sheets + scores, tz,
                                progress.add if progress is not None else None)
    finally:
        if aside is not None and not aside.done():  # the writer failed before the score sheets
            aside.cancel()
        elif aside is not None and not aside.cancelled():
            aside.exception()  # read, so a failure the writer never reached is not logged as unretrieved


def _stations_sheet(stations: Sequence[Station], tr: Translator) -> Sheet:
    rows = [[station.id, station.name, station.policy_profile, station.region, _label(station.status, tr),
             station.station_type, station.host_unit_name, station.approval_number, station.founded_on,
             station.agreement_end, station.manager_certificate_expiry] for station in stations]
    return Sheet(render(T("Stations"), tr), _headers(
        tr, T("ID"), T("Station"), T("Policy"), T("Region"), T("Status"), T("Station type"), T("Host unit"),
        T("Approval number"), T("Founded on"), T("Agreement ends"), T("Manager certificate expires")),
        ("number",) + ("text",) * 7 + ("date",) * 3, (6, 30, 16, 12, 12, 14, 30, 16, 12, 12, 14), rows)


async def _submissions_sheet(session: AsyncSession, year: int, station_ids: Sequence[int] | None,
                             names: dict[int | None, str], profiles: dict[str, Profile],
                             stations: Sequence[Station], tr: Translator) -> Sheet:
    kinds: dict[tuple[int | None, str], str] = {}
    for station in stations:
        for item in profiles[station.policy_profile].annual_submissions:
            kinds[(station.id, item.id)] = render(T(item.label), tr)
    rows = [[names.get(sub.station_id, str(sub.station_id)), kinds.get((sub.station_id, sub.kind), sub.kind),
             sub.year, _label(sub.status, tr), sub.due_on, sub.submitted_at, sub.late_workdays,
             _on_time(sub.late_workdays, tr), sub.current_version]
            for sub in await listings.list_submissions(session, year, station_ids)]
    return Sheet(render(T("Submissions"), tr), _headers(
        tr, T("Station"), T("Submission"), T("Year"), T("Status"), T("Due on"), T("Submitted at"),
        T("Late working days"), T("On time or late"), T("Version")),
        ("text", "text", "number", "text", "date", "datetime", "number", "text", "number"),
        (30, 20, 8, 16, 12, 16, 10, 10, 8), rows)


def _ledger_sheet(bridge: _Bridge, session: AsyncSession, year: int, station_ids: Sequence[int] | None,
                  names: dict[int | None, str], stations: Sequence[Station], profiles: dict[str, Profile],
                  tr: Translator, chunk: int, tz: dt.tzinfo) -> Sheet:
    """One row per activity: ID and station, then the columns the activity form declares (``ledger_columns``)."""
    columns = ledger_columns({s.id: profiles[s.policy_profile] for s in stations}, tr)
    read = ledger_cells(columns, names, local_time(tz))
    partitions = export_streams.stream_ledger(session, station_ids, year, read.sources, chunk, counted=read.counted)
    headers = _headers(tr, T("ID"), T("Station")) + [c.header for c in columns]
    return Sheet(render(T("Ledger"), tr), headers, ("number", "text", *(c.kind for c in columns)),
                 (8, 30, *(c.width for c in columns)), counted=True,
                 batches=bridge.batches(partitions, sheet_keys(headers), read.cells))


def _rating_dimensions(profiles: dict[str, Profile], tr: Translator) -> dict[str, str]:
    dimensions: dict[str, str] = {}
    for profile in profiles.values():
        for dim in profile.rating.dimensions:
            dimensions.setdefault(dim.id, render(T(dim.label), tr))
    return dimensions


def _ratings_sheet(bridge: _Bridge, session: AsyncSession, year: int, station_ids: Sequence[int] | None,
                   names: dict[int | None, str], profiles: dict[str, Profile], tr: Translator,
                   chunk: int, tz: dt.tzinfo) -> Sheet:
    dimensions = _rating_dimensions(profiles, tr)
    local = local_time(tz)

    def line(row: Sequence[Any]) -> list[Any]:
        station_id, created_at, score, scores, comment = row
        scores = scores or {}
        given = [scores.get(key) for key in dimensions]
        name = names.get(station_id)
        return [name if name is not None else str(station_id), local(created_at), score,
                *(v if isinstance(v, int | float) and not isinstance(v, bool) else None for v in given), comment]

    partitions = export_streams.stream_ratings(session, station_ids, year, chunk, tz=tz)
    headers = (_headers(tr, T("Station"), T("Rated at"), T("Score (0–100)")) + list(dimensions.values())
               + _headers(tr, T("Comment")))
    return Sheet(render(T("Ratings"), tr), headers, ("text", "datetime", "number", *("number",) * len(dimensions), "text"),
                 (30, 16, 10, *(10,) * len(dimensions), 40), counted=True,
                 batches=bridge.batches(partitions, sheet_keys(headers), line))


async def _ratings_summary_sheet(session: AsyncSession, year: int, stations: Sequence[Station],
                                 profiles: dict[str, Profile], tr: Translator, tz: dt.tzinfo) -> Sheet:
    """Per station: how many ratings, then the average (0–100) against the target and each dimension's
    average stars, only from 3 ratings on (``rating_aggregates``: fewer would identify the rater)."""
    dimensions = _rating_dimensions(profiles, tr)
    found = {s.station_id: s for s in await rating_aggregates(session, year, [s.id for s in stations if s.id],
                                                              tz=tz, per_dimension=True)}
    rows: list[list[Any]] = []
    for station in stations:
        rated = found.get(station.id or 0)
        spec = profiles[station.policy_profile].rating
        values: list[Any] = [station.name, rated.count if rated else 0, rated.average if rated else None,
                             _target_text(spec), _yes_no(rated.aggregate.met if rated else None, tr)]
        per_dimension = rated.aggregate.per_dimension if rated else {}
        rows.append(values + [per_dimension.get(key) for key in dimensions])
    return Sheet(render(T("Ratings summary"), tr), _headers(
        tr, T("Station"), T("Ratings"), T("Score (0–100)"), T("Required or target"), T("Met"))
        + [render(T("{dimension} (average)", dimension=label), tr) for label in dimensions.values()],
        ("text", "number", "number", "text", "text", *("number",) * len(dimensions)),
        (30, 8, 10, 10, 6, *(12,) * len(dimensions)), rows)


def _target_text(spec: RatingSpec) -> str:
    """"> 80" for 高于 80 (strictly above), "≥ 80" otherwise, so the sheet reads as the seed does."""
    return f"{'>' if spec.target_comparison == 'above' else '≥'} {spec.target:.0f}"


def _profile_sheet_name(profile: Profile) -> T:
    """``考核 quzhou``: one score sheet per profile, as each profile scores differently."""
    return T("Scores {profile}", profile=profile.id)


class _Words:
    """Fixed labels rendered once per export, not once per station (ten thousand stations' score lines)."""

    def __init__(self, tr: Translator) -> None:
        self.tr = tr
        self._rendered: dict[str, str] = {}
        self._yes, self._no = render(T("Yes"), tr), render(T("No"), tr)

    def __call__(self, label: T) -> str:
        text = self._rendered.get(label.msgid)
        if text is None:
            text = self._rendered[label.msgid] = render(label, self.tr)
        return text

    def yes_no(self, value: bool | None) -> str:
        return "" if value is None else self._yes if value else self._no


def _score_lines(score: StationScore, profile: Profile, satisfaction: StationSatisfaction | None,
                 words: _Words) -> list[list[Any]]:
    """Rows ``[group, item, actual, points, max points, required or target, met]`` of one station.

    While rows await staff the estimate is a range (low, high) and the verdict cell stays empty
    unless the whole range is on one side of the pass mark. ``words`` renders each fixed label once per export.
    """
    tr = words.tr
    groups = {g.id: words(T(g.label)) for g in (profile.scoring.groups if profile.scoring else ())}
    awaiting = {line.id for line in score.awaiting_staff}
    lines: list[list[Any]] = []
    for m in score.minimums:
        lines.append([words(T("Minimums")), words(T(m.label)), m.actual, None, None, m.required,
                      words.yes_no(m.met)])
    for line in score.lines:
        item = words(T(line.label))
        if line.id in awaiting:
            item = render(T("{item} (awaiting staff score)", item=item), tr)
        elif line.manual:
            item = render(T("{item} (scored by staff)", item=item), tr)
        lines.append([groups.get(line.group, line.group), item, line.actual, line.points, line.max_points,
                      line.target, words.yes_no(line.met)])
    if score.score_kind == "table" and score.score_total is not None:
        estimate = words(T("Score estimate"))
        lines.append([estimate, words(T("Points from the ledger")), None, score.score_automatic,
                      None, None, ""])
        lines.append([estimate, words(T("Points scored by staff")), None, score.score_manual, None, None, ""])
        if awaiting:
            names = "、".join(words(T(line.label)) for line in score.awaiting_staff)
            lines.append([estimate, render(T("Rows awaiting staff: {rows}", rows=names), tr), None, None,
                          score.score_high - score.score_total if score.score_high is not None else None, None, ""])
        lines.append([estimate, words(T("Estimated total, lowest (points)")), None, score.score_total,
                      None, profile.scoring.pass_mark if profile.scoring else None, words.yes_no(score.score_passes)])
        lines.append([estimate, words(T("Estimated total, highest (points)")), None, score.score_high,
                      None, profile.scoring.pass_mark if profile.scoring else None, words.yes_no(score.score_passes)])
    if satisfaction is not None:
        lines.append([words(T("Satisfaction")),
                      render(TN("Average satisfaction (0–100) from {n} rating",
                                        "Average satisfaction (0–100) from {n} ratings", satisfaction.count), tr),
                      satisfaction.average, None, None, _target_text(profile.rating),
                      words.yes_no(satisfaction.aggregate.met)])
    return lines


@dataclass
class _ScoreInputs:
    """What the score sheets read for every station at once (the year's totals are a scan of the ledger)."""

    totals: dict[int, LedgerTotals]
    satisfaction: dict[int, StationSatisfaction]
    manual: dict[int, dict[str, float]]


async def _score_inputs(session: AsyncSession, year: int, station_ids: Sequence[int] | None, ids: list[int],
                        tz: dt.tzinfo) -> _ScoreInputs:
    # All stations: no list of ten thousand ids for the database to match each ledger row against.
    totals = await totals_by_station(session, year, ids if station_ids is not None else None)
    satisfaction = {s.station_id: s for s in await rating_aggregates(session, year, ids, tz=tz)}
    return _ScoreInputs(totals, satisfaction, dict(await manual_points(session, year, ids)))


async def _score_inputs_aside(reader: Reader, year: int, station_ids: Sequence[int] | None, ids: list[int],
                              tz: dt.tzinfo) -> _ScoreInputs:
    async with reader() as session:
        return await _score_inputs(session, year, station_ids, ids, tz)


async def _scores_sheets(bridge: _Bridge, session: AsyncSession, year: int, stations: Sequence[Station],
                         tr: Translator, tz: dt.tzinfo, station_ids: Sequence[int] | None,
                         reader: Reader | None) -> tuple[list[Sheet], asyncio.Task[_ScoreInputs] | None]:
    """One sheet per profile: quzhou's table row by row, minimums, wuhan-qis counters, satisfaction.

    A station's score is computed when the writer reaches it (ten thousand stations' lines are not held).
    With a ``reader`` (a second session) the year's totals are read on it while the ledger is being
    written: on a network they are several scans of the year's ledger, seconds the ledger need not wait for.
    """
    ids = [s.id for s in stations if s.id is not None]
    aside: asyncio.Task[_ScoreInputs] | None = None
    ready: list[_ScoreInputs] = []
    if reader is not None:
        aside = asyncio.create_task(_score_inputs_aside(reader, year, station_ids, ids, tz))
    else:
        ready.append(await _score_inputs(session, year, station_ids, ids, tz))

    async def wait(task: asyncio.Task[_ScoreInputs]) -> _ScoreInputs:
        return await task

    def inputs() -> _ScoreInputs:
        if not ready:
            assert aside is not None
            ready.append(bridge.call(wait(aside)))
        return ready[0]

    headers = _headers(tr, T("Station"), T("Line"), T("Item"), T("Actual"), T("Points"), T("Maximum points"),
                       T("Required or target"), T("Met"))
    by_profile: dict[str, list[Station]] = {}
    for station in stations:
        by_profile.setdefault(station.policy_profile, []).append(station)

    async def scores(batch: Sequence[Station], given: _ScoreInputs) -> list[StationScore]:
        return [await station_score(session, station, year, given.totals.get(station.id or 0, LedgerTotals(year=year)),
                                    given.manual.get(station.id or 0, {})) for station in batch]

    words = _Words(tr)

    def lines(profile: Profile, members: list[Station]) -> Rows:
        given = inputs()
        for start in range(0, len(members), SCORE_BATCH):  # one trip to the event loop per batch of stations
            batch = members[start:start + SCORE_BATCH]
            for station, score in zip(batch, bridge.call(scores(batch, given)), strict=True):
                for line in _score_lines(score, profile, given.satisfaction.get(station.id or 0), words):
                    yield [station.name, *line]

    sheets = []
    for profile_id in sorted(by_profile):
        profile = load_profile(profile_id)
        sheets.append(Sheet(render(_profile_sheet_name(profile), tr), headers,
                            ("text", "text", "text", "number", "number", "number", "number", "text"),
                            (30, 16, 40, 10, 8, 8, 10, 6), lines(profile, by_profile[profile_id])))
    return sheets, aside
