"""Which xlsx writer gets a network-sized ledger sheet written: time and peak memory, side by side.

    .venv/bin/python bench/export_writers.py --rows 920000
    .venv/bin/python bench/export_writers.py --rows 2000 --writers xlsxwriter-cells,pyexcelerate

The sheet is the ledger of ``bot/exports.py`` (14 columns and 8 outcome counters, CJK text, two
dates, a date-time, integers and decimals), rows made by a seeded generator so only the writer
differs. Each writer runs in a fresh process, so ``ru_maxrss`` is its own peak; then the file is
opened with openpyxl and the first rows are checked: dates are real dates with a date format,
numbers are numbers (what Excel and WPS need to sort and sum them). Candidates:

* ``xlsxwriter-cells``: constant memory, one ``write_*`` call per cell (what bot/exports.py did);
* ``xlsxwriter-rows``: constant memory, ``write_row`` per row, formats given per column;
* ``pyexcelerate``: the whole sheet given as a list of rows, column styles;
* ``rustpy-xlsxwriter``: the Rust ``rust_xlsxwriter`` behind a Python generator of dict rows.

The non-project writers are not dependencies: ``.venv/bin/pip install pyexcelerate rustpy-xlsxwriter``
before a run (a missing one is reported as such).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HEADERS = ["编号", "工作站", "日期", "结束日期", "活动类型", "标题", "专家", "专家人数", "省外专家", "专家天数",
           "参与人数", "服务需求单位", "附件", "登记时间"] + [f"成果{i}" for i in range(1, 9)]
DATE_COLUMNS = (2, 3)
DATETIME_COLUMN = 13
DECIMAL_COLUMN = 9
TYPES = ["质量培训与咨询", "标准宣贯", "检验检测服务", "计量服务", "品牌建设"]
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
WRITERS = ("xlsxwriter-cells", "xlsxwriter-rows", "pyexcelerate", "rustpy-xlsxwriter")


def ledger_rows(n: int, seed: int = 1) -> Iterator[list[Any]]:
    """Rows shaped like the export's ledger rows (local times already applied, as the export does)."""
    rnd = random.Random(seed)
    first = dt.date(2026, 1, 1)
    for i in range(1, n + 1):
        day = first + dt.timedelta(days=rnd.randrange(365))
        outcomes: list[Any] = [rnd.randrange(20) if rnd.random() < 0.4 else None for _ in range(8)]
        yield [i, f"第{rnd.randrange(10000)}号质量服务工作站", day, day + dt.timedelta(days=rnd.randrange(3)),
               TYPES[i % len(TYPES)], f"面向企业的质量提升活动 {i}", "陈一、王五", rnd.randrange(1, 6),
               rnd.randrange(3), rnd.randrange(1, 20) / 2, rnd.randrange(5, 80), "是" if i % 3 else "否",
               rnd.randrange(3), dt.datetime.combine(day, dt.time(9, rnd.randrange(60))), *outcomes]


def write_xlsxwriter(path: Path, rows: int, per_row: bool) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": str(path.parent)})
    base = {"font_name": "Microsoft YaHei", "font_size": 10}
    text, header = book.add_format(base), book.add_format({**base, "bold": True})
    date, stamp = book.add_format({**base, "num_format": "yyyy-mm-dd"}), book.add_format(
        {**base, "num_format": "yyyy-mm-dd hh:mm"})
    number = book.add_format({**base, "num_format": "0.##"})
    sheet = book.add_worksheet("台账")
    formats = [number, text, date, date, text, text, text, number, number, number, number, text, number, stamp]
    formats += [number] * 8
    for col, fmt in enumerate(formats):
        sheet.set_column(col, col, 12, fmt)  # a cell written without a format takes its column's
    sheet.write_row(0, 0, HEADERS, header)
    epoch = dt.date(1899, 12, 30)
    for r, values in enumerate(ledger_rows(rows), start=1):
        if per_row:
            values[2] = (values[2] - epoch).days
            values[3] = (values[3] - epoch).days
            stamp_value = values[DATETIME_COLUMN]
            values[DATETIME_COLUMN] = (stamp_value.date() - epoch).days + (
                stamp_value.hour * 3600 + stamp_value.minute * 60) / 86400
            sheet.write_row(r, 0, values)
            continue
        for col, value in enumerate(values):
            kind = type(value)
            if kind is str:
                sheet.write_string(r, col, value, text)
            elif kind is int or kind is float:
                sheet.write_number(r, col, value, number)
            elif value is None:
                continue
            elif kind is dt.date:
                sheet.write_number(r, col, (value - epoch).days, date)
            else:
                sheet.write_number(r, col, (value.date() - epoch).days + (value.hour * 3600 + value.minute * 60)
                                   / 86400, stamp)
    book.close()


