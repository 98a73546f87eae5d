"""Browser tests: whether they can run here (the pytest header reports it loudly, like the PostgreSQL leg)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")


def browser_available() -> bool:
    return CHROMIUM.exists() and importlib.util.find_spec("playwright") is not None


def browser_status() -> str:
    if browser_available():
        return "Browser tests: ON (headless /usr/bin/chromium via playwright)"
    return ("Browser tests: *** OFF *** — /usr/bin/chromium or the playwright package is missing; "
            "tests/browser is SKIPPED (apt-get install chromium; pip install playwright)")
