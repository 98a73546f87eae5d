"""A manager's /status: what is due, the ledger against the yearly minimums, score and satisfaction.

Short enough to read on a phone: one line per item, details one tap away.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from conversations.types import Button, Reply, keyboard
from locales import Join, Raw, T, Text


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
    score: float | None = None
    score_passes: bool | None = None
    satisfaction: float | None = None
    satisfaction_target: float | None = None
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
        return T("❗ {what}: overdue since {day} ({n} days)", what=line.what, day=line.due_on, n=-line.days_left)
    if line.days_left == 0:
        return T("⏰ {what}: due today ({day})", what=line.what, day=line.due_on)
    return T("🗓 {what}: due {day} (in {n} days)", what=line.what, day=line.due_on, n=line.days_left)


def count_text(line: CountLine) -> Text:
    if line.required is None:
        return T("{label}: {actual}", label=line.label, actual=line.actual)
    mark = "✅" if line.actual >= line.required else "⚠️"
    return Join((Raw(mark), T("{label}: {actual} of {required}", label=line.label, actual=line.actual,
                                required=line.required)), " ")


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
    if view.score is not None:
        verdict = T("passing (60 or more)") if view.score_passes else T("below 60: failing")
        lines.append(T("Estimated assessment score: {score} — {verdict}", score=f"{view.score:.0f}", verdict=verdict))
    if view.satisfaction is not None:
        lines.append(T("Satisfaction: {score} from {n} ratings (target {target})", score=f"{view.satisfaction:.1f}",
                       n=view.ratings, target=f"{view.satisfaction_target or 0:.0f}"))
    if view.guessed_years:
        lines.append(T("Working days for {years} are counted Monday to Friday until staff load the official holiday schedule.",
                       years=", ".join(str(y) for y in view.guessed_years)))
    buttons = [Button(T("Log a service activity"), "m:log")]
    # One button per open item: each yearly duty opens its own form (issue 10).
    buttons += [Button(d.what, d.data) for d in view.due if not d.done and d.data][:4]
    return Reply(Join(tuple(lines)), keyboard(buttons[:1], *([b] for b in buttons[1:])))
