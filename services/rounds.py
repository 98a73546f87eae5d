"""The assessment round's use cases: open (snapshot + notices), evaluate, publish (公示, final), propose consequences.

Each composes storage reads, the pure rules (``rules.assessment``) and outbox rows; the chat handlers
and the staff API both call these, so a round behaves the same from either door.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from conversations import assessment as ui
from conversations.types import Reply
from locales import Raw, T, Text
from rules.assessment import (
    Outcome,
    Participant,
    RoundPoints,
    certificate_proposals,
    decide,
    missing_material,
    proposals,
    round_points,
    totals_from_snapshot,
)
from rules.assessment_spec import AssessmentSpec
from rules.manual_scores import manual_items
from rules.profile import Profile
from storage.datetimes import db_time, zone_of
from storage.manual_scores import manual_points
from storage.models import AssessmentEntry, AssessmentRound, Consequence, Station
from storage.notices import NoticeState, close_notice, notice_for, open_notice, state_of
from storage.outbox import enqueue
from storage.policy import effective_profile
from storage.recipients import active_staff, station_managers
from storage.round_progress import RoundCounts, round_counts
from storage.rounds import (
    PUBLICITY,
    PUBLISHED,
    entries_of,
    failed_history,
    material_end,
    open_round,
    submitted_by,
)

REPORT_KINDS = ("summary", "self_check", "efficiency_report")


def spec_of(profile: Profile) -> AssessmentSpec:
    assert profile.assessment is not None, f"profile {profile.id} has no [assessment]"
    return profile.assessment


NOTICE_SUBJECT = "assessment_round"


def report_kinds_of(profile: Profile) -> list[str]:
    """The material whose arrival by the deadline makes a station take part (a switched-off duty is not owed)."""
    return [s.id for s in profile.duties if s.id in REPORT_KINDS]


async def notice_state(session: AsyncSession, rnd: AssessmentRound, now: dt.datetime) -> NoticeState | None:
    """The round's 公示 (a ``storage.notices`` public notice), if it has one."""
    notice = await notice_for(session, NOTICE_SUBJECT, rnd.id or 0)
    if notice is None:
        return None
    return await state_of(session, notice, now)


@dataclass
class Evaluation:
    """A round evaluated now: points from the snapshot and staff scores, participation, the verdicts."""

    round: AssessmentRound
    profile: Profile
    entries: list[AssessmentEntry]
    points: dict[int, RoundPoints] = field(default_factory=dict)
    missing: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    took_part: dict[int, bool] = field(default_factory=dict)
    outcome: Outcome = field(default_factory=Outcome)

    @property
    def spec(self) -> AssessmentSpec:
        return spec_of(self.profile)

    def name(self, station_id: int) -> str:
        entry = next((e for e in self.entries if e.station_id == station_id), None)
        return str(entry.snapshot.get("name", station_id)) if entry else str(station_id)

    @property
    def unscored(self) -> list[tuple[str, list[str]]]:
        return [(self.name(sid), p.unscored) for sid, p in self.points.items()
                if p.unscored and self.took_part.get(sid, True)]

    @property
    def ready(self) -> bool:
        return not self.unscored and self.outcome.complete


