"""Fill any registered form through the real Application, and read a rendered DOCX back.

The filler answers whatever question the stored draft is at, by field type, with values the
test can find again in the document (unique texts, two budget rows with a known total, ...).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
from dataclasses import dataclass
from typing import Any

import pytest
from docx import Document
from sqlmodel import select

from bot.handlers.forms import FORM_COMMANDS
from conversations.engine import DraftState
from conversations.fields import default_value
from conversations.fields.base import FormContext
from conversations.fields.text import CREDIT_EXAMPLE
from conversations.formspec import FieldSpec, FormSpec
from storage.db import Database
from storage.models import Draft, Person, Role, Society, Station
from testing.client import Sandbox, User

AMOUNTS = ("1234.50", "2000.25")
PHONE = "13812345678"
TODAY = dt.date(2027, 2, 1)
STARTERS = {form: f"/{command}" for command, form in FORM_COMMANDS.items()}


def text_answer(spec: FieldSpec, row: int | None = None) -> str:
    where = spec.name if row is None else f"{spec.name}{row}"
    if spec.type == "long_text":
        return f"第一行答案{where}\n第二行答案{where}"
    return f"答案{where}"


@dataclass
class Manager:
    user: User
    station: Station
    person: Person


async def manager_of(db: Database, profile: str, user_id: int) -> Manager:
    """A station with every field a document shows, and its manager (Chinese)."""
    async with db.session() as session:
        society = Society(name=f"某某学会{user_id}", level="provincial")
        session.add(society)
        await session.flush()
        station = Station(name=f"测试服务站{user_id}", policy_profile=profile, region="佛山", society_id=society.id,
                          host_unit_name="佛山某某科技有限公司", host_unit_credit_code=CREDIT_EXAMPLE,
                          approval_number="粤科协站〔2027〕12号", founded_on=dt.date(2025, 6, 1))
        session.add(station)
        await session.flush()
        user = User(user_id, "站长", "zh-CN")
        person = Person(telegram_user_id=user.id, chat_id=user.id, name="王站长", role=Role.manager,
                        station_id=station.id, language="zh_Hans")
        session.add(person)
        await session.commit()
        return Manager(user, station, person)


async def _draft(box: Sandbox, user: User) -> Draft | None:
    async with box.services.db.session() as session:
        query = select(Draft).join(Person, Draft.person_id == Person.id).where(Person.telegram_user_id == user.id)  # type: ignore[arg-type]
        return (await session.exec(query)).first()


async def open_form(box: Sandbox, user: User, form: FormSpec, profile: str, station_id: int | None) -> None:
    """A manager's form by its command; an application by the link staff publish; a rectification report
    by /rectify once staff confirmed a rectification (here written directly, as a round would)."""
    if form.id in STARTERS:
        await box.send(user, STARTERS[form.id])
        return
    if form.id in {"efficiency_report", "self_check"}:
        await box.send(user, "/start")
        last = box.api.last_message(user.id) or {}
        await box.press_data(user, f"du:{form.id}", last)  # the duty's button, as /status offers it
        return
    if form.id == "rectification_report":
        from storage.models import Consequence

        async with box.services.db.session() as session:
            session.add(Consequence(station_id=station_id or 0, action="rectification", article="seed 000 第十六条",
                                    status="confirmed", due_on=TODAY + dt.timedelta(days=60)))
            await session.commit()
        await box.send(user, "/rectify")
        return
    assert form.id == "station_application", f"no way to open form {form.id}: add it to open_form"
    from tests.conftest import STAFF

    await box.send(STAFF, "/start")
    match = re.search(r"start=([A-Za-z0-9_-]+)", "\n".join(c.text for c in await box.send(STAFF, f"/apply_link {profile}")))
    assert match is not None
    await box.send(user, f"/start {match.group(1)}")


async def fill(box: Sandbox, who: Manager | User, form: FormSpec, ctx: FormContext, max_steps: int = 120) -> None:
    """Open the form and answer every question until it is submitted."""
    user = who.user if isinstance(who, Manager) else who
    await open_form(box, user, form, ctx.profile_id, who.station.id if isinstance(who, Manager) else None)
    for _ in range(max_steps):
        draft = await _draft(box, user)
        if draft is None:
            return
        state = DraftState.from_json(draft.state)
        op = f"f:{draft.id}:{state.rev}:"
        if state.step == "summary":
            await box.press_data(user, op + "sub")
            continue
        spec = form.field(state.step)
        assert spec is not None, state.step
        sub = next((s for s in spec.fields if s.name == state.ui.get("sub")), None) if spec.type == "repeat" else None
        if spec.type == "repeat" and sub is None:
            rows = len(state.answers.get(spec.name) or [])
            await box.press_data(user, op + ("a" if rows < 2 else "ok"))
            continue
        if spec.type == "attachment":
            if spec.multiple and state.answers.get(spec.name):
                await box.press_data(user, op + "ok")
            else:
                await box.send_document(user, f"附件{spec.name}.pdf")
            continue
        row = len(state.answers.get(spec.name) or []) if sub is not None else None
        await answer(box, user, sub or spec, op, ctx, state, row)
    raise AssertionError(f"form {form.id} not submitted after {max_steps} steps")


async def answer(box: Sandbox, user: User, spec: FieldSpec, op: str, ctx: FormContext, state: DraftState,
                 row: int | None) -> None:
    kind = spec.type
    if kind in {"choice", "yes_no"}:
        await box.press_data(user, op + "c:0")
    elif kind == "multi_choice":
        for index in range(spec.min if isinstance(spec.min, int) and spec.min > 1 else 1):
            draft = await _draft(box, user)
            assert draft is not None
            await box.press_data(user, f"f:{draft.id}:{DraftState.from_json(draft.state).rev}:t:{index}")
        draft = await _draft(box, user)
        assert draft is not None
        await box.press_data(user, f"f:{draft.id}:{DraftState.from_json(draft.state).rev}:ok")
    elif kind == "counters":
        await box.press_data(user, op + "z")
    else:
        await box.send(user, typed(spec, ctx, row))


def typed(spec: FieldSpec, ctx: FormContext, row: int | None) -> str:
    kind = spec.type
    if kind == "integer":
        default = default_value(spec, ctx)
        return str(default if default is not None else 7)
    if kind == "money":
        return AMOUNTS[(row or 0) % len(AMOUNTS)]
    if kind == "date":
        return TODAY.isoformat()
    if kind == "phone":
        return PHONE
    if kind == "email":
        return "zhan@example.com"
    if kind == "credit_code":
        return CREDIT_EXAMPLE
    return text_answer(spec, row)


def cells(content: bytes) -> dict[tuple[int, int, int], str]:
    """Every table cell of a DOCX by (table, row, column)."""
    document = Document(io.BytesIO(content))
    found = {}
    for t, table in enumerate(document.tables):
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row.cells):
                found[(t, r, c)] = cell.text
    return found


def all_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [text for text in cells(content).values()]
    return "\n".join(parts)


def first_paragraph(content: bytes) -> str:
    return next(p.text for p in Document(io.BytesIO(content)).paragraphs if p.text.strip())


def tools_missing() -> list[str]:
    from bot.documents import soffice

    missing = [] if soffice() else ["LibreOffice (soffice)"]
    return missing + [tool for tool in ("pdftotext", "pdftoppm") if shutil.which(tool) is None]


def pdf_tools_header() -> str:
    """The pytest header line: the PDF tests run, or are skipped LOUDLY (and fail under CI=true)."""
    missing = tools_missing()
    if not missing:
        return "Document PDF tests: ON (LibreOffice, pdftotext and pdftoppm found)"
    return (f"Document PDF tests: *** OFF *** — {', '.join(missing)} not installed; PDF tests are SKIPPED "
            "(apt-get install libreoffice-writer-nogui poppler-utils)")


def require_pdf_tools() -> None:
    missing = tools_missing()
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI must run the PDF tests, but {', '.join(missing)} is missing (.ci/run installs them)")
    if missing:
        pytest.skip(f"PDF tests SKIPPED: {', '.join(missing)} not installed")


def markers(context: dict[str, Any]) -> dict[str, Any]:
    """The same context with every answer replaced by ⟦where⟧, to find each answer's cell."""
    marked = dict(context)
    marked["f"] = {name: f"⟦f.{name}⟧" for name in context["f"]}
    marked["box"] = {name: {cid: f"⟦box.{name}⟧" for cid in choices} for name, choices in context["box"].items()}
    marked["rows"] = {name: [{key: (value if key == "n" else f"⟦rows.{name}.{i}.{key}⟧") for key, value in row.items()}
                             for i, row in enumerate(rows)] for name, rows in context["rows"].items()}
    return marked
