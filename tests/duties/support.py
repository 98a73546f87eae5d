"""Fill any duty's form through the real Application, driven by the form's own spec (so a new form needs no test edit)."""

from __future__ import annotations

from typing import Any

from conversations.formspec import FieldSpec, evaluate, load_form
from rules.profile import Profile
from testing.client import Sandbox, User, joined


def first_choice(spec: FieldSpec, profile: Profile) -> str:
    """The label of the field's first choice as an English reader sees it (catalogue labels are msgids)."""
    if spec.choices:
        return spec.choices[0].label
    catalogue = getattr(profile, spec.choices_from or "")
    return str(catalogue[0].label)


async def answer(box: Sandbox, user: User, spec: FieldSpec, profile: Profile, year: int) -> Any:
    """Answer one question the way a manager would; returns the value for ``relevant`` conditions."""
    if not spec.required and spec.type != "attachment":
        await box.press(user, "Skip")
        return None
    if spec.type == "integer":
        if spec.name == "year":
            await box.press(user, str(year))  # the offered year is a button (issue 10 section 5)
            return year
        await box.send(user, "3")
        return 3
    if spec.type in ("text", "long_text"):
        await box.send(user, f"Answer for {spec.name}")
        return f"Answer for {spec.name}"
    if spec.type == "money":
        await box.send(user, "1000")
        return "1000.00"
    if spec.type == "date":
        await box.send(user, f"{year}-04-01" if spec.min_field else f"{year}-03-05")
        return f"{year}-03-05"
    if spec.type == "choice":
        await box.press(user, first_choice(spec, profile))
        return None
    if spec.type == "attachment":
        await box.send_document(user, f"{spec.name}-signed.pdf")
        if spec.multiple:
            await box.press(user, "Done")
        return [f"{spec.name}-signed.pdf"]
    if spec.type == "repeat":
        if spec.min_rows == 0:
            await box.press(user, "Skip")
            return []
        row: dict[str, Any] = {}
        for sub in spec.fields:
            if sub.relevant and not evaluate(sub.relevant, row):
                continue
            row[sub.name] = await answer(box, user, sub, profile, year)
        await box.press(user, "Done")
        return [row]
    raise NotImplementedError(f"the duty test cannot fill a {spec.type} field yet ({spec.name}): teach tests/duties/support.py")


async def fill_and_submit(box: Sandbox, user: User, form_id: str, profile: Profile, year: int) -> str:
    """Answer every relevant question of the open form, then press Submit; returns the bot's answer."""
    form = load_form(form_id, profile.id)
    answers: dict[str, Any] = {}
    for spec in form.fields:
        if spec.relevant and not evaluate(spec.relevant, answers):
            continue
        answers[spec.name] = await answer(box, user, spec, profile, year)
    return joined(await box.press(user, "Submit"))