def write_pyexcelerate(path: Path, rows: int) -> None:
    from pyexcelerate import Font, Format, Style, Workbook

    book = Workbook()
    data: list[list[Any]] = [HEADERS, *ledger_rows(rows)]
    sheet = book.new_sheet("台账", data=data)
    font = Font(family="Microsoft YaHei", size=10)
    for col in DATE_COLUMNS:
        sheet.set_col_style(col + 1, Style(font=font, format=Format("yyyy-mm-dd")))
    sheet.set_col_style(DATETIME_COLUMN + 1, Style(font=font, format=Format("yyyy-mm-dd hh:mm")))
    book.save(str(path))


def write_rustpy(path: Path, rows: int) -> None:
    from rustpy_xlsxwriter import FastExcel, Format

    def records() -> Iterator[dict[str, Any]]:
        for values in ledger_rows(rows):
            yield dict(zip(HEADERS, values, strict=True))

    def fmt(num_format: str | None = None) -> Any:
        f = Format().set_font_name("Microsoft YaHei").set_font_size(10)
        return f.set_num_format(num_format) if num_format else f

    formats = [fmt("yyyy-mm-dd") if col in DATE_COLUMNS else fmt() for col in range(len(HEADERS))]
    formats[DATETIME_COLUMN], formats[DECIMAL_COLUMN] = fmt("yyyy-mm-dd hh:mm"), fmt("0.##")
    (FastExcel(str(path), columns=HEADERS)
     .format(datetime_format="yyyy-mm-dd hh:mm", float_format="0.##", bold_headers=True)
     .freeze(row=1)
     .sheet("台账", records(), column_formats=formats, column_width=12).save())


def run_one(writer: str, rows: int, out: Path) -> dict[str, Any]:
    started = time.perf_counter()
    if writer.startswith("xlsxwriter"):
        write_xlsxwriter(out, rows, per_row=writer == "xlsxwriter-rows")
    elif writer == "pyexcelerate":
        write_pyexcelerate(out, rows)
    else:
        write_rustpy(out, rows)
    seconds = time.perf_counter() - started
    return {"writer": writer, "rows": rows, "seconds": round(seconds, 1), "rows_per_s": round(rows / seconds),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "bytes": out.stat().st_size, **check(out)}


def check(path: Path) -> dict[str, Any]:
    """Dates are dates with a date format, numbers are numbers: the first three data rows, read back."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    sheet = book.worksheets[0]
    problems: list[str] = []
    for row in sheet.iter_rows(min_row=2, max_row=4):
        for col in (*DATE_COLUMNS, DATETIME_COLUMN):
            cell = row[col]
            if not isinstance(cell.value, dt.datetime) or "yy" not in str(cell.number_format):
                problems.append(f"{cell.coordinate}: {cell.value!r} {cell.number_format!r}")
        for col in (0, 7, DECIMAL_COLUMN, 10):
            if not isinstance(row[col].value, int | float):
                problems.append(f"{row[col].coordinate}: {row[col].value!r} is not a number")
    book.close()
    return {"dates_and_numbers_ok": not problems, "problems": problems[:4]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=920_000)
    parser.add_argument("--writers", default=",".join(WRITERS))
    parser.add_argument("--one", help=argparse.SUPPRESS)  # the child process: run this writer only
    args = parser.parse_args()
    if args.one:
        with tempfile.TemporaryDirectory(prefix="bench-writers-") as tmp:
            print(json.dumps(run_one(args.one, args.rows, Path(tmp) / "ledger.xlsx")))
        return
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores, load average {os.getloadavg()}")
    results = []
    for writer in args.writers.split(","):
        child = subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--one", writer],
                               capture_output=True, text=True)
        if child.returncode != 0:
            results.append({"writer": writer, "error": child.stderr.strip().splitlines()[-1:]})
        else:
            results.append(json.loads(child.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), flush=True)
    print("| writer | rows | seconds | rows/s | peak RSS MB | file MB | real dates and numbers |\n|---|---|---|---|---|---|---|")
    for r in results:
        if "error" in r:
            print(f"| {r['writer']} | – | failed: {r['error']} | | | | |")
            continue
        print(f"| {r['writer']} | {r['rows']:,} | {r['seconds']} | {r['rows_per_s']:,} | {r['peak_rss_mb']} | "
              f"{r['bytes'] / 1e6:.0f} | {'yes' if r['dates_and_numbers_ok'] else 'no: ' + '; '.join(r['problems'])} |")


if __name__ == "__main__":
    main()
