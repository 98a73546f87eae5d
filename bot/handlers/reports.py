"""/export [year] (staff: every station; a manager: their own) and /dashboard (staff charts)."""

from __future__ import annotations

import asyncio

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.routing import MANAGERS, STAFF, Route, Router, Turn
from bot.services import Services
from conversations.types import CommandInput, OutgoingFile, Reply
from locales import Join, Raw, T, Text, Translator
from services.dashboard import overdue_by_region
from storage.dashboard import submission_status_by_region
from storage.ids import db_int
from storage.rating_aggregates import rating_aggregates
from storage.rounds import entries_of, rounds

NO_STATION = T("Your account is not linked to a station. Please ask staff for a new invitation.")
MIN_YEAR = 2000


def _year(turn: Turn) -> int | None:
    """The year argument, the current year without one, None when it is not a sensible year."""
    data = turn.input
    args = data.args if isinstance(data, CommandInput) else ()
    if not args:
        return turn.today.year
    year = db_int(args[0].strip())
    if year is None or not MIN_YEAR <= year <= turn.today.year + 1:
        return None
    return year


async def export(turn: Turn) -> list[Reply]:
    from bot.exports import export_year

    year = _year(turn)
    if year is None:
        return [Reply(T("Send /export followed by a year, for example /export {year}.", year=str(turn.today.year)))]
    station_ids: list[int] | None = None
    if turn.staff() is None:
        manager = turn.manager()
        if manager is None or manager.station_id is None:
            return [Reply(NO_STATION)]
        station_ids = [manager.station_id]

    tz, url = turn.services.settings.tz, turn.services.db.url

    async def workbook(session: AsyncSession, tr: Translator) -> Reply:
        content = await export_year(session, year, tr, station_ids, tz=tz, individual_ratings=station_ids is None,
                                    in_child=url)  # a process of its own: a network's year is a minute of CPU
        return Reply(T("The {year} workbook: stations, submissions, ledger, ratings and scores.", year=str(year)),
                     file=OutgoingFile(f"stationbot-{year}.xlsx", content=content))

    turn.services.background.after_commit(turn, workbook, name=f"export-{year}")
    return [Reply(T("Preparing the {year} workbook… It will arrive in this chat when it is ready; "
                    "you can go on meanwhile.", year=str(year)))]


ROUND_STATUS = {"open": T("open"), "publicity": T("in public notice (公示)")}


async def round_progress(session: AsyncSession) -> list[Text]:
    """One line per assessment round not yet published: how far staff are (the dashboard's round panel)."""
    lines: list[Text] = []
    for item in reversed(await rounds(session)):
        if item.status not in ROUND_STATUS or item.id is None:
            continue
        entries = await entries_of(session, item.id)
        period = str(item.period_end) if item.period_start == item.period_end else f"{item.period_start}–{item.period_end}"
        lines.append(T("Assessment round {profile} {period}: {status}; {graded} of {total} stations graded; "
                       "material due {day}.", profile=Raw(item.profile), period=Raw(period),
                       status=ROUND_STATUS[item.status], graded=str(sum(e.grade is not None for e in entries)),
                       total=str(len(entries)), day=item.material_deadline))
    return lines


async def dashboard(turn: Turn) -> list[Reply]:
    from bot.charts import SatisfactionBar, dashboard_png

    today = turn.today
    year = today.year

    async def charts(session: AsyncSession, tr: Translator) -> Reply:
        by_region = await submission_status_by_region(session, year)
        bars = [SatisfactionBar(s.station_name, s.average, s.target)
                for s in await rating_aggregates(session, year, tz=turn.services.settings.tz) if s.average is not None]
        overdue = await overdue_by_region(session, today)
        png = await asyncio.to_thread(dashboard_png, by_region, bars, year, tr, overdue)
        caption: Text = T("Dashboard for {year}: submissions and overdue items by region, satisfaction by station.",
                          year=str(year))
        progress = await round_progress(session)
        return Reply(Join((caption, *progress)) if progress else caption,
                     file=OutgoingFile(f"dashboard-{year}.png", content=png, kind="photo"))

    turn.services.background.after_commit(turn, charts, name=f"dashboard-{year}")
    return [Reply(T("Drawing the {year} dashboard… It will arrive in this chat in a moment.", year=str(year)))]


def extend(router: Router, services: Services) -> None:
    router.add(Route("export", STAFF | MANAGERS, export, menu_label=T("Export the year as a spreadsheet"),
                     menu_order=80))
    router.add(Route("dashboard", STAFF, dashboard, menu_label=T("Charts: submissions and satisfaction"),
                     menu_order=81))
