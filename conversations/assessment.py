"""What staff and managers see of an assessment round (pure: plain replies, no I/O)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from conversations.types import Button, Reply, keyboard
from locales import Join, Raw, T, Text
from rules.assessment import Tie
from rules.assessment_spec import AssessmentSpec
from rules.profile import Profile
from rules.scoring import ScoreLine

STATUS = {"open": T("open"), "publicity": T("public notice (公示)"), "published": T("published")}
ACTIONS = {"rectification": T("rectification within a time limit"), "revocation": T("revocation of the title"),
           "reexamination": T("re-examination of the manager certificate"),
           "exit": T("exit, with the plaque returned")}


def num(value: float | None) -> Raw:
    if value is None:
        return Raw("—")
    return Raw(str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip("."))


def grade_label(spec: AssessmentSpec, grade: str | None) -> Text:
    found = spec.grade(grade) if grade else None
    return T(found.label) if found is not None else T("not decided yet")


def tier_label(spec: AssessmentSpec, tier: str | None) -> Text | None:
    if tier is None or spec.awards is None:
        return None
    found = next((t for t in spec.awards.tiers if t.id == tier), None)
    return T(found.label) if found else None


def period_text(first: int, last: int) -> Raw:
    return Raw(str(last) if first == last else f"{first}–{last}")


@dataclass(frozen=True)
class RoundSummary:
    round_id: int
    profile: Profile
    first: int
    last: int
    status: str
    deadline: dt.date
    stations: int
    missing_material: int
    manual_scored: int = 0
    manual_total: int = 0
    graded: int = 0
    publicity_until: dt.date | None = None
    objections_open: int = 0


def round_card(s: RoundSummary, *, edit: bool = False, note: Text | None = None) -> Reply:
    spec = s.profile.assessment
    assert spec is not None
    lines: list[Text] = [note] if note is not None else []
    lines += [T("Assessment round #{number}: {profile}, {period} — {status}", number=s.round_id,
                profile=T(s.profile.label), period=period_text(s.first, s.last), status=STATUS.get(s.status, Raw(s.status))),
              T("Stations: {n}; with material missing: {missing}; deadline for missing material: {day}",
                n=s.stations, missing=s.missing_material, day=s.deadline)]
    if s.manual_total:
        lines.append(T("Rows scored by staff: {scored} of {total} (/scoring {year})", scored=s.manual_scored,
                       total=s.manual_total, year=Raw(str(s.last))))
    if spec.verdict == "staff":
        lines.append(T("Grades chosen by staff: {graded} of {n}", graded=s.graded, n=s.stations))
    if s.publicity_until is not None and s.status == "publicity":
        lines.append(T("Public notice until {day}; objections awaiting an answer: {n}", day=s.publicity_until,
                       n=s.objections_open))
    rid = s.round_id
    buttons: list[list[Button]] = []
    if s.status == "open":
        if spec.verdict == "staff":
            buttons.append([Button(T("Choose grades"), f"as:g:{rid}")])
        buttons.append([Button(T("Rank and verdicts"), f"as:k:{rid}")])
        buttons.append([Button(T("Publish"), f"as:p:{rid}")])
    elif s.status == "publicity":
        buttons.append([Button(T("Rank and verdicts"), f"as:k:{rid}")])
        buttons.append([Button(T("Final publication"), f"as:f:{rid}")])
    buttons.append([Button(T("Round table (xlsx)"), f"as:x:{rid}"), Button(T("Ranking chart"), f"as:c:{rid}")])
    # The paper: each station's assessment table, and the round's documents as one zip (bot/handlers/documents.py).
    buttons.append([Button(T("Assessment tables (docx)"), f"doc:r:{rid}"),
                    Button(T("All documents (zip)"), f"doc:rz:{rid}")])
    return Reply(Join(tuple(lines)), keyboard(*buttons), edit=edit)


def round_list(rows: Sequence[tuple[int, Profile, int, int, str]]) -> Reply:
    usage = T("Open a round: /assess <profile or all> [year] [deadline YYYY-MM-DD], e.g. /assess quzhou 2026 2027-03-31")
    if not rows:
        return Reply(Join((T("No assessment round yet."), usage)))
    buttons = [[Button(Join((Raw(f"#{rid} "), T(profile.label), Raw(f" {period_text(first, last).text}")), ""),
                       f"as:v:{rid}")] for rid, profile, first, last, _ in rows]
    return Reply(Join((T("Assessment rounds:"), usage)), keyboard(*buttons))


def opened_notice(profile: Profile, first: int, last: int, deadline: dt.date, covers: Sequence[Text],
                  missing: Sequence[Text]) -> Reply:
    """To each manager when a round opens: what it covers, what is still missing, by when."""
    lines: list[Text] = [T("The {period} assessment of your station has opened ({profile}).",
                           period=period_text(first, last), profile=T(profile.label)),
                         T("It is based on what the bot holds today, frozen now:"), *covers]
    if missing:
        lines.append(T("Still missing — please submit by {day}:", day=deadline))
        lines += [Join((Raw("• "), m), "") for m in missing]
    else:
        lines.append(T("All the yearly material is in. Nothing is missing."))
    return Reply(Join(tuple(lines)))


@dataclass
class RankRow:
    entry_id: int
    station_id: int
    name: str
    total: float | None
    grade: str | None
    rank: int | None
    tier: str | None
    absent: bool = False
    excused: bool = False
    waiting: str = ""


@dataclass
class RankView:
    round_id: int
    spec: AssessmentSpec
    rows: list[RankRow]
    ties: list[Tie] = field(default_factory=list)
    unscored: list[tuple[str, list[str]]] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)


def ranking(view: RankView, *, edit: bool = False) -> Reply:
    spec = view.spec
    rid = view.round_id
    if view.unscored:
        lines: list[Text] = [T("Not ready: rows scored by staff are still open.")]
        lines += [T("{station}: {rows}", station=Raw(name), rows=Raw(", ".join(rows))) for name, rows in view.unscored]
        return Reply(Join(tuple(lines)), keyboard([Button(T("Back to the round"), f"as:v:{rid}")]), edit=edit)
    lines = [T("Ranking and verdicts:")]
    buttons: list[list[Button]] = []
    ordered = sorted(view.rows, key=lambda r: (r.absent, r.rank or 10**6, -(r.total or 0), r.name))
    for row in ordered:
        parts: list[Text] = [Raw(f"{row.rank}. " if row.rank else "— "), Raw(row.name)]
        if spec.points and not row.absent:
            parts.append(T(" {points} points", points=num(row.total)))
        parts += [Raw(" · "), grade_label(spec, row.grade)]
        tier = tier_label(spec, row.tier)
        if tier is not None:
            parts += [Raw(" · "), tier]
        if row.absent:
            parts.append(T(" (did not take part; reason accepted)") if row.excused else T(" (did not take part)"))
            buttons.append([Button(Join((T("Took part"), Raw(f": {row.name}")), ""), f"as:tp:{row.entry_id}")])
            if not row.excused:
                buttons.append([Button(Join((T("Absent with a reason"), Raw(f": {row.name}")), ""),
                                       f"as:ex:{row.entry_id}")])
        if row.waiting == "grade":
            parts.append(T(" (staff choose the grade)"))
        lines.append(Join(tuple(parts), ""))
    for tie in view.ties:
        names = ", ".join(view.names.get(sid, str(sid)) for sid in tie.station_ids)
        what = grade_label(spec, tie.what) if spec.grade(tie.what) else (tier_label(spec, tie.what) or Raw(tie.what))
        lines.append(T("Tie at {points} points for {what} ({slots} places): {stations}. Staff decide: tap who comes "
                       "first.", points=num(tie.points), what=what, slots=tie.slots, stations=Raw(names)))
        buttons += [[Button(Join((T("First"), Raw(f": {view.names.get(sid, str(sid))}")), ""), f"as:t:{rid}:{sid}")]
                    for sid in tie.station_ids]
    buttons.append([Button(T("Back to the round"), f"as:v:{rid}")])
    return Reply(Join(tuple(lines)), keyboard(*buttons), edit=edit)


@dataclass(frozen=True)
class Figures:
    """What staff see beside a grade choice: the period's frozen figures."""

    station: str
    lines: tuple[Text, ...]


