"""The assessment round in the console: the list of rounds, and a round's grid of stations × rows staff score.

Points are stored by ``services.manual_scores.score``, the use case chat and the API call (same checks
against each row's maximum, same audit). Totals, ranks and verdicts come from ``services.rounds.evaluate``
and are authoritative after each save; ``static/console.js`` recomputes totals and ranks while staff type.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.webapp.auth import services_of
from bot.webapp.console.auth import Staff, changing, console_staff, row_or_refused
from bot.webapp.console.render import PAGE_HEADERS, page
from bot.webapp.params import form_int
from conversations import assessment as ui
from conversations.manual_scores import problem_text
from locales import N_, TN, Join, Raw, T, Text, Translator, render
from rules.manual_scores import PointsProblem, manual_items
from rules.profile import load_profile
from services import rounds
from services.manual_scores import score
from storage.manual_scores import manual_points
from storage.models import AssessmentRound
from storage.rounds import OPEN
from storage.rounds import rounds as list_rounds

router = APIRouter(prefix="/console", include_in_schema=False)
SCRIPT = Path(__file__).with_name("static") / "console.js"
FIELDS_PER_PAGE = 180  # ``auth.form_of`` reads at most 200 fields: a page's cells stay below that
MAX_PER_PAGE = 30
NO_ROUND = N_("There is no such assessment round.")
NOT_OPEN = N_("This round is no longer open: its scores can no longer change.")
SCRIPT_POLICY = PAGE_HEADERS["Content-Security-Policy"] + "; script-src 'self'"


@router.get("/static/console.js")
async def console_script() -> Response:
    """The console's one small script (no build step): public, like any static file, and holds no data."""
    return Response(SCRIPT.read_bytes(), media_type="text/javascript",
                    headers={"Cache-Control": "max-age=300", "X-Content-Type-Options": "nosniff"})


def say(tr: Translator) -> Any:
    return lambda text: render(text, tr)


@router.get("/rounds", response_class=HTMLResponse)
async def round_list(request: Request, staff: Staff = Depends(console_staff)) -> HTMLResponse:
    async with services_of(request).db.session() as session:
        found = await list_rounds(session, limit=200)
    rows = [(r, load_profile(r.profile), ui.period_text(r.period_start, r.period_end).text) for r in found]
    return page(request, "rounds.html", staff.tr, staff=staff, rows=rows, status=ui.STATUS, say=say(staff.tr))


@dataclass(frozen=True)
class GridFilter:
    """Which stations of the round the grid shows: 120+ stations are filtered by region or name, and paged."""

    region: str = ""
    search: str = ""
    open_only: bool = False
    page: int = 1

    @classmethod
    def of(cls, request: Request) -> GridFilter:
        query = request.query_params
        number = query.get("page", "1")
        return cls(query.get("region", "")[:50], query.get("q", "")[:100].strip(), query.get("open") == "1",
                   min(max(form_int(number, 1), 1), 99999))

    def query(self, **changes: Any) -> str:
        values: dict[str, Any] = {"region": self.region, "q": self.search, "open": "1" if self.open_only else "",
                                  "page": self.page, **changes}
        return urlencode({k: v for k, v in values.items() if v and not (k == "page" and v == 1)})


@dataclass
class Cell:
    item_id: str
    label: str
    maximum: float
    value: str  # what the input shows: the stored points, or what staff typed into a refused cell
    saved: str  # the stored points ("" when not scored yet)
    problem: str = ""


@dataclass
class GridRow:
    station_id: int
    name: str
    region: str
    cells: list[Cell]
    auto: float | None  # the points the table gives from the frozen ledger (all but the staff's rows)
    total: float | None
    rank: int | None
    verdict: str
    ranked: bool
    open_rows: int


@dataclass
class Refused:
    """Cells refused by the last save: ``{(station, row): (what was typed, the localized message)}``."""

    cells: dict[tuple[int, str], tuple[str, str]] = field(default_factory=dict)


def verdict_text(ev: rounds.Evaluation, station_id: int) -> Text:
    verdict = ev.outcome.verdicts[station_id]
    parts: list[Text] = [ui.grade_label(ev.spec, verdict.grade)]
    tier = ui.tier_label(ev.spec, verdict.tier)
    if tier is not None:
        parts += [Raw(" · "), tier]
    if verdict.absent:
        parts.append(T(" (did not take part; reason accepted)") if verdict.excused else T(" (did not take part)"))
    if verdict.waiting == "grade":
        parts.append(T(" (staff choose the grade)"))
    return Join(tuple(parts), "")


