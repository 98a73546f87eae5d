"""What the kept PDFs save: a round's assessment tables converted once, then read back, side by side.

    .venv/bin/python bench/round_zip_pdfs.py --tables 40

Renders quzhou's 《绩效考核表》 for ``--tables`` stations (each with its own name, so every DOCX differs),
then asks ``bot.documents.kept_pdfs_of`` for their PDFs twice against a scratch SQLite database:
the first call converts (LibreOffice, ``PDF_BATCH`` files a run), the second finds them all kept.
Wall time and CPU time (this process, and its children: LibreOffice) for each, with the machine and load.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import resource
import subprocess
import tempfile
import time
from pathlib import Path

from bot.documents import PDF_BATCH, kept_pdfs_of, render_docx, soffice
from rules.documents import template_path
from storage.db import Database


def cpu() -> tuple[float, float]:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


async def timed(db: Database, files: dict[str, bytes]) -> tuple[float, float, float, int, str]:
    clock = lambda: dt.datetime.now(dt.UTC)  # noqa: E731
    own, children, start = *cpu(), time.perf_counter()
    made = await kept_pdfs_of(db, files, clock)
    own2, children2 = cpu()
    return time.perf_counter() - start, own2 - own, children2 - children, len(made.files), made.reason


def cpu_model() -> str:
    found = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    return next((line.split(":", 1)[1].strip() for line in found.splitlines() if line.startswith("Model name")), "?")


async def main(tables: int) -> None:
    template = template_path("quzhou", "assessment_table")
    assert template is not None and soffice(), "needs the quzhou template and LibreOffice"
    files = {f"{n}-考核表.docx": render_docx(template, {"station": {"name": f"衢州学会服务站{n}"}, "p": {}, "c": {},
                                                     "round": {"period": "2026年度"}, "total": "86.5"})
             for n in range(tables)}
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, PDF_BATCH {PDF_BATCH}")
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        await db.upgrade()
        for label in ("first zip (converts)", "second zip (kept)"):
            load = os.getloadavg()[0]
            wall, own, children, count, reason = await timed(db, files)
            print(f"{label}: {count}/{tables} PDFs, wall {wall:.2f} s, CPU {own:.2f} s here + {children:.2f} s "
                  f"LibreOffice, load {load:.1f}{', ' + reason if reason else ''}")
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tables", type=int, default=40)
    asyncio.run(main(parser.parse_args().tables))