async def evaluate(session: AsyncSession, rnd: AssessmentRound, *, tz: dt.tzinfo) -> Evaluation:
    profile = await effective_profile(session, rnd.profile)  # duties the society switched on count too
    spec = spec_of(profile)
    assert rnd.id is not None
    entries = await entries_of(session, rnd.id)
    ev = Evaluation(rnd, profile, entries)
    ids = [e.station_id for e in entries]
    manual = await manual_points(session, rnd.period_end, ids)
    period = (rnd.period_start, rnd.period_end)
    submitted = await submitted_by(session, ids, period, rnd.material_deadline, tz)
    report_kinds = report_kinds_of(profile)
    participants = []
    for entry in entries:
        sid = entry.station_id
        founded = entry.snapshot.get("founded_on")
        founded_on = dt.date.fromisoformat(founded) if founded else None
        totals = totals_from_snapshot(entry.snapshot.get("totals", {}).get(str(rnd.period_end)), rnd.period_end)
        ev.points[sid] = round_points(profile, totals, manual.get(sid, {}))
        ev.missing[sid] = missing_material(profile, submitted[sid], period, founded_on)
        auto = not report_kinds or any((kind, rnd.period_end) in submitted[sid] for kind in report_kinds)
        ev.took_part[sid] = entry.took_part if entry.took_part is not None else auto
        participants.append(Participant(sid, ev.points[sid].total, ev.took_part[sid], bool(entry.snapshot.get("new")),
                                        entry.staff_grade, entry.absence_excused))
    ev.outcome = decide(spec, participants, rnd.staff_order)
    return ev


async def apply(session: AsyncSession, ev: Evaluation) -> None:
    """Write the current verdicts to the entries (provisional until published)."""
    for entry in ev.entries:
        verdict = ev.outcome.verdicts.get(entry.station_id)
        entry.grade = verdict.grade if verdict else None
        entry.rank = verdict.rank if verdict else None
        entry.tier = verdict.tier if verdict else None
        entry.total = ev.points[entry.station_id].total
        session.add(entry)
    await session.flush()


def rank_view(ev: Evaluation) -> ui.RankView:
    rows = []
    for entry in ev.entries:
        verdict = ev.outcome.verdicts[entry.station_id]
        rows.append(ui.RankRow(entry.id or 0, entry.station_id, ev.name(entry.station_id),
                               ev.points[entry.station_id].total, verdict.grade, verdict.rank, verdict.tier,
                               verdict.absent, verdict.excused, verdict.waiting))
    return ui.RankView(ev.round.id or 0, ev.spec, rows, list(ev.outcome.ties), ev.unscored,
                       {e.station_id: ev.name(e.station_id) for e in ev.entries})


async def summary(session: AsyncSession, rnd: AssessmentRound, now: dt.datetime,
                  ev: Evaluation | None = None) -> ui.RoundSummary:
    ev = ev or await evaluate(session, rnd, tz=zone_of(now))
    manual_total = sum(len([line for line in p.lines if line.manual]) for p in ev.points.values())
    manual_open = sum(len(p.unscored) for p in ev.points.values())
    state = await notice_state(session, rnd, now)
    objections = state.unanswered if state is not None else 0
    return ui.RoundSummary(rnd.id or 0, ev.profile, rnd.period_start, rnd.period_end, rnd.status,
                           rnd.material_deadline, len(ev.entries), sum(1 for m in ev.missing.values() if m),
                           manual_total - manual_open, manual_total,
                           sum(1 for e in ev.entries if e.staff_grade), rnd.publicity_until, objections)


async def progress(session: AsyncSession, rnd: AssessmentRound, *, tz: dt.tzinfo) -> RoundCounts:
    """The counts ``summary`` and ``Evaluation.unscored`` give, counted by the database without evaluating the
    round (no snapshot decoded, no table scored): the overview shows every open round on each view."""
    profile = await effective_profile(session, rnd.profile)
    assert rnd.id is not None
    period = (rnd.period_start, rnd.period_end)
    return await round_counts(
        session, rnd.id, year=rnd.period_end, manual_ids=[item.id for item in manual_items(profile)],
        owed=missing_material(profile, set(), period, None),  # all of it: the founding year is the query's
        report_kinds=report_kinds_of(profile),
        material_end=material_end(rnd.material_deadline, tz))


async def tell_station(session: AsyncSession, station_id: int, reply: Reply, *, key: str, kind: str,
                       now: dt.datetime) -> int:
    sent = 0
    for person in await station_managers(session, [station_id]):
        assert person.chat_id is not None
        sent += await enqueue(session, key=f"{key}:to-{person.id}", chat_id=person.chat_id, reply=reply, kind=kind,
                              person_id=person.id, not_before=now)
    return sent