async def grid_context(session: AsyncSession, rnd: AssessmentRound, tr: Translator, wanted: GridFilter,
                       refused: Refused, tz: dt.tzinfo) -> dict[str, Any]:
    """Every station of the round evaluated now; the page's rows filtered and paged; data for console.js."""
    ev = await rounds.evaluate(session, rnd, tz=tz)
    items = manual_items(ev.profile)
    scored = await manual_points(session, rnd.period_end, [e.station_id for e in ev.entries])
    everyone: list[dict[str, Any]] = []
    rows: list[GridRow] = []
    for entry in ev.entries:
        sid = entry.station_id
        mine = scored.get(sid, {})
        manual_sum = sum(mine.get(item.id, 0.0) for item in items)
        total = ev.points[sid].total
        auto = round(total - manual_sum, 2) if total is not None else None
        ranked = ev.spec.points and ev.took_part[sid]
        everyone.append({"id": sid, "auto": auto, "manual": manual_sum, "ranked": ranked})
        cells = []
        for item in items:
            saved = ui.num(mine[item.id]).text if item.id in mine else ""
            typed, problem = refused.cells.get((sid, item.id), (saved, ""))
            cells.append(Cell(item.id, render(T(item.label), tr), float(item.max_points or 0), typed, saved, problem))
        rows.append(GridRow(sid, ev.name(sid), str(entry.snapshot.get("region") or ""), cells, auto, total,
                            ev.outcome.verdicts[sid].rank, render(verdict_text(ev, sid), tr), ranked,
                            len(ev.points[sid].unscored)))
    regions = sorted({row.region for row in rows if row.region})
    shown = [row for row in rows if (not wanted.region or row.region == wanted.region)
             and (not wanted.search or wanted.search.lower() in row.name.lower())
             and (not wanted.open_only or row.open_rows or any(key[0] == row.station_id for key in refused.cells))]
    per_page = max(1, min(MAX_PER_PAGE, FIELDS_PER_PAGE // max(len(items), 1)))
    pages = max((len(shown) + per_page - 1) // per_page, 1)
    number = min(wanted.page, pages)
    return {"round": rnd, "profile": ev.profile, "spec": ev.spec, "items": items, "rows": shown[(number - 1) * per_page:
            number * per_page], "matching": len(shown), "stations": len(rows), "regions": regions, "wanted": wanted,
            "page_number": number, "pages": pages, "period": ui.period_text(rnd.period_start, rnd.period_end).text,
            "status": render(ui.STATUS.get(rnd.status, Raw(rnd.status)), tr), "editable": rnd.status == OPEN,
            "grid_data": {"points": bool(ev.spec.points), "entries": everyone},
            "unscored": sum(len(p.unscored) for p in ev.points.values())}


async def grid_page(request: Request, staff: Staff, round_id: int, *, refused: Refused | None = None,
                    notes: list[str] | None = None, status_code: int = 200) -> HTMLResponse:
    async with services_of(request).db.session() as session:
        rnd = await row_or_refused(session, AssessmentRound, round_id, NO_ROUND, staff.tr)
        context = await grid_context(session, rnd, staff.tr, GridFilter.of(request), refused or Refused(),
                                     services_of(request).settings.tz)
    response = page(request, "round_grid.html", staff.tr, status_code=status_code, staff=staff, notes=notes or [],
                    refused=refused or Refused(), **context)
    response.headers["Content-Security-Policy"] = SCRIPT_POLICY
    return response


@router.get("/rounds/{round_id}", response_class=HTMLResponse)
async def round_grid(request: Request, round_id: int, staff: Staff = Depends(console_staff)) -> HTMLResponse:
    return await grid_page(request, staff, round_id)


def typed_cells(form: dict[str, str]) -> dict[int, dict[str, str]]:
    """Inputs named ``p:<station id>:<row id>``; an empty cell leaves the row as it was."""
    typed: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        kind, _, rest = key.partition(":")
        station, _, item_id = rest.partition(":")
        station_id = form_int(station)
        if kind == "p" and station_id is not None and item_id and value.strip():
            typed.setdefault(station_id, {})[item_id[:40]] = value.strip()[:20]
    return typed


@router.post("/rounds/{round_id}/scores", response_class=HTMLResponse)
async def save_scores(request: Request, round_id: int,
                      signed: tuple[Staff, dict[str, str]] = Depends(changing)) -> HTMLResponse:
    """Store the valid cells (audited, as in chat); each refused cell comes back with what was typed and why."""
    staff, form = signed
    services = services_of(request)
    tr = staff.tr
    async with services.db.transaction() as session:
        rnd = await row_or_refused(session, AssessmentRound, round_id, NO_ROUND, tr)
        if rnd.status != OPEN:
            return await grid_page(request, staff, round_id, notes=[tr.gettext(NOT_OPEN)], status_code=409)
        members = {e.station_id for e in await rounds.entries_of(session, round_id)}
        stored = await manual_points(session, rnd.period_end, list(members))
        typed = {sid: {item: text for item, text in cells.items()
                       if text != (ui.num(stored[sid][item]).text if item in stored.get(sid, {}) else "")}
                 for sid, cells in typed_cells(form).items() if sid in members}
        scored = await score(session, year=rnd.period_end, typed={k: v for k, v in typed.items() if v},
                             person_id=staff.person.id, now=services.now(), source="console", all_or_nothing=False)
        await session.commit()
        labels = {item.id: item.label for item in manual_items(load_profile(rnd.profile))}
    refused = Refused({(p.station_id, p.item_id): (p.typed, render(problem_text(labels.get(p.item_id, p.item_id),
                                                                                PointsProblem(p.kind, p.maximum)), tr))
                       for p in scored.problems})
    notes = [render(TN("Saved {n} score.", "Saved {n} scores.", n=scored.written), tr)]
    if scored.problems:
        notes.append(render(TN("{n} cell was refused and nothing of it was stored: correct it and save again.",
                               "{n} cells were refused and nothing of them was stored: correct them and save again.",
                               n=len(scored.problems)), tr))
    return await grid_page(request, staff, round_id, refused=refused, notes=notes,
                           status_code=422 if scored.problems else 200)
