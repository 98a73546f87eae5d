"""Test support for the form engine: fixture choice lists, a fixed today, and a driver that types and taps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from conversations.engine import DraftState, FormContext, Outcome, handle, start
from conversations.formspec import FieldSpec, FormSpec
from conversations.types import ButtonInput, CommandInput, FileInput, Reply, TextInput
from locales import Raw, Text, translator

TODAY = dt.date(2027, 2, 10)
PROFILES = ("gd-quality", "gd-scst", "wuhan-qis", "guiyang-kczg", "quzhou")

CHOICES: dict[str, list[tuple[str, Text]]] = {
    "change_kinds": [
        ("manager_change", Raw("站长变更")), ("liaison_change", Raw("联络人变更")),
        ("host_rename", Raw("依托单位更名")), ("address_change", Raw("地址变更")), ("phone_change", Raw("电话变更")),
    ],
    "activity_types": [("training", Raw("人才培训")), ("consulting", Raw("咨询论证")), ("tackling", Raw("技术攻关"))],
    "budget_categories": [("travel", Raw("专家差旅费")), ("meeting", Raw("会议费"))],
    "phases": [("prep", Raw("筹备")), ("delivery", Raw("实施"))],
    "demand_units": [("u1", Raw("佛山某陶瓷有限公司"))],
    "needs": [("5", Raw("窑炉节能"))],
    "experts": [("1", Raw("陈一 (教授)")), ("2", Raw("刘二"))],
    "outcome_fields": [("problems_solved", Raw("解决问题")), ("standards", Raw("制定标准"))],
}


def render_all(out: Outcome) -> list[str]:
    """Render every reply in both locales: catches a T() whose params do not fit its msgid."""
    texts: list[str] = []
    for locale in ("en", "zh_Hans"):
        tr = translator(locale)
        for reply in out.replies:
            texts.append(tr(reply.text))
            texts += [tr(b.text) for row in reply.buttons for b in row]
    return texts


def button_texts(driver: Driver) -> list[str]:
    """The English labels of the latest screen's buttons."""
    tr = translator("en")
    return [tr(b.text) for reply in driver.out.replies for row in reply.buttons for b in row]


def english(reply: Reply) -> str:
    return translator("en")(reply.text)


class Driver:
    """Types, taps and uploads like a user, keeping the latest draft; every reply is rendered."""

    def __init__(self, form: FormSpec, ctx: FormContext, draft_id: int = 7) -> None:
        self.form, self.ctx = form, ctx
        self.out = start(form, ctx, draft_id)
        render_all(self.out)
        assert self.out.draft is not None
        self.draft: DraftState = self.out.draft

    def _feed(self, inp: Any) -> Outcome:
        self.out = handle(self.form, self.draft, inp, self.ctx)
        render_all(self.out)
        if self.out.draft is not None:
            self.draft = self.out.draft
        return self.out

    def text(self, text: str) -> Outcome:
        return self._feed(TextInput(text))

    def command(self, name: str) -> Outcome:
        return self._feed(CommandInput(name))

    def actions(self) -> list[str]:
        return [b.action for reply in self.out.replies for row in reply.buttons for b in row]

    def press(self, op: str) -> Outcome:
        """Press the button with this op on the latest screen (it must be there)."""
        data = f"f:{self.draft.draft_id}:{self.draft.rev}:{op}"
        assert data in self.actions(), f"no button {op!r} in {self.actions()}"
        return self._feed(ButtonInput(data))

    def file(self, name: str = "plan.pdf", mime: str = "application/pdf", size: int = 1000,
             kind: str = "document") -> Outcome:
        return self._feed(FileInput(f"id-{name}", f"u-{name}", name, size, mime, kind))  # type: ignore[arg-type]

    def last(self) -> str:
        return "\n".join(english(r) for r in self.out.replies)


def ctx_for(profile: str) -> FormContext:
    return FormContext(today=TODAY, profile_id=profile, choices=CHOICES)


def single(spec: dict[str, Any]) -> FormSpec:
    """A one-question form (plus a closing question) to exercise one field type in isolation."""
    fields = (FieldSpec.model_validate({"label": "Test question", **spec}),
              FieldSpec(name="last", type="text", label="Last question"))
    return FormSpec(id="t", version=1, title="Test form", fields=fields)
