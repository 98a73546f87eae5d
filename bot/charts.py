"""PNG charts for /dashboard (staff) and a manager's activities by month (matplotlib, Agg, no pyplot).

Chinese labels need a CJK font: ``bot.fonts`` finds it (the pip-installed Noto Sans CJK unless a system one
or ``STATIONBOT_CJK_FONT`` is there), so labels are never empty boxes (tofu).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.fonts import FAMILY, MissingCJKFont, cjk_font_path
from locales import T, Translator, render

__all__ = ["MissingCJKFont", "SatisfactionBar", "activities_by_month_png", "cjk_font_family", "dashboard_png"]

DPI = 100


@lru_cache(maxsize=1)
def cjk_font_family() -> str:
    """Register the CJK font (``bot.fonts.cjk_font_path``) with matplotlib and return the family to draw
    with: its Simplified-Chinese face when the file is a collection that has one (Chinese glyph forms)."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    faces = [entry.name for entry in font_manager.fontManager.ttflist if Path(entry.fname) == path]
    return FAMILY if FAMILY in faces else str(font_manager.FontProperties(fname=str(path)).get_name())


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class SatisfactionBar:
    station: str
    average: float
    target: float


STATUS_ORDER = (("accepted", T("Accepted")), ("submitted", T("Submitted, awaiting review")),
                ("returned", T("Returned for changes")))
COLOURS = {"accepted": "#4caf50", "submitted": "#2196f3", "returned": "#ff9800"}


OVERDUE_ORDER = (("missing", T("Past due, not submitted"), "#d32f2f"), ("late", T("Submitted late"), "#ffb74d"))


def _region_labels(regions: Sequence[str], tr: Translator) -> list[str]:
    return [region or render(T("(no region)"), tr) for region in regions]


def dashboard_png(by_region: Mapping[str, Mapping[str, int]], satisfaction: Sequence[SatisfactionBar],
                  year: int, tr: Translator, overdue: Mapping[str, Mapping[str, int]] | None = None) -> bytes:
    """Three panels: submissions by region and status, overdue items by region (top, stacked bars),
    and satisfaction per station against its target line (bottom, as wide as the figure for long names)."""
    family = cjk_font_family()
    overdue = overdue or {}
    with matplotlib.rc_context({"font.family": [family, "DejaVu Sans"], "axes.unicode_minus": False}):
        figure = _figure(10, 7 + 0.3 * max(len(satisfaction), 5))
        axes = figure.subplot_mosaic([["status", "overdue"], ["satisfaction", "satisfaction"]],
                                     height_ratios=[4, 1 + 0.3 * max(len(satisfaction), 5)])
        left, middle, right = axes["status"], axes["overdue"], axes["satisfaction"]
        regions = sorted(by_region) or [""]
        bottoms = [0] * len(regions)
        for status, label in STATUS_ORDER:
            heights = [by_region.get(region, {}).get(status, 0) for region in regions]
            left.bar(_region_labels(regions, tr), heights, bottom=bottoms, label=render(label, tr),
                     color=COLOURS[status])
            bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
        left.set_title(render(T("Submissions of {year} by region", year=str(year)), tr))
        left.set_ylabel(render(T("Submissions"), tr))
        left.legend(loc="upper right")
        left.tick_params(axis="x", labelrotation=30)
        late_regions = sorted(overdue) or [""]
        bottoms = [0] * len(late_regions)
        for key, label, colour in OVERDUE_ORDER:
            heights = [overdue.get(region, {}).get(key, 0) for region in late_regions]
            middle.bar(_region_labels(late_regions, tr), heights, bottom=bottoms, label=render(label, tr),
                       color=colour)
            bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
        middle.set_title(render(T("Overdue items by region"), tr))
        middle.set_ylabel(render(T("Items"), tr))
        middle.legend(loc="upper right")
        middle.tick_params(axis="x", labelrotation=30)
        for counts in (left, middle):
            counts.yaxis.set_major_locator(MaxNLocator(integer=True))
        right.set_xlim(0, 100)
        right.set_title(render(T("Satisfaction by station (0–100) against the target"), tr))
        if not satisfaction:
            # No empty categorical bars: they collapse the layout. Just say so in the middle of the panel.
            right.set_yticks([])
            right.text(0.5, 0.5, render(T("No ratings yet"), tr), ha="center", va="center", transform=right.transAxes)
            return _png(figure)
        right.barh([bar.station for bar in satisfaction], [bar.average for bar in satisfaction], color="#90caf9")
        for index, bar in enumerate(satisfaction):
            target = right.vlines(bar.target, index - 0.4, index + 0.4, colors="#d32f2f", linewidth=2)
            if index == 0:
                target.set_label(render(T("Target"), tr))
        right.invert_yaxis()
        right.legend(loc="lower right")
        return _png(figure)


def activities_by_month_png(counts: dict[int, int], tr: Translator) -> bytes:
    """Bars for months 1..12 (missing months count 0)."""
    family = cjk_font_family()
    with matplotlib.rc_context({"font.family": [family, "DejaVu Sans"]}):
        figure = _figure(8, 4)
        axes = figure.subplots()
        months = list(range(1, 13))
        axes.bar([render(T("{month} mo.", month=str(m)), tr) for m in months], [counts.get(m, 0) for m in months],
                 color="#42a5f5")
        axes.set_title(render(T("Activities by month"), tr))
        axes.set_ylabel(render(T("Activities"), tr))
        return _png(figure)
