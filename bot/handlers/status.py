"""/status for a manager: what is due, the ledger against the minimums, score and satisfaction."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.charts import activities_by_month_png
from bot.duties import started_on, station_profile
from bot.handlers.forms import manager_station
from bot.routing import MANAGERS, Route, Router, Turn
from bot.services import Services
from conversations.duties import duty_button, source_text
from conversations.status import CountLine, DueLine, StatusView, status_reply
from conversations.types import Button, OutgoingFile, Reply
from locales import Raw, T, Translator
from rules.deadlines import StationFacts, deadline_for, due_items
from rules.profile import Profile
from rules.scoring import estimate_score, minimums_status
from services.scores import staff_scored
from storage.calendar import workday_calendar
from storage.drafts import station_drafts
from storage.ledger import month_counts, submitted_pairs, year_totals
from storage.models import Society, Station
from storage.rating_aggregates import station_satisfaction

NO_STATION = T("Your account is not linked to a station. Please ask staff for a new invitation.")


async def due_lines(turn: Turn, station: Station, profile: Profile) -> list[DueLine]:
    """Yearly duties the station owes (from its start) and expiries, each with its source and its form's button."""
    assert station.id is not None
    facts = StationFacts(profile.id, founded_on=started_on(station, turn.now),
                         agreement_end=station.agreement_end, certificate_expiry=station.manager_certificate_expiry,
                         submitted=frozenset(await submitted_pairs(turn.session, station.id)))
    lines = []
    for item in due_items(facts, turn.today, profile):
        duty = profile.submission(item.kind)
        lines.append(DueLine(T(item.label) if duty is None else T(duty.label), item.due_on, item.days_left,
                             item.status == "done", source=source_text(profile, item.source) if item.source else None,
                             button=duty_button(item.kind) if duty is not None else ""))
    return lines


async def build_view(turn: Turn) -> StatusView | None:
    station = await manager_station(turn)
    if station is None or station.id is None:
        return None
    profile = await station_profile(turn.session, station)
    year = turn.today.year
    society = await turn.session.get(Society, station.society_id) if station.society_id else None
    level = society.level if society else "provincial"
    calendar = await workday_calendar(turn.session)
    due = await due_lines(turn, station, profile)
    for draft in await station_drafts(turn.session, station.id, "change_report"):
        answers = (draft.state or {}).get("answers", {})
        if answers.get("kind") and answers.get("event_date"):
            kind = str(answers["kind"])
            deadline = deadline_for(kind, dt.date.fromisoformat(answers["event_date"]), profile, calendar)
            if deadline is not None:
                due.append(DueLine(T("Unsubmitted change report"), deadline, (deadline - turn.today).days, False,
                                   "resume", source_text(profile, profile.change_kind(kind).source)))
    totals = await year_totals(turn.session, station.id, year)
    labels = {a.id: a.label for a in profile.activity_types}
    counts = [CountLine(T(labels.get(kind, kind)), n) for kind, n in sorted(totals.by_type.items())]
    minimums = [CountLine(T(m.label), m.actual, m.required) for m in minimums_status(totals, profile, level)]
    estimate = estimate_score(totals, profile, await staff_scored(turn.session, station.id, year))
    rated = await station_satisfaction(turn.session, station, year, tz=turn.services.settings.tz)
    return StatusView(
        station_name=station.name, year=year, due=sorted(due, key=lambda d: d.due_on or dt.date.max), counts=counts,
        minimums=minimums,
        score=estimate.low if estimate is not None and estimate.kind == "table" else None,
        score_high=estimate.high if estimate is not None and estimate.kind == "table" else None,
        score_passes=estimate.passes if estimate is not None else None,
        awaiting_staff=tuple(T(line.label) for line in estimate.awaiting) if estimate is not None else (),
        satisfaction=rated.aggregate.average, satisfaction_met=rated.aggregate.met,
        satisfaction_target=profile.rating.target, satisfaction_above=profile.rating.target_comparison == "above",
        ratings=rated.count,
        guessed_years=tuple(sorted(calendar.guessed_years_used)),
    )


def extend(router: Router, services: Services) -> None:
    async def status(turn: Turn) -> list[Reply]:
        view = await build_view(turn)
        if view is None:
            return [Reply(NO_STATION)]
        reply = status_reply(view)
        chart = Button(T("📊 Activities by month"), "st:chart")
        extras = [r for hook in services.hooks.status_lines for r in await hook(turn)]
        return [Reply(reply.text, (*reply.buttons, (chart,))), *extras]

    async def chart(turn: Turn) -> list[Reply]:
        """The year's activities by month as a picture: rendered only when asked for (it costs ~0.2 s)."""
        station = await manager_station(turn)
        if station is None or station.id is None:
            return [Reply(NO_STATION)]
        station_id, name, year = station.id, station.name, turn.today.year

        async def draw(session: AsyncSession, tr: Translator) -> Reply:
            counts = await month_counts(session, station_id, year)
            png = await asyncio.to_thread(activities_by_month_png, counts, tr)
            caption = T("Activities of {station} by month, {year}", station=Raw(name), year=Raw(str(year)))
            return Reply(caption, file=OutgoingFile("activities.png", png, kind="photo"))

        # Drawing takes ~0.2 s of CPU: done after this update, so other chats are not kept waiting.
        turn.services.background.after_commit(turn, draw, name="month-chart")
        return [Reply(Raw(""), notice=T("Drawing the chart…"))]

    router.add(Route("st", MANAGERS, chart, kind="button"))
    router.add(Route("status", MANAGERS, status, menu_label=T("What is due and how my station stands"), menu_order=1))
