"""Reading a console page's tables as text cells, so tests check the numbers and not only that a page renders."""

from __future__ import annotations

import html
import re


def table_rows(page: str, table_id: str) -> list[list[str]]:
    """The rows (header row included) of ``<table id="table_id">`` as lists of cell texts, tags removed."""
    found = re.search(rf'<table id="{re.escape(table_id)}">(.*?)</table>', page, re.S)
    assert found is not None, f"no table {table_id!r} on the page"
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells])
    return rows


def row_of(page: str, table_id: str, first_cell: str) -> list[str]:
    """The row whose first cell contains ``first_cell``."""
    rows = [r for r in table_rows(page, table_id) if r and first_cell in r[0]]
    assert len(rows) == 1, f"{first_cell!r} in {table_rows(page, table_id)}"
    return rows[0]
