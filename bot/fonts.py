"""Where the Chinese (CJK) font comes from, for charts and for external programs (LibreOffice, Chromium).

Chinese labels drawn without a CJK font come out as empty boxes (tofu). The font arrives with
``pip install`` (the ``noto-cjk-sans-otc`` package: Noto Sans CJK, whose collection includes the
Simplified-Chinese face), so no system package is needed. Order: ``STATIONBOT_CJK_FONT`` (a
``.ttc/.otf/.ttf`` file; an explicit setting that points nowhere is an error, not silently skipped),
then a system Noto Sans CJK when one is installed, then the pip-installed one.
"""

from __future__ import annotations

import os
from pathlib import Path
from xml.sax.saxutils import escape

FAMILY = "Noto Sans CJK SC"
"""The Simplified-Chinese face's family name (the same in the pip font and Debian's fonts-noto-cjk)."""

SYSTEM_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
)


class MissingCJKFont(RuntimeError):
    pass


def _pip_font() -> Path | None:
    try:
        import noto_cjk_sans_otc
    except ImportError:
        return None
    path = Path(str(noto_cjk_sans_otc.FONT_PATH))
    return path if path.is_file() else None


def cjk_font_path() -> Path:
    """The CJK font file to use (see the module docstring for the order)."""
    configured = os.environ.get("STATIONBOT_CJK_FONT", "")
    if configured:
        if not Path(configured).is_file():
            raise MissingCJKFont(f"STATIONBOT_CJK_FONT is {configured!r}, which is not a font file: "
                                 "point it at a .ttc/.otf/.ttf file, or unset it to use the bundled Noto Sans CJK")
        return Path(configured)
    for candidate in SYSTEM_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    bundled = _pip_font()
    if bundled is None:
        raise MissingCJKFont("no CJK font found: the `noto-cjk-sans-otc` package is missing from this "
                             "environment (reinstall stationbot with pip) and no system Noto Sans CJK is installed")
    return bundled


FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{folder}</dir>
  <cachedir>{cache}</cachedir>
  <alias><family>sans-serif</family><prefer><family>{family}</family></prefer></alias>
  <alias><family>serif</family><prefer><family>{family}</family></prefer></alias>
</fontconfig>
"""


def fontconfig_env(tmpdir: Path) -> dict[str, str]:
    """Write a fonts.conf in ``tmpdir`` that adds the CJK font's folder to the system configuration and
    prefers it for sans-serif/serif; return the environment a LibreOffice or Chromium subprocess needs
    (merge it into ``os.environ``) so it finds the font without any system font package."""
    folder = cjk_font_path().resolve().parent
    tmpdir.mkdir(parents=True, exist_ok=True)
    conf = tmpdir / "fonts.conf"
    conf.write_text(FONTS_CONF.format(folder=escape(str(folder)), cache=escape(str(tmpdir / "fontconfig-cache")),
                                      family=FAMILY), encoding="utf-8")
    return {"FONTCONFIG_FILE": str(conf)}
