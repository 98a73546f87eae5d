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
    what: Text
    due_on: dt.date
    days_left: int
    done: bool = False
    command: str = ""


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
    if line.done:
        return T("✅ {what}: submitted", what=line.what)
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
    buttons += [Button(d.what, f"m:{d.command}") for d in view.due if not d.done and d.command][:2]
    return Reply(Join(tuple(lines)), keyboard(buttons[:1], buttons[1:]))