async def tell_staff(session: AsyncSession, reply: Reply, *, key: str, now: dt.datetime) -> int:
    sent = 0
    for person in await active_staff(session):
        assert person.chat_id is not None
        sent += await enqueue(session, key=f"{key}:to-{person.id}", chat_id=person.chat_id, reply=reply,
                              kind="staff_assessment", person_id=person.id, not_before=now, respect_quiet_hours=False)
    return sent


def material_label(profile: Profile, kind: str, year: int) -> Text:
    spec = profile.submission(kind)
    return T("{kind} {year}", kind=T(spec.label) if spec else Raw(kind), year=Raw(str(year)))


def covers_lines(entry: AssessmentEntry, rnd: AssessmentRound) -> list[Text]:
    lines: list[Text] = []
    for year in range(rnd.period_start, rnd.period_end + 1):
        totals = entry.snapshot.get("totals", {}).get(str(year), {})
        ratings = entry.snapshot.get("ratings", {}).get(str(year), {})
        lines.append(T("{year}: {activities} ledger activities, {ratings} ratings", year=Raw(str(year)),
                       activities=int(totals.get("activities", 0)), ratings=int(ratings.get("count", 0))))
    subs = entry.snapshot.get("submissions", [])
    late = sum(1 for s in subs if s.get("late_workdays", 0) > 0)
    lines.append(T("Yearly material submitted: {n} ({late} late)", n=len(subs), late=late))
    return lines


async def notify_opened(session: AsyncSession, ev: Evaluation, now: dt.datetime) -> int:
    sent = 0
    rnd = ev.round
    for entry in ev.entries:
        missing = [material_label(ev.profile, kind, year) for kind, year in ev.missing[entry.station_id]]
        reply = ui.opened_notice(ev.profile, rnd.period_start, rnd.period_end, rnd.material_deadline,
                                 covers_lines(entry, rnd), missing)
        sent += await tell_station(session, entry.station_id, reply, key=f"assessment-open:{rnd.id}",
                                   kind="assessment", now=now)
    return sent


def follows_for(ev: Evaluation, station_id: int, found: list[tuple[str, str, bool]]) -> tuple[Text, ...]:
    if found:
        return tuple(ui.follows_text(action, article, clawback) for action, article, clawback in found)
    grade = ev.outcome.verdicts[station_id].grade
    if grade == ev.spec.failing_grade.id:
        return ()
    return (T("What follows: nothing more is required."),)


def result_of(ev: Evaluation, entry: AssessmentEntry, follows: tuple[Text, ...] = ()) -> ui.Result:
    verdict = ev.outcome.verdicts[entry.station_id]
    spec = ev.spec
    points = ev.points[entry.station_id]
    tier = next((t for t in spec.awards.tiers if t.id == verdict.tier), None) if spec.awards else None
    ranked = sum(1 for v in ev.outcome.verdicts.values() if v.rank is not None)
    show_rank = verdict.rank is not None and (spec.quota is not None or spec.awards is not None)
    rows = tuple(ui.breakdown(points.lines)) if spec.points and not verdict.absent else ()
    return ui.Result(ev.name(entry.station_id), ev.round.period_start, ev.round.period_end,
                     ui.grade_label(spec, verdict.grade), points.total if spec.points and not verdict.absent else None,
                     rows, verdict.rank if show_rank else None, ranked, T(tier.label) if tier else None,
                     tier.amount_yuan if tier else None, follows)


