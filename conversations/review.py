"""What staff see of a submission and what a manager sees when one is returned (pure)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from conversations.duties import duty_label
from conversations.fields import FormContext, display, is_answered
from conversations.formspec import FormSpec, relevant_fields
from conversations.types import Button, Reply, keyboard
from locales import Join, Raw, T, Text

KIND_LABELS: dict[str, T] = {
    "change_report": T("Change report"),
    "plan": T("Annual work plan"),
    "summary": T("Annual work summary"),
    "application": T("Station application"),
}


def kind_label(kind: str) -> Text:
    """A submission kind's name: the fixed ones above, else the yearly duty's label from the profiles."""
    return KIND_LABELS.get(kind) or duty_label(kind)


UNKNOWN_PERSON = T("(no name)")
STATUS_LABELS: dict[str, T] = {
    "submitted": T("awaiting review"),
    "returned": T("returned for changes"),
    "accepted": T("accepted"),
}


def answers_text(form: FormSpec, answers: Mapping[str, Any], ctx: FormContext) -> list[Text]:
    """Every relevant answer as 'label: value' lines, in form order."""
    lines: list[Text] = []
    for spec in relevant_fields(form, answers):
        value = answers.get(spec.name)
        if not is_answered(value) and not spec.required:
            continue
        lines.append(Join((T("{label}:", label=T(spec.label)), display(spec, value, ctx)), " "))
    return lines


@dataclass(frozen=True)
class Change:
    """One answer that differs between two versions of a submission."""

    label: Text
    old: Text
    new: Text


def answer_changes(form: FormSpec, old: Mapping[str, Any], new: Mapping[str, Any], ctx: FormContext) -> list[Change]:
    """Field by field, in form order: what a resubmission changed (old → new).

    A question that applies under either version counts: when the station changes what the report is
    about, the answers that no longer apply show as skipped on the new side.
    """
    wanted = {f.name for f in relevant_fields(form, old)} | {f.name for f in relevant_fields(form, new)}
    changes: list[Change] = []
    for spec in form.fields:
        if spec.name not in wanted or old.get(spec.name) == new.get(spec.name):
            continue
        if not is_answered(old.get(spec.name)) and not is_answered(new.get(spec.name)):
            continue
        changes.append(Change(T(spec.label), display(spec, old.get(spec.name), ctx),
                              display(spec, new.get(spec.name), ctx)))
    return changes


def attachments(answers: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every file in the answers (attachment fields, also inside repeat groups), in a stable order."""

    def walk(value: Any) -> Iterator[dict[str, Any]]:
        if isinstance(value, dict):
            if isinstance(value.get("file_id"), str):
                yield value
                return
            for key in sorted(value):
                yield from walk(value[key])
        elif isinstance(value, list):
            for item in value:
                yield from walk(item)

    for name in sorted(answers):
        yield from walk(answers[name])


def staff_card(*, submission_id: int, version: int, kind: str, station_name: str, submitted_by: str,
               headline: list[Text], body: list[Text]) -> Reply:
    """The review card staff receive for each new submission or resubmission."""
    title = T("New submission #{number} (version {version}): {kind}", number=submission_id, version=version,
              kind=kind_label(kind))
    lines: list[Text] = [title, T("Station: {station}", station=Raw(station_name)),
                         T("Submitted by: {person}", person=Raw(submitted_by) if submitted_by else UNKNOWN_PERSON),
                         *headline, Raw(""), *body]
    buttons = keyboard([Button(T("✅ Accept"), f"rv:a:{submission_id}:{version}"),
                        Button(T("↩️ Return with comment"), f"rv:r:{submission_id}:{version}")])
    return Reply(Join(tuple(lines)), buttons)


def returned_notice(*, submission_id: int, kind: str, year: int | None, comment: str) -> Reply:
    what = kind_label(kind)
    head = (T("Your {kind} for {year} was returned for changes.", kind=what, year=year) if year
            else T("Your {kind} was returned for changes.", kind=what))
    return Reply(Join((head, T("Comment from staff: {comment}", comment=Raw(comment)))),
                 keyboard([Button(T("✏️ Reopen and edit"), f"rv:o:{submission_id}")]))


def accepted_notice(*, kind: str, year: int | None) -> Reply:
    what = kind_label(kind)
    if year:
        return Reply(T("Your {kind} for {year} was accepted.", kind=what, year=year))
    return Reply(T("Your {kind} was accepted.", kind=what))
