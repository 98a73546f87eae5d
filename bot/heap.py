"""Keep what start-up built out of the garbage collector's full passes.

The bot, the profiles, the catalogs, the templates and the web app are a quarter of a million objects that
live as long as the process. Every full collection (generation 2) walked all of them: on the staff console's
overview, whose requests allocate thousands of rows, one request in eight paid for a full pass, and its p95
was that pass (``bench/results/session3-console.md``: 1.08 s → 0.49 s wall, 287 → 116 ms CPU). Freezing them
once, after start-up, is what ``gc.freeze`` is for; garbage made later is collected as before.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> int:
    """Collect once, then move every object alive now to the permanent generation; returns how many."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
