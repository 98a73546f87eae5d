"""Every registered document kind of every profile: filled in chat, rendered, read back with python-docx.

Table-driven over the registry (``rules/documents.available()``): a kind or a profile template
added later is covered without touching this file. The form is filled through the real
Application; the DOCX is the one the manager received.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import select

from bot.documents import render_docx
from bot.form_context import profile_choices
from bot.handlers.documents import context_for
from conversations.fields import FormContext, is_answered, options
from conversations.formspec import FieldSpec, load_form, relevant_fields
from locales import translator
from rules.documents import available, document_kind, for_submission, template_path
from rules.numerals import to_chinese_capital
from rules.profile import load_profile
from storage.models import SubmissionDocument, SubmissionVersion
from testing.client import Sandbox, User
from testing.outbox_flush import render_pending
from tests.documents.support import (
    TODAY,
    all_text,
    cells,
    fill,
    first_paragraph,
    manager_of,
    markers,
)

ZH = translator("zh_Hans")
CASES = [(profile, kind.id) for profile, kind in available()]


def expected(spec: FieldSpec, value: Any, ctx: FormContext) -> str:
    """What the cell must show, written from the document conventions (not from the renderer)."""
    kind = spec.type
    if kind == "date":
        day = dt.date.fromisoformat(value)
        return f"{day.year}年{day.month}月{day.day}日"
    if kind == "money":
        return f"{Decimal(value):,.2f}"
    if kind in {"choice", "multi_choice"}:
        labels = {cid: ZH(label) for cid, label in options(spec, ctx)}
        picked = value if isinstance(value, list) else [value]
        return labels[picked[0]]
    if kind == "yes_no":
        return "是" if value else "否"
    if kind == "attachment":
        files = value if isinstance(value, list) else [value]
        return files[0]["name"]
    return str(value)


def test_the_registry_covers_every_profile_with_its_kinds() -> None:
    """A change report and a plan for every profile; summaries where the profile asks one (seed 003 has none);
    an application where the profile has an application form; the 备案表 of seed 000 附件1-2."""
    kinds = {(p, k) for p, k in CASES}
    for profile in ("gd-quality", "gd-scst", "wuhan-qis", "guiyang-kczg", "quzhou"):
        spec = load_profile(profile)
        assert (profile, "change_report") in kinds and (profile, "annual_plan") in kinds
        assert ((profile, "annual_summary") in kinds) == (spec.submission("summary") is not None)
        assert ((profile, "application") in kinds) == (spec.application is not None)
    assert [p for p, k in CASES if k == "filing_form"] == ["gd-quality"]


@pytest.mark.parametrize(("profile", "kind_id"), CASES, ids=[f"{p}-{k}" for p, k in CASES])
async def test_document_has_every_answer_in_its_cell_the_total_in_capitals_and_the_stamp_lines(
        sandbox: Sandbox, profile: str, kind_id: str) -> None:
    kind = document_kind(kind_id)
    assert kind is not None
    who = await manager_of(sandbox.services.db, profile, 5101)
    applying = kind.submission_kind == "application"
    user = User(5102, "申请人", "zh-CN") if applying else who.user
    form = load_form(kind.form, profile)
    ctx = FormContext(today=TODAY, profile_id=profile, choices=profile_choices(load_profile(profile)))
    await fill(sandbox, user if applying else who, form, ctx)
    await sandbox.services.background.idle()

    sent = [c for c in await render_pending(sandbox, user.id) if c.method == "sendDocument"]
    assert len(sent) == len(for_submission(kind.submission_kind, profile)), "each document at once after submitting"
    assert all("盖章" in c.text and "扫描件" in c.text for c in sent), [c.text for c in sent]
    async with sandbox.services.db.session() as session:
        doc = (await session.exec(select(SubmissionDocument).where(SubmissionDocument.kind == kind_id))).one()
        answers = (await session.exec(select(SubmissionVersion))).one().answers
        context = await context_for(session, doc, sandbox.services.settings.tz)
    content = next(c.files["document"] for c in sent if c.files["document"] == doc.content)
    assert doc.status == "sent" and doc.filename.endswith(".docx")

    template = template_path(profile, kind_id)
    assert template is not None
    where: dict[str, tuple[int, int, int]] = {}
    for position, text in cells(render_docx(template, markers(context))).items():
        for marker in re.findall(r"⟦[^⟧]+⟧", text):
            where.setdefault(marker, position)
    real = cells(content)
    checked = 0
    for spec in relevant_fields(form, answers):
        value = answers.get(spec.name)
        if not is_answered(value):
            continue
        if spec.type == "repeat":
            for i, row in enumerate(value):
                for sub in spec.fields:
                    marker = f"⟦rows.{spec.name}.{i}.{sub.name}⟧"
                    if is_answered(row.get(sub.name)) and (kind.all_answers or marker in where):
                        cell = real[where[marker]]
                        assert expected(sub, row[sub.name], ctx) in cell, (spec.name, i, sub.name, cell)
                        checked += 1
            money = [sub.name for sub in spec.fields if sub.type == "money"]
            if money:
                total = sum(Decimal(r[money[0]]) for r in value)
                capitals = [c for c in real.values() if "人民币大写" in c]
                assert capitals and all(to_chinese_capital(total) in c for c in capitals), (total, capitals)
                assert all(f"{total:,.2f}" in c for c in capitals)
            continue
        marker = f"⟦box.{spec.name}⟧" if f"⟦box.{spec.name}⟧" in where else f"⟦f.{spec.name}⟧"
        if not kind.all_answers and marker not in where:
            continue  # a form the society completes: only some answers have a cell (seed 000 附件1-2)
        cell = real[where[marker]]
        want = expected(spec, value, ctx)
        if marker.startswith("⟦box"):
            assert f"☑{want}" in cell and cell.count("☑") == (len(value) if isinstance(value, list) else 1), cell
        else:
            for line in want.splitlines():
                assert line in cell, (spec.name, line, cell)
        checked += 1
    assert checked >= 4, "the form was filled and its answers found"

    text = all_text(content)
    assert any(words in first_paragraph(content) for words in kind.title_contains), first_paragraph(content)
    assert "{{" not in text and "{%" not in text and "⟦" not in text
    assert re.search(r"（[公盖]章）|公章", text), "a stamp line"
    assert re.search(r"年\s+月\s+日", text), "a date line to fill in by hand: 年 月 日"
    assert re.search(r"签[字名章]|负责人", text), "a signature line"
    if not applying:
        assert who.station.host_unit_name in text and who.station.name in text
