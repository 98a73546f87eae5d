"""The manual-rows score sheet as xlsx: written for staff to fill in, read back for the import.

Columns are fixed (A station id, B station, C row id, D row, E maximum, F points) so that a sheet
filled in on a phone or in WPS reads back the same; ids, not names, say which station and row.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import xlsxwriter

from locales import T, Translator, render
from rules.manual_scores import SheetRow, manual_items
from rules.profile import load_profile
from storage.models import Station

MAX_SHEET_BYTES = 2 * 1024 * 1024
MAX_SHEET_ROWS = 5000


def write_sheet(stations: Sequence[Station], scored: dict[int, dict[str, float]], tr: Translator) -> bytes:
    """One row per station and manual row, with the points already given filled in."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    sheet = book.add_worksheet(render(T("Score sheet"), tr)[:31])
    titles = (T("Station id"), T("Station"), T("Row id"), T("Row"), T("Maximum points"), T("Points"))
    for column, (title, width) in enumerate(zip(titles, (10, 36, 16, 30, 10, 10), strict=True)):
        sheet.set_column(column, column, width)
        sheet.write_string(0, column, render(title, tr), header)
    sheet.freeze_panes(1, 0)
    line = 0
    for station in stations:
        assert station.id is not None
        for item in manual_items(load_profile(station.policy_profile)):
            line += 1
            sheet.write_number(line, 0, station.id)
            sheet.write_string(line, 1, station.name)
            sheet.write_string(line, 2, item.id)
            sheet.write_string(line, 3, render(T(item.label), tr))
            sheet.write_number(line, 4, float(item.max_points or 0))
            given = scored.get(station.id, {}).get(item.id)
            if given is not None:
                sheet.write_number(line, 5, given)
    book.close()
    return output.getvalue()


class SheetUnreadable(ValueError):
    """Not an xlsx workbook (or too big to be a score sheet)."""


def read_sheet(content: bytes) -> list[SheetRow]:
    """The data rows of the first sheet (line numbers as Excel shows them); blank rows skipped."""
    from openpyxl import load_workbook

    if len(content) > MAX_SHEET_BYTES:
        raise SheetUnreadable("too big")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException ... for a non-workbook
        raise SheetUnreadable(str(exc)) from exc
    try:
        sheet = book.worksheets[0]
        rows: list[SheetRow] = []
        for line, values in enumerate(sheet.iter_rows(min_row=2, max_col=6, values_only=True), start=2):
            cells = list(values) + [None] * (6 - len(values))
            if all(cell in (None, "") for cell in cells):
                continue
            if len(rows) >= MAX_SHEET_ROWS:
                raise SheetUnreadable("too many rows")
            rows.append(SheetRow(line, cells[0], cells[2], cells[4], cells[5]))
        return rows
    finally:
        book.close()
