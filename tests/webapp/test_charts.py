"""Charts render with a CJK font (never tofu) and decode as PNG of the expected size."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import pytest
from PIL import Image

from bot import charts, fonts
from bot.charts import SatisfactionBar, activities_by_month_png, dashboard_png
from locales import translator
from rules.deadlines import annual_due_date
from rules.profile import load_profile
from services.dashboard import overdue_by_region
from storage.db import Database
from testing.client import Sandbox, User
from testing.outbox_flush import send_and_deliver
from tests.conftest import STAFF
from tests.webapp.seed import seed


def test_activities_by_month_png() -> None:
    png = activities_by_month_png({1: 3, 2: 0, 7: 5}, translator("zh_Hans"))
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (800, 400)


def test_dashboard_png_size() -> None:
    bars = [SatisfactionBar("衢州市柯城区科技服务站", 80.0, 85.0), SatisfactionBar("武汉站", 50.0, 80.0)]
    png = dashboard_png({"衢州": {"accepted": 2}, "武汉": {"submitted": 1, "returned": 1}}, bars, 2027,
                        translator("zh_Hans"), {"武汉": {"missing": 2, "late": 1}})
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (1000, 850)  # 7 in + 0.3 in per bar (at least 5), 100 dpi
    many = [SatisfactionBar(f"站 {n}", 60.0 + n, 80.0) for n in range(10)]
    taller = Image.open(io.BytesIO(dashboard_png({}, many, 2027, translator("en"))))
    assert taller.size == (1000, 1000)


async def test_overdue_by_region(db: Database) -> None:
    """On 2027-06-01 the plan (due 31 Jan) and last year's summary are past due; wuhan's plan came in late."""
    seeded = await seed(db)
    async with db.session() as session:
        found = await overdue_by_region(session, dt.date(2027, 6, 1))
        # Seed 004 第十二条 sets no date for the plan or the summary: nothing of quzhou is "past due".
        quzhou_owes = [spec.id for spec in load_profile("quzhou").duties
                       if (due := annual_due_date(spec, 2027, load_profile("quzhou"))) is not None
                       and due < dt.date(2027, 6, 1) and spec.id != "plan"]
        assert quzhou_owes == []
    assert seeded.quzhou_id and found["衢州"] == {"missing": len(quzhou_owes), "late": 0}
    assert found["武汉"]["late"] == 1
    async with db.session() as session:
        early = await overdue_by_region(session, dt.date(2027, 1, 2))
    assert all(v["missing"] == 0 for v in early.values())


def test_a_misconfigured_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """An explicit STATIONBOT_CJK_FONT that points nowhere is refused, not silently replaced."""
    charts.cjk_font_family.cache_clear()
    monkeypatch.setenv("STATIONBOT_CJK_FONT", "/nonexistent/font.ttc")
    try:
        with pytest.raises(charts.MissingCJKFont, match="STATIONBOT_CJK_FONT"):
            activities_by_month_png({}, translator("en"))
    finally:
        charts.cjk_font_family.cache_clear()


def test_the_pip_font_serves_when_no_system_font_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bare machine (no fonts-noto-cjk): the font that came with pip install is used, its SC face."""
    charts.cjk_font_family.cache_clear()
    monkeypatch.delenv("STATIONBOT_CJK_FONT", raising=False)
    monkeypatch.setattr(fonts, "SYSTEM_CANDIDATES", ())
    try:
        assert "site-packages" in str(fonts.cjk_font_path())
        assert charts.cjk_font_family() == "Noto Sans CJK SC"
    finally:
        charts.cjk_font_family.cache_clear()


def _text_png(text: str, family: str) -> bytes:
    with matplotlib.rc_context({"font.family": [family]}), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DejaVu warns about every missing glyph
        figure = charts._figure(3, 1)
        figure.text(0.05, 0.3, text, fontsize=24)
        return charts._png(figure)


def test_chinese_glyphs_are_drawn_not_tofu() -> None:
    """Different Chinese words must look different. With DejaVu Sans (no CJK) every character is the same
    empty box, so two words render identically: that control proves the comparison detects tofu."""
    family = charts.cjk_font_family()
    assert _text_png("科技服务", "DejaVu Sans") == _text_png("满意评价", "DejaVu Sans")  # tofu: all boxes
    assert _text_png("科技服务", family) != _text_png("满意评价", family)


def test_chinese_chart_has_no_missing_glyph(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real dashboard in Chinese draws with no "Glyph missing from font" warning; the same chart with
    the CJK font replaced by DejaVu does warn (the check can fail)."""
    bars = [SatisfactionBar("衢州市柯城区科技服务站", 80.0, 85.0)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dashboard_png({"衢州": {"accepted": 2}}, bars, 2027, translator("zh_Hans"), {"衢州": {"missing": 1}})
    monkeypatch.setattr(charts, "cjk_font_family", lambda: "DejaVu Sans")
    with pytest.warns(UserWarning, match="missing from font"):
        dashboard_png({"衢州": {"accepted": 2}}, bars, 2027, translator("zh_Hans"), {"衢州": {"missing": 1}})


def test_fontconfig_env_lets_external_programs_find_the_font(tmp_path: Path) -> None:
    """LibreOffice/Chromium get FONTCONFIG_FILE naming the font's folder; fontconfig then resolves the SC
    family and sans-serif to that file (checked with fc-match when fontconfig is installed)."""
    env = fonts.fontconfig_env(tmp_path / "fc")
    conf = ET.parse(env["FONTCONFIG_FILE"]).getroot()
    assert [d.text for d in conf.iter("dir")] == [str(fonts.cjk_font_path().resolve().parent)]
    if shutil.which("fc-match") is None:
        return
    for pattern in ("Noto Sans CJK SC", "sans-serif:lang=zh-cn"):
        found = subprocess.run(["fc-match", "-f", "%{file}|%{family}", pattern], env={**os.environ, **env},
                               capture_output=True, text=True, check=True, timeout=120).stdout
        assert Path(found.split("|")[0]).resolve() == fonts.cjk_font_path().resolve(), found
        assert "Noto Sans CJK SC" in found


async def test_dashboard_command_sends_a_photo(web_box: Sandbox, db: Database) -> None:
    await seed(db)
    calls = await send_and_deliver(web_box, STAFF, "/dashboard")
    photos = [c for c in calls if c.method == "sendPhoto"]
    assert len(photos) == 1
    image = Image.open(io.BytesIO(next(iter(photos[0].files.values()))))
    assert image.format == "PNG" and image.width == 1000 and image.height >= 850
    manager_calls = await send_and_deliver(web_box, User(800001, "Manager"), "/dashboard")
    assert not [c for c in manager_calls if c.method == "sendPhoto"]


def test_dashboard_without_any_data_keeps_its_layout() -> None:
    """A new network (no submissions, no ratings) still gets a readable chart, not a collapsed layout."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = dashboard_png({}, [], 2027, translator("en"), {})
    assert Image.open(io.BytesIO(png)).size == (1000, 850)
