"""A manager's /status: what is due, the ledger against the yearly minimums, score and satisfaction.

Short enough to read on a phone: one line per item, details one tap away.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from conversations.types import Button, Reply, keyboard
from locales import TN, Join, Raw, T, Text
from rules.satisfaction import MIN_RATINGS_FOR_AGGREGATES


@dataclass(frozen=True)
class DueLine:
    """One thing due; ``source`` is shown next to the date ("《办法》第十六条" or "学会规定").

    ``button`` is the callback data that opens the duty's own form (``du:<id>``); ``command``
    a menu command (``m:<command>``) for the rest. ``due_on`` is None for a duty without a date.
    """

    what: Text
    due_on: dt.date | None
    days_left: int | None
    done: bool = False
    command: str = ""
    source: Text | None = None
    button: str = ""

    @property
    def data(self) -> str:
        return self.button or (f"m:{self.command}" if self.command else "")


@dataclass(frozen=True)
class CountLine:
    label: Text
    actual: int
    required: int | None = None


@dataclass(frozen=True)
class StatusView:
    station_name: str
    year: int
    due: list[DueLine] = field(default_factory=list)
    counts: list[CountLine] = field(default_factory=list)
    minimums: list[CountLine] = field(default_factory=list)
    score: float | None = None  # the low end of the range (points known so far)
    score_high: float | None = None  # low + the maxima of the rows awaiting staff
    score_passes: bool | None = None  # None while the range straddles the pass mark
    awaiting_staff: tuple[Text, ...] = ()
    satisfaction: float | None = None  # None below the anonymity minimum, whatever the count
    satisfaction_met: bool | None = None
    satisfaction_target: float | None = None
    satisfaction_above: bool = True
    ratings: int = 0
    guessed_years: tuple[int, ...] = ()


def due_text(line: DueLine) -> Text:
    text = _due_text(line)
    return Join((text, T(" ({source})", source=line.source)), "") if line.source is not None else text


def _due_text(line: DueLine) -> Text:
    if line.done:
        return T("✅ {what}: submitted", what=line.what)
    if line.due_on is None or line.days_left is None:
        return T("📌 {what}: no deadline set", what=line.what)
    if line.days_left < 0:
        return TN("❗ {what}: overdue since {day} ({n} day)", "❗ {what}: overdue since {day} ({n} days)",
                  n=-line.days_left, what=line.what, day=line.due_on)
    if line.days_left == 0:
        return T("⏰ {what}: due today ({day})", what=line.what, day=line.due_on)
    return TN("🗓 {what}: due {day} (in {n} day)", "🗓 {what}: due {day} (in {n} days)", n=line.days_left,
              what=line.what, day=line.due_on)


def count_text(line: CountLine) -> Text:
    if line.required is None:
        return T("{label}: {actual}", label=line.label, actual=line.actual)
    mark = "✅" if line.actual >= line.required else "⚠️"
    return Join((Raw(mark), T("{label}: {actual} of {required}", label=line.label, actual=line.actual,
                                required=line.required)), " ")


def _points(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def score_lines(view: StatusView) -> list[Text]:
    """The estimate as a range while rows await staff; a verdict only when the range is on one side of 60."""
    if view.score is None:
        return []
    if view.score_passes is None:
        verdict: Text = T("60 lies within this range: no verdict until staff have scored the rows below")
    else:
        verdict = T("passing (60 or more)") if view.score_passes else T("below 60: failing")
    if not view.awaiting_staff or view.score_high is None:
        return [T("Estimated assessment score: {score} — {verdict}", score=_points(view.score), verdict=verdict)]
    return [T("Estimated assessment score: {low} to {high} — {verdict}", low=_points(view.score),
              high=_points(view.score_high), verdict=verdict),
            T("Awaiting staff scores ({points} points): {rows}", points=_points(view.score_high - view.score),
              rows=Join(view.awaiting_staff, "、"))]


def satisfaction_lines(view: StatusView) -> list[Text]:
    """The mean against the target as the seed words it; below the minimum only how many ratings there are."""
    if view.ratings == 0:
        return []
    if view.satisfaction is None:
        return [TN("Satisfaction: {n} rating so far; the average is shown from {minimum} ratings on, "
                   "so that no single rating can be recognised.",
                   "Satisfaction: {n} ratings so far; the average is shown from {minimum} ratings on, "
                   "so that no single rating can be recognised.", n=view.ratings, minimum=MIN_RATINGS_FOR_AGGREGATES)]
    target = f"{view.satisfaction_target or 0:.0f}"
    wording = (T("above {target}", target=target) if view.satisfaction_above
               else T("at least {target}", target=target))
    mark = "✅" if view.satisfaction_met else "⚠️"
    return [Join((Raw(mark), T("Satisfaction: {score} from {n} ratings (target: {target})",
                               score=f"{view.satisfaction:.1f}", n=view.ratings, target=wording)), " ")]


def status_reply(view: StatusView) -> Reply:
    lines: list[Text] = [T("Status of {station} — {year}", station=Raw(view.station_name), year=str(view.year))]
    if view.due:
        lines.append(T("What is due:"))
        lines += [due_text(d) for d in view.due]
    else:
        lines.append(T("Nothing is due at the moment."))
    if view.minimums:
        lines.append(T("Yearly minimums:"))
        lines += [count_text(c) for c in view.minimums]
    lines.append(T("Ledger this year:"))
    lines += [count_text(c) for c in view.counts] or [T("No activities recorded yet this year.")]
    lines += score_lines(view)
    lines += satisfaction_lines(view)
    if view.guessed_years:
        lines.append(T("Working days for {years} are counted Monday to Friday until staff load the official holiday schedule.",
                       years=", ".join(str(y) for y in view.guessed_years)))
    buttons = [Button(T("Log a service activity"), "m:log")]
    # One button per open item: each yearly duty opens its own form (issue 10).
    buttons += [Button(d.what, d.data) for d in view.due if not d.done and d.data][:4]
    return Reply(Join(tuple(lines)), keyboard(buttons[:1], *([b] for b in buttons[1:])))
