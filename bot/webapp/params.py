"""Query and path parameters every staff-API route shares, so one range holds everywhere.

Ids and offsets fit the database's INTEGER columns (PostgreSQL's is 32-bit); years are the
product's years (``rules.calendar``); text filters carry no NUL byte (PostgreSQL refuses them).
Anything else is 422 before a query runs. Route modules added later should use these too.
"""

from __future__ import annotations

from typing import Annotated, TypeVar, overload

from fastapi import HTTPException, Path, Query
from pydantic import AfterValidator
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.calendar import YEAR_MAX, YEAR_MIN
from storage.ids import MAX_INT, db_int

MAX_ID = MAX_INT
Row = TypeVar("Row", bound=SQLModel)


def no_nul(value: str | None) -> str | None:
    if value is not None and "\x00" in value:
        raise ValueError("NUL bytes are not allowed")
    return value


@overload
def form_int(value: str | None, default: int) -> int: ...
@overload
def form_int(value: str | None, default: None = None) -> int | None: ...
def form_int(value: str | None, default: int | None = None) -> int | None:
    """A whole number from a console form or link; anything else (or beyond the database's INTEGER) is "not given".

    The same rule as the bot's button data (``storage.ids.db_int``), negatives allowed.

    A page number of 10**30 must not reach PostgreSQL, which refuses it with an error, not an empty page.
    """
    number = db_int(value, signed=True)
    return number if number is not None else default


Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="rows to skip")]
YearPath = Annotated[int, Path(ge=YEAR_MIN, le=YEAR_MAX, description=f"a year from {YEAR_MIN} to {YEAR_MAX}")]
YearQuery = Annotated[int | None, Query(ge=YEAR_MIN, le=YEAR_MAX, description=f"a year from {YEAR_MIN} to {YEAR_MAX}")]
YearRequired = Annotated[int, Query(ge=YEAR_MIN, le=YEAR_MAX, description=f"a year from {YEAR_MIN} to {YEAR_MAX}")]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
Filter = Annotated[str | None, Query(max_length=200), AfterValidator(no_nul)]


async def row_or_404(session: AsyncSession, model: type[Row], row_id: int, detail: str) -> Row:
    """The row a path's id names, or 404 with ``detail`` (what is missing) before anything else is read."""
    row = await session.get(model, row_id)
    if row is None:
        raise HTTPException(404, detail=detail)
    return row
