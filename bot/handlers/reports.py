"""/export [year] (staff: every station; a manager: their own) and /dashboard (staff charts)."""

from __future__ import annotations

from bot.routing import MANAGERS, STAFF, Route, Router, Turn
from bot.services import Services
from conversations.types import CommandInput, OutgoingFile, Reply
from locales import T
from storage import assessment
from storage.rating_aggregates import rating_aggregates

NO_STATION = T("Your account is not linked to a station. Please ask staff for a new invitation.")
MIN_YEAR = 2000


def _year(turn: Turn) -> int | None:
    """The year argument, the current year without one, None when it is not a sensible year."""
    data = turn.input
    args = data.args if isinstance(data, CommandInput) else ()
    if not args:
        return turn.today.year
    text = args[0].strip()
    if not text.isdigit() or not MIN_YEAR <= int(text) <= turn.today.year + 1:
        return None
    return int(text)


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
    content = await export_year(turn.session, year, turn.tr, station_ids, individual_ratings=station_ids is None)
    return [Reply(T("The {year} workbook: stations, submissions, ledger, ratings and scores.", year=str(year)),
                  file=OutgoingFile(f"stationbot-{year}.xlsx", content=content))]


async def dashboard(turn: Turn) -> list[Reply]:
    from bot.charts import SatisfactionBar, dashboard_png

    year = turn.today.year
    by_region = await assessment.submission_status_by_region(turn.session, year)
    bars = [SatisfactionBar(s.station_name, s.average, s.target)
            for s in await rating_aggregates(turn.session, year) if s.average is not None]
    overdue = await assessment.overdue_by_region(turn.session, turn.today)
    png = dashboard_png(by_region, bars, year, turn.tr, overdue)
    return [Reply(T("Dashboard for {year}: submissions and overdue items by region, satisfaction by station.",
                    year=str(year)),
                  file=OutgoingFile(f"dashboard-{year}.png", content=png, kind="photo"))]


def extend(router: Router, services: Services) -> None:
    router.add(Route("export", STAFF | MANAGERS, export, menu_label=T("Export the year as a spreadsheet"),
                     menu_order=80))
    router.add(Route("dashboard", STAFF, dashboard, menu_label=T("Charts: submissions and satisfaction"),
                     menu_order=81))
