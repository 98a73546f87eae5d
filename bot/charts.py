"""PNG charts for /dashboard (staff) and a manager's activities by month (matplotlib, Agg, no pyplot).

Chinese labels need a CJK font: it is loaded by path (``fonts-noto-cjk`` on Debian); when none is
installed the chart is refused with a clear error instead of drawing empty boxes (tofu).
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from locales import T, Translator, render

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
DPI = 100


class MissingCJKFont(RuntimeError):
    pass


@lru_cache(maxsize=1)
def cjk_font_family() -> str:
    """Register the first CJK font found (``STATIONBOT_CJK_FONT`` first) and return its family name."""
    configured = os.environ.get("STATIONBOT_CJK_FONT", "")
    for candidate in (configured, *FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            font_manager.fontManager.addfont(candidate)
            return str(font_manager.FontProperties(fname=candidate).get_name())
    raise MissingCJKFont("no CJK font found for the charts: install one (Debian/Ubuntu: `apt-get install "
                         "fonts-noto-cjk`) or set STATIONBOT_CJK_FONT to the path of a .ttc/.otf/.ttf file")


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


def dashboard_png(by_region: Mapping[str, Mapping[str, int]], satisfaction: Sequence[SatisfactionBar],
                  year: int, tr: Translator) -> bytes:
    """Two panels: submissions by region and status (stacked), satisfaction per station vs its target."""
    family = cjk_font_family()
    with matplotlib.rc_context({"font.family": [family, "DejaVu Sans"], "axes.unicode_minus": False}):
        figure = _figure(10, 4 + 0.25 * max(len(satisfaction), 8))
        left, right = figure.subplots(1, 2)
        regions = sorted(by_region) or [""]
        labels = [region or render(T("(no region)"), tr) for region in regions]
        bottoms = [0] * len(regions)
        for status, label in STATUS_ORDER:
            heights = [by_region.get(region, {}).get(status, 0) for region in regions]
            left.bar(labels, heights, bottom=bottoms, label=render(label, tr), color=COLOURS[status])
            bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
        left.set_title(render(T("Submissions of {year} by region", year=str(year)), tr))
        left.set_ylabel(render(T("Submissions"), tr))
        left.legend(loc="upper right")
        left.tick_params(axis="x", labelrotation=30)
        names = [bar.station for bar in satisfaction]
        right.barh(names, [bar.average for bar in satisfaction], color="#90caf9")
        for index, bar in enumerate(satisfaction):
            right.vlines(bar.target, index - 0.4, index + 0.4, colors="#d32f2f", linewidth=2,
                         label=render(T("Target"), tr) if index == 0 else None)
        right.set_xlim(0, 100)
        right.invert_yaxis()
        right.set_title(render(T("Satisfaction by station (0–100) against the target"), tr))
        if satisfaction:
            right.legend(loc="lower right")
        else:
            right.text(50, 0.5, render(T("No ratings yet"), tr), ha="center", va="center")
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
