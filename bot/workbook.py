"""The export's xlsx writer: Rust's ``rust_xlsxwriter`` (package rustpy-xlsxwriter) fed by row iterators.

Chosen by the numbers (bench/RESULTS.md, 2026-11-27 session 2, section 3): about 8x xlsxwriter in
constant-memory mode at the same constant memory. It takes every sheet as an iterator of rows and
writes the whole workbook in one ``save()``, pulling rows as it goes, so a sheet is never held whole.

Every cell format names a CJK-capable font; numbers stay numbers in Excel's ``General`` format (``0.##``
showed a whole number as "1." in Excel and WPS), dates are real dates
with a date format, times are local to the deployment's ``TIMEZONE``; headers are bold on a fill,
the header row is frozen, each column has its width.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain
from typing import Any, BinaryIO

from rustpy_xlsxwriter import FastExcel, Format

CJK_FONT = "Microsoft YaHei"  # shipped with every Chinese Windows; LibreOffice maps it to Noto Sans CJK
NUM_FORMATS = {"number": "General", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}
PROGRESS_EVERY = 1000  # rows between two progress reports


class Progress:
    """Rows written out of the rows to write (the ledger's and the ratings'), for a "preparing…" page.

    The two counters may be shared memory (``multiprocessing.Value``) that a child process writes and
    the bot reads; a plain export counts in plain integers.
    """

    def __init__(self, done: Any = None, total: Any = None) -> None:
        self.done = done if done is not None else _Count()
        self.total = total if total is not None else _Count()

    def start(self, total: int) -> None:
        self.total.value, self.done.value = total, 0

    def add(self, rows: int) -> None:
        self.done.value += rows

    def percent(self) -> int | None:
        """Whole per cent written, None before the total is known."""
        total = self.total.value
        return min(100, self.done.value * 100 // total) if total > 0 else None


class _Count:
    value = 0


@dataclass
class Sheet:
    """One worksheet: titles, each column's kind (text, number, date, datetime) and width, and its rows.

    ``rows`` may be a generator: the writer pulls it while writing. ``counted`` rows report progress.
    ``batches`` (the big sheets) instead gives rows ready for the writer, a list at a time: dicts keyed
    by ``sheet_keys(headers)``, times already local (``local_time``), numbers already numbers; a batch is
    built in one comprehension, not row by row through this module.
    """

    name: str
    headers: Sequence[str]
    kinds: Sequence[str]
    widths: Sequence[int]
    rows: Iterable[Sequence[Any]] = ()
    counted: bool = False
    batches: Iterable[list[dict[str, Any]]] | None = None


def _format(kind: str) -> Format:
    base = Format().set_font_name(CJK_FONT).set_font_size(10)
    return base.set_num_format(NUM_FORMATS[kind]) if kind in NUM_FORMATS else base


def unique_keys(headers: Sequence[str]) -> list[str]:
    """Rows are dicts keyed by title: two columns with one title get distinct keys (the second one ``Title (2)``)."""
    keys: list[str] = []
    for title in headers:
        key, n = title, 1
        while key in keys:
            n += 1
            key = f"{title} ({n})"
        keys.append(key)
    return keys


def sheet_keys(headers: Sequence[str]) -> list[str]:
    """The keys of a sheet's row dicts: its titles as the writer takes them (cut to 255), made distinct."""
    return unique_keys([title[:255] for title in headers])


def local_time(tz: dt.tzinfo) -> Callable[[Any], Any]:
    """A stored time (aware, or naive in UTC as SQLite keeps it) as the local wall time the sheet shows.

    ``astimezone`` through a zone costs microseconds, a million times in a network's ledger; a naive
    UTC time instead adds its hour's offset, looked up once per hour of the year (an hour the offset
    changes within is converted the long way).
    """
    utc = dt.UTC
    offsets: dict[int, dt.timedelta | None] = {}
    last_second = dt.timedelta(seconds=3599, microseconds=999999)

    def exact(value: dt.datetime) -> dt.datetime:
        aware = value if value.tzinfo is not None else value.replace(tzinfo=utc)
        return aware.astimezone(tz).replace(tzinfo=None)

    def convert(value: Any) -> Any:
        if type(value) is not dt.datetime:
            return value
        if value.tzinfo is not None:
            return exact(value)
        hour = value.toordinal() * 24 + value.hour
        if hour not in offsets:
            start = value.replace(minute=0, second=0, microsecond=0, tzinfo=utc)
            first, last = start.astimezone(tz).utcoffset(), (start + last_second).astimezone(tz).utcoffset()
            offsets[hour] = first if first == last else None
        offset = offsets[hour]
        return value + offset if offset is not None else exact(value)

    return convert


def _batches(sheet: Sheet, batches: Iterable[list[dict[str, Any]]],
             report: Callable[[int], None] | None) -> Iterator[list[dict[str, Any]]]:
    """The batches, each counted once the writer has taken all its rows; an empty sheet keeps its titles."""
    written = 0
    for batch in batches:
        if batch:
            yield batch
            written += len(batch)
            if report is not None and sheet.counted:
                report(len(batch))
    if written == 0:  # no row at all: one empty row (not written) tells the writer the titles
        yield [dict.fromkeys(sheet_keys(sheet.headers))]


def _records(sheet: Sheet, tz: dt.tzinfo, report: Callable[[int], None] | None) -> Iterator[dict[str, Any]]:
    """The sheet's rows as dicts; times to local wall time, decimals to floats; an empty sheet keeps its titles.

    Batches are flattened by ``itertools.chain`` in C: no Python runs between two rows of a batch.
    """
    if sheet.batches is not None:
        return chain.from_iterable(_batches(sheet, sheet.batches, report))
    return _rows(sheet, tz, report)


def _rows(sheet: Sheet, tz: dt.tzinfo, report: Callable[[int], None] | None) -> Iterator[dict[str, Any]]:
    keys = sheet_keys(sheet.headers)
    times = [i for i, kind in enumerate(sheet.kinds) if kind == "datetime"]
    # The big (counted) sheets build their number cells themselves; checking each would cost seconds there.
    numbers = [] if sheet.counted else [i for i, kind in enumerate(sheet.kinds) if kind == "number"]
    local = local_time(tz)
    count = 0
    for row in sheet.rows:
        values = list(row)
        for i in times:
            values[i] = local(values[i])
        for i in numbers:
            if type(values[i]) is Decimal:
                values[i] = float(values[i])
        count += 1
        if report is not None and sheet.counted and count % PROGRESS_EVERY == 0:
            report(PROGRESS_EVERY)
        yield dict(zip(keys, values, strict=False))
    if report is not None and sheet.counted:
        report(count % PROGRESS_EVERY)
    if count == 0:  # no row at all: one empty row (not written) tells the writer the titles
        yield dict.fromkeys(keys)


def write_workbook(target: str | BinaryIO, sheets: Sequence[Sheet], tz: dt.tzinfo,
                   report: Callable[[int], None] | None = None) -> None:
    """Write every sheet in order; ``report(n)`` is called as counted rows are written (progress)."""
    header = (Format().set_font_name(CJK_FONT).set_font_size(10).set_bold().set_background_color("#DDEBF7")
              .set_border("thin"))
    book = FastExcel(target).format(datetime_format=NUM_FORMATS["datetime"], float_format=NUM_FORMATS["number"])
    book.freeze(row=1)
    for sheet in sheets:
        book.sheet(sheet.name[:31], _records(sheet, tz, report), column_formats=[_format(k) for k in sheet.kinds],
                   column_widths=[float(w) for w in sheet.widths], header_format=header)
    book.save()
