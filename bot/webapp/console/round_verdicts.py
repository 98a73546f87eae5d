"""A round's verdicts in the console: staff confirm them one by one, publish, then decide the consequences.

Every decision is the chat's use case (``services.round_steps``, ``services.consequences``): the same
checks, the same station statuses and audit, the same notifications to managers and staff (outbox).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.webapp.auth import services_of
from bot.webapp.console.auth import ConsoleRefused, Staff, changing, console_staff
from bot.webapp.console.render import page
from bot.webapp.console.rounds import NO_ROUND, say
from conversations import assessment as ui
from locales import N_, Raw, T, Text, Translator, render
from services import round_steps, rounds
from services.consequences import CLOSE, CONFIRM, DISMISS, ESCALATE, decide_consequence
from storage.ids import db_int
from storage.models import AssessmentRound, Consequence
from storage.rounds import OPEN, PUBLICITY

router = APIRouter(prefix="/console", include_in_schema=False)
STALE = T("This button is no longer active.")
CONSEQUENCE_STATUS = {"proposed": N_("proposed, awaiting staff"), "confirmed": N_("confirmed"),
                      "dismissed": N_("dismissed"), "reported": N_("report filed"), "closed": N_("closed"),
                      "escalated": N_("escalated")}


async def verdicts_context(session: AsyncSession, rnd: AssessmentRound, request: Request, tr: Translator
                           ) -> dict[str, Any]:
    """The ranking as chat shows it (same order and words), what staff still decide, and the consequences."""
    now = services_of(request).now()
    ev = await rounds.evaluate(session, rnd, tz=services_of(request).settings.tz)
    view = rounds.rank_view(ev)
    ordered = sorted(view.rows, key=lambda r: (r.absent, r.rank or 10**6, -(r.total or 0), r.name))
    ties = []
    for tie in ev.outcome.ties:
        what = ui.grade_label(ev.spec, tie.what) if ev.spec.grade(tie.what) else (
            ui.tier_label(ev.spec, tie.what) or Raw(tie.what))
        ties.append((render(T("Tie at {points} points for {what} ({slots} places): {stations}. Staff decide: tap who "
                              "comes first.", points=ui.num(tie.points), what=what, slots=tie.slots,
                              stations=Raw(", ".join(ev.name(s) for s in tie.station_ids))), tr),
                     [(sid, ev.name(sid)) for sid in tie.station_ids]))
    found = (await session.exec(select(Consequence).where(Consequence.round_id == rnd.id)
                                .order_by(col(Consequence.id)))).all()
    consequences = [(c, render(ui.proposal_card(c.id or 0, ev.name(c.station_id), c.action, c.article, c.clawback,
                                                 c.due_on).text, tr),
                     render(T(CONSEQUENCE_STATUS[c.status]) if c.status in CONSEQUENCE_STATUS else Raw(c.status), tr))
                    for c in found]
    summary = render(ui.round_card(await rounds.summary(session, rnd, now, ev)).text, tr)
    return {"round": rnd, "profile": ev.profile, "spec": ev.spec, "rows": ordered, "ties": ties,
            "unscored": [(name, ", ".join(items)) for name, items in ev.unscored], "consequences": consequences,
            "summary": summary, "open": rnd.status == OPEN, "publicity": rnd.status == PUBLICITY,
            "ready": ev.ready, "grade_label": lambda grade: render(ui.grade_label(ev.spec, grade), tr),
            "tier_label": lambda tier: render(ui.tier_label(ev.spec, tier) or Raw(""), tr),
            "period": ui.period_text(rnd.period_start, rnd.period_end).text}


async def verdicts_page(request: Request, staff: Staff, round_id: int, notes: list[Text] | None = None
                        ) -> HTMLResponse:
    async with services_of(request).db.session() as session:
        rnd = await session.get(AssessmentRound, round_id)
        if rnd is None:
            raise ConsoleRefused(404, NO_ROUND, staff.tr)
        context = await verdicts_context(session, rnd, request, staff.tr)
    return page(request, "round_verdicts.html", staff.tr, staff=staff, say=say(staff.tr),
                notes=[render(n, staff.tr) for n in notes or []], **context)


@router.get("/rounds/{round_id}/verdicts", response_class=HTMLResponse)
async def verdicts(request: Request, round_id: int, staff: Staff = Depends(console_staff)) -> HTMLResponse:
    return await verdicts_page(request, staff, round_id)


def _id(value: str) -> int:
    return db_int(value) or 0


@router.post("/rounds/{round_id}/verdicts", response_class=HTMLResponse)
async def decide_verdict(request: Request, round_id: int,
                         signed: tuple[Staff, dict[str, str]] = Depends(changing)) -> HTMLResponse:
    """One station at a time: a grade staff choose, a participation or an excused absence, or a tie decided."""
    staff, form = signed
    note: Text = STALE
    db = services_of(request).db
    async with db.transaction() as session:
        rnd = await session.get(AssessmentRound, round_id)
        if rnd is None:
            raise ConsoleRefused(404, NO_ROUND, staff.tr)
        if form.get("tie"):
            if await round_steps.decide_tie(session, rnd, _id(form["tie"]), services_of(request).settings.tz):
                note = T("Tie decided: {station} comes first.", station=Raw(await rounds.station_name(
                    session, _id(form["tie"]))))
        else:
            entry_id = _id(form.get("entry", ""))
            entries = {e.id: e for e in await rounds.entries_of(session, round_id)}
            if entry_id in entries and await round_steps.decide_entry(session, entry_id, form.get("action", ""),
                                                                      form.get("grade", "")[:20]):
                note = T("Saved for {station}.", station=Raw(await rounds.station_name(
                    session, entries[entry_id].station_id)))
    return await verdicts_page(request, staff, round_id, [note])


@router.post("/rounds/{round_id}/publish", response_class=HTMLResponse)
async def publish(request: Request, round_id: int,
                  signed: tuple[Staff, dict[str, str]] = Depends(changing)) -> HTMLResponse:
    """The chat's Publish / Final publication: each station is told its result (outbox), as from chat."""
    staff, _form = signed
    services = services_of(request)
    async with services.db.transaction() as session:
        rnd = await session.get(AssessmentRound, round_id)
        if rnd is None:
            raise ConsoleRefused(404, NO_ROUND, staff.tr)
        done = await round_steps.publish_next(session, rnd, services.now())
    return await verdicts_page(request, staff, round_id, [done.note if done is not None else STALE])


@router.post("/rounds/{round_id}/consequences", response_class=HTMLResponse)
async def decide(request: Request, round_id: int,
                 signed: tuple[Staff, dict[str, str]] = Depends(changing)) -> HTMLResponse:
    """Confirm or dismiss one proposal, close or escalate a running rectification: the chat's buttons' use case."""
    staff, form = signed
    services = services_of(request)
    action = form.get("action", "")
    note: Text = STALE
    async with services.db.transaction() as session:
        item = await session.get(Consequence, _id(form.get("consequence", "")))
        if item is not None and item.round_id == round_id and action in (CONFIRM, DISMISS, CLOSE, ESCALATE):
            reply = await decide_consequence(session, item.id or 0, action, person_id=staff.person.id,
                                             now=services.now())
            note = reply.text if reply is not None else STALE
    return await verdicts_page(request, staff, round_id, [note])
