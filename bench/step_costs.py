"""CPU time of each kind of form step, one update at a time (no other chat in flight).

Why beside ``conversation_throughput.py``: on the shared 2 cores the throughput run's figures move
with the neighbours' load and with the bound on chats in flight. Here N managers fill the /log form
one after another through the real Application (concurrent mode, nothing overlapping), and each
update's process CPU time is kept by its position in the script, so the opening step (``/log``),
the plain steps and the submit step are seen apart. Minimum and median over the managers are
given: the minimum is the least disturbed by the neighbours.

    .venv/bin/python bench/step_costs.py --users 40
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import Sizes, fresh_database, manager_id, populate
from bench.harness import ACTIVITY_SCRIPT, Updates, button_data, start_stationbot, stop

WARM_UP = 2  # the first managers pay for first-time compilation of statements and templates


async def measure(users: int, workdir: Path) -> dict[str, float]:
    path = workdir / f"step-costs-{os.getpid()}.db"
    path.unlink(missing_ok=True)
    url = f"sqlite+aiosqlite:///{path}"
    db = await fresh_database(url)
    await populate(db, Sizes(stations=users, language="en", profile="gd-quality"))
    driver = await start_stationbot(url, mode="concurrent", db=db)
    per_step: list[list[float]] = [[] for _ in ACTIVITY_SCRIPT]
    try:
        for index in range(1, users + 1):
            uid = manager_id(index)
            for position, (kind, value) in enumerate(ACTIVITY_SCRIPT):
                text = value.format(n=index)
                message = driver.api.newest.get(uid)
                payload = (Updates.message(uid, text) if kind == "send"
                           else Updates.callback(uid, button_data(message, text), message))
                began = time.process_time()
                await driver.feed(payload)
                if index > WARM_UP:
                    per_step[position].append(time.process_time() - began)
    finally:
        await stop(driver)
        path.unlink(missing_ok=True)
    last = len(ACTIVITY_SCRIPT) - 1
    forms = [sum(step[k] for step in per_step) for k in range(len(per_step[0]))]
    plain = [statistics.fmean(per_step[p][k] for p in range(1, last)) for k in range(len(per_step[0]))]
    ms = 1000.0
    return {"form_min_ms": min(forms) * ms, "form_median_ms": statistics.median(forms) * ms,
            "plain_min_ms": min(plain) * ms, "plain_median_ms": statistics.median(plain) * ms,
            "open_min_ms": min(per_step[0]) * ms, "open_median_ms": statistics.median(per_step[0]) * ms,
            "submit_min_ms": min(per_step[last]) * ms, "submit_median_ms": statistics.median(per_step[last]) * ms,
            "mean_per_step_ms": statistics.fmean(forms) / len(ACTIVITY_SCRIPT) * ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--workdir", type=Path, default=Path(__file__).resolve().parent / "data")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    found = asyncio.run(measure(max(args.users, WARM_UP + 1), args.workdir))
    print(" ".join(f"{name}={value:.2f}" for name, value in found.items()))


if __name__ == "__main__":
    main()
