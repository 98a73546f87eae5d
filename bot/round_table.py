"""A round's output: the table as xlsx in the profile's own layout, and the ranking chart.

The table has one row per station, one column per row of the profile's table (quzhou's 绩效考核表
row by row; wuhan-qis's four annex parts), then total, grade, rank and award. A published round shows
the frozen results; an open one the current evaluation, marked provisional.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from matplotlib.figure import Figure
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.charts import _png, cjk_font_family
from bot.routing import Turn
from conversations import assessment as ui
from conversations.types import OutgoingFile, Reply
from locales import Raw, T, Translator, render
from services import rounds
from storage.models import AssessmentRound
from storage.rounds import PUBLISHED


@dataclass(frozen=True)
class TableRow:
    station_id: int
    station: str
    points: dict[str, float | None]
    total: float | None
    grade: str
    rank: int | None
    tier: str


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[tuple[str, str, float | None]]  # (row id, label, max points)
    rows: list[TableRow]
    provisional: bool


async def round_table(session: AsyncSession, rnd: AssessmentRound, tr: Translator, tz: dt.tzinfo) -> Table:
    ev = await rounds.evaluate(session, rnd, tz=tz)
    spec = ev.spec
    columns: list[tuple[str, str, float | None]] = []
    rows: list[TableRow] = []
    for entry in ev.entries:
        published = rnd.status == PUBLISHED and entry.result
        lines: list[dict[str, Any]] = entry.result.get("lines", []) if published else [
            {"id": line.id, "label": line.label, "points": line.points, "max_points": line.max_points}
            for line in ev.points[entry.station_id].lines]
        for line in lines:
            if line["max_points"] is not None and line["id"] not in {c[0] for c in columns}:
                columns.append((line["id"], render(T(line["label"]), tr), line["max_points"]))
        verdict = ev.outcome.verdicts[entry.station_id]
        grade = entry.result.get("grade") if published else verdict.grade
        tier = entry.result.get("tier") if published else verdict.tier
        tier_text = ui.tier_label(spec, tier)
        rows.append(TableRow(entry.station_id, ev.name(entry.station_id),
                             {line["id"]: line["points"] for line in lines},
                             entry.result.get("total") if published else ev.points[entry.station_id].total,
                             render(ui.grade_label(spec, grade), tr),
                             entry.result.get("rank") if published else verdict.rank,
                             render(tier_text, tr) if tier_text is not None else ""))
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.station))
    title = render(T("Assessment {period}: {profile}", period=ui.period_text(rnd.period_start, rnd.period_end),
                     profile=T(ev.profile.label)), tr)
    return Table(title, columns, rows, rnd.status != PUBLISHED)


def table_xlsx(table: Table, tr: Translator) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    bold = book.add_format({"bold": True})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    sheet = book.add_worksheet(render(T("Assessment"), tr)[:31])
    sheet.write_string(0, 0, table.title, bold)
    if table.provisional:
        sheet.write_string(1, 0, render(T("Provisional: not published yet"), tr))
    titles = [render(T("Station id"), tr), render(T("Station"), tr)]
    titles += [f"{label} ({ui.num(maximum).text})" for _, label, maximum in table.columns]
    titles += [render(T("Total (points)"), tr), render(T("Grade"), tr), render(T("Rank"), tr), render(T("Award"), tr)]
    for column, title in enumerate(titles):
        sheet.write_string(2, column, title, header)
    sheet.set_column(1, 1, 32)
    for n, row in enumerate(table.rows, start=3):
        values: list[object] = [row.station_id, row.station, *(row.points.get(c[0]) for c in table.columns),
                                row.total, row.grade, row.rank, row.tier]
        for column, value in enumerate(values):
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(n, column, value)
            elif value not in (None, ""):
                sheet.write_string(n, column, str(value))
    book.close()
    return output.getvalue()


def ranking_png(table: Table, tr: Translator) -> bytes:
    """Horizontal bars of each station's total, best at the top."""
    scored = [r for r in table.rows if r.total is not None]
    figure = Figure(figsize=(7, max(2.5, 0.4 * len(scored) + 1)), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    family = cjk_font_family()
    names = [r.station for r in reversed(scored)]
    axes.barh(range(len(names)), [r.total or 0 for r in reversed(scored)], color="#2196f3")
    axes.set_yticks(range(len(names)), names, fontfamily=family, fontsize=8)
    axes.set_title(table.title, fontfamily=family, fontsize=10)
    axes.set_xlabel(render(T("Total (points)"), tr), fontfamily=family)
    return _png(figure)


async def table_reply(turn: Turn, rnd: AssessmentRound) -> Reply:
    table = await round_table(turn.session, rnd, turn.tr, turn.services.settings.tz)
    return Reply(Raw(table.title), file=OutgoingFile(f"assessment-{rnd.profile}-{rnd.period_end}.xlsx",
                                                     table_xlsx(table, turn.tr)))


async def chart_reply(turn: Turn, rnd: AssessmentRound) -> Reply:
    table = await round_table(turn.session, rnd, turn.tr, turn.services.settings.tz)
    if not any(r.total is not None for r in table.rows):
        return Reply(T("This profile's round has no points to chart: grades are chosen by staff."))
    return Reply(Raw(table.title), file=OutgoingFile("ranking.png", ranking_png(table, turn.tr), kind="photo"))