def grade_card(entry_id: int, spec: AssessmentSpec, figures: Figures, *, edit: bool = True) -> Reply:
    lines: list[Text] = [T("Choose the grade of {station}:", station=Raw(figures.station)), *figures.lines]
    buttons = [[Button(T(g.label), f"as:sg:{entry_id}:{g.id}")] for g in spec.grades]
    return Reply(Join(tuple(lines)), keyboard(*buttons), edit=edit)


def breakdown(lines: Sequence[ScoreLine]) -> list[Text]:
    return [T("{item}: {points} of {maximum}", item=T(line.label), points=num(line.points),
              maximum=num(line.max_points)) for line in lines if line.max_points is not None]


@dataclass(frozen=True)
class Result:
    """One station's published (or announced) result."""

    station: str
    first: int
    last: int
    grade: Text
    total: float | None
    rows: tuple[Text, ...]
    rank: int | None
    ranked_of: int
    tier: Text | None
    amount: int | None
    follows: tuple[Text, ...]


def result_text(r: Result) -> list[Text]:
    lines: list[Text] = [T("{station}: {grade}", station=Raw(r.station), grade=r.grade)]
    if r.total is not None:
        lines.append(T("Total: {points} points", points=num(r.total)))
    lines += list(r.rows)
    if r.rank is not None:
        lines.append(T("Rank: {rank} of {n}", rank=r.rank, n=r.ranked_of))
    if r.tier is not None:
        lines.append(T("Award: {tier} ({amount} yuan)", tier=r.tier, amount=r.amount or 0) if r.amount
                     else T("Award: {tier}", tier=r.tier))
    lines += list(r.follows)
    return lines