async def publish(session: AsyncSession, rnd: AssessmentRound, now: dt.datetime) -> Evaluation:
    """Announce the verdicts: a 公示 where the profile has one, otherwise the final publication at once."""
    ev = await evaluate(session, rnd, tz=zone_of(now))
    if not ev.ready:
        return ev
    await apply(session, ev)
    spec = ev.spec
    if spec.publicity_days is None:
        return await finalize(session, rnd, now, ev)
    notice = await open_notice(session, subject_type=NOTICE_SUBJECT, subject_id=rnd.id or 0,
                               title=f"{rnd.profile} {rnd.period_end}", days=spec.publicity_days, now=now,
                               source=spec.publicity_source)
    rnd.status = PUBLICITY
    rnd.publicity_until = now.date() + dt.timedelta(days=spec.publicity_days)
    session.add(rnd)
    for entry in ev.entries:
        reply = ui.publicity_notice(result_of(ev, entry), rnd.publicity_until, notice.id or 0)
        await tell_station(session, entry.station_id, reply, key=f"assessment-publicity:{rnd.id}", kind="assessment",
                           now=now)
    await session.flush()
    return ev


async def finalize(session: AsyncSession, rnd: AssessmentRound, now: dt.datetime,
                   ev: Evaluation | None = None) -> Evaluation:
    """Final publication: freeze each entry's result, tell each station, propose the consequences to staff."""
    ev = ev or await evaluate(session, rnd, tz=zone_of(now))
    if not ev.ready:
        return ev
    await apply(session, ev)
    spec = ev.spec
    ids = [e.station_id for e in ev.entries]
    history = await failed_history(session, rnd.profile, rnd.period_end, ids, spec.failing_grade.id)
    proposed = proposals(spec, ev.outcome, history)
    expiries = {e.station_id: dt.date.fromisoformat(e.snapshot["certificate_expiry"])
                if e.snapshot.get("certificate_expiry") else None for e in ev.entries}
    proposed += certificate_proposals(spec, expiries, now.date())
    notice = await notice_for(session, NOTICE_SUBJECT, rnd.id or 0)
    if notice is not None:
        await close_notice(session, notice, now)
    rnd.status = PUBLISHED
    rnd.published_at = db_time(now)
    session.add(rnd)
    for entry in ev.entries:
        mine = [(p.action, p.article, p.clawback) for p in proposed if p.station_id == entry.station_id]
        result = result_of(ev, entry, follows_for(ev, entry.station_id, mine))
        points = ev.points[entry.station_id]
        entry.result = {"grade": entry.grade, "total": entry.total, "rank": entry.rank, "tier": entry.tier,
                        "amount_yuan": result.amount, "absent": ev.outcome.verdicts[entry.station_id].absent,
                        "lines": [{"id": line.id, "label": line.label, "group": line.group, "points": line.points,
                                   "max_points": line.max_points, "manual": line.manual} for line in points.lines],
                        "published_at": db_time(now).isoformat()}
        session.add(entry)
        await tell_station(session, entry.station_id, ui.final_notice(result), key=f"assessment-final:{rnd.id}",
                           kind="assessment", now=now)
    for p in proposed:
        due = now.date() + dt.timedelta(days=spec.rectification_days) if p.action == "rectification" else None
        row = Consequence(round_id=rnd.id, station_id=p.station_id, action=p.action, article=p.article,
                          clawback=p.clawback, due_on=due, created_at=db_time(now))
        session.add(row)
        await session.flush()
        assert row.id is not None
        await tell_staff(session, ui.proposal_card(row.id, ev.name(p.station_id), p.action, p.article, p.clawback,
                                                   due), key=f"consequence:{row.id}", now=now)
    await session.flush()
    return ev


async def open_and_tell(session: AsyncSession, *, profile_id: str, period_end: int, deadline: dt.date,
                        person_id: int | None, now: dt.datetime) -> tuple[AssessmentRound, Evaluation, int]:
    """Open a round (snapshot) and tell each station's managers what it covers and what is missing."""
    rnd, _ = await open_round(session, profile_id=profile_id, period_end=period_end, deadline=deadline,
                              person_id=person_id, now=now)
    ev = await evaluate(session, rnd, tz=zone_of(now))
    told = await notify_opened(session, ev, now)
    return rnd, ev, told


async def station_name(session: AsyncSession, station_id: int) -> str:
    station = await session.get(Station, station_id)
    return station.name if station else str(station_id)
