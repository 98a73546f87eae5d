"""``bot.heap``: start-up objects leave the collector's full passes (the console's p95 was those passes)."""

from __future__ import annotations

import gc

from bot.heap import freeze_startup_heap


def test_start_up_objects_are_frozen_and_later_garbage_is_still_collected() -> None:
    try:
        assert freeze_startup_heap() > 1000
        assert gc.get_freeze_count() > 1000

        class Node:
            other: object = None

        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle made after start-up
        del a, b
        assert gc.collect() >= 2, "garbage made after the freeze is still collected"
    finally:
        gc.unfreeze()