def publicity_notice(r: Result, until: dt.date, notice_id: int) -> Reply:
    lines = [T("Public notice (公示) of the {period} assessment until {day}. The result is not final yet.",
               period=period_text(r.first, r.last), day=until), *result_text(r),
             T("If you disagree, object before {day} with /object {number} and your reason.", day=until,
               number=notice_id)]
    return Reply(Join(tuple(lines)))


def final_notice(r: Result) -> Reply:
    return Reply(Join((T("Final result of the {period} assessment:", period=period_text(r.first, r.last)),
                       *result_text(r))))


def follows_text(action: str, article: str, clawback: bool = False) -> Text:
    text = T("What follows: the society will decide on {action} ({article}).", action=ACTIONS.get(action, Raw(action)),
             article=Raw(article))
    if clawback:
        return Join((text, T("The subsidy paid so far may be reclaimed.")), " ")
    return text


def proposal_card(consequence_id: int, station: str, action: str, article: str, clawback: bool,
                  due_on: dt.date | None = None) -> Reply:
    lines: list[Text] = [T("Proposed for {station}: {action} ({article}). Nothing happens until you confirm.",
                           station=Raw(station), action=ACTIONS.get(action, Raw(action)), article=Raw(article))]
    if clawback:
        lines.append(T("The subsidy paid so far is to be reclaimed."))
    if due_on is not None:
        lines.append(T("Rectification deadline if confirmed: {day}", day=due_on))
    return Reply(Join(tuple(lines)), keyboard([Button(T("Confirm"), f"as:cc:{consequence_id}"),
                                               Button(T("Dismiss"), f"as:cd:{consequence_id}")]))
