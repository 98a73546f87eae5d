"""The demand side's yearly evaluation of a station (guiyang-kczg): one question per message.

Pure core. Callback data: ``ev:<request id>:<question index>:<answer>`` where the answer is a
number (scale), ``y``/``n`` (yes/no) or ``skip`` (an optional text question).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conversations.types import Button, Reply, keyboard
from locales import Join, Raw, T, Text
from rules.profile import RatingSpec
from rules.satisfaction import rating_score

MAX_TEXT = 2000


@dataclass(frozen=True)
class Question:
    id: str
    text: str  # an English msgid from the policy profile
    kind: str  # "scale" | "text" | "yes_no"
    required: bool = True


def next_question(questions: Sequence[Question], answers: Mapping[str, Any]) -> int | None:
    return next((i for i, q in enumerate(questions) if q.id not in answers), None)


def intro(station_name: str, year: int) -> Text:
    return T("{station} asks for your evaluation of its work in {year}.", station=Raw(station_name),
             year=Raw(str(year)))


def ask(request_id: int, station_name: str, year: int, questions: Sequence[Question], answers: Mapping[str, Any],
        scale: int, *, edit: bool = False) -> Reply:
    """The next unanswered question, with buttons where the answer is a choice."""
    index = next_question(questions, answers)
    assert index is not None
    q = questions[index]
    lines: list[Text] = [intro(station_name, year),
                         T("Question {n} of {total}:", n=index + 1, total=len(questions)), T(q.text)]
    buttons: list[Button] = []
    if q.kind == "scale":
        buttons = [Button(Raw(f"★{s}"), f"ev:{request_id}:{index}:{s}") for s in range(1, scale + 1)]
    elif q.kind == "yes_no":
        buttons = [Button(T("Yes"), f"ev:{request_id}:{index}:y"), Button(T("No"), f"ev:{request_id}:{index}:n")]
    else:
        lines.append(T("Type your answer."))
        if not q.required:
            buttons = [Button(T("Nothing to add"), f"ev:{request_id}:{index}:skip")]
    return Reply(Join(tuple(lines)), keyboard(buttons), edit=edit)


def accept_button(questions: Sequence[Question], index: int, answer: str, scale: int) -> tuple[str, Any] | None:
    """The (question id, value) a button press stands for, or None when it does not fit the question."""
    if not 0 <= index < len(questions):
        return None
    q = questions[index]
    if q.kind == "scale" and answer.isdigit() and 1 <= int(answer) <= scale:
        return q.id, int(answer)
    if q.kind == "yes_no" and answer in ("y", "n"):
        return q.id, answer == "y"
    if q.kind == "text" and not q.required and answer == "skip":
        return q.id, ""
    return None


def accept_text(questions: Sequence[Question], answers: Mapping[str, Any], text: str) -> tuple[str, Any] | Reply:
    """Typed text for the current question, or a reply saying what is expected."""
    index = next_question(questions, answers)
    if index is None:
        return Reply(T("This evaluation is complete."))
    q = questions[index]
    if q.kind != "text":
        return Reply(T("Please answer with the buttons in the message above."))
    cleaned = text.strip()
    if not cleaned:
        return Reply(T("Please type your answer as text."))
    if len(cleaned) > MAX_TEXT:
        return Reply(T("The answer is too long ({n} characters); please keep it under {limit}.", n=len(cleaned),
                       limit=MAX_TEXT))
    return q.id, cleaned


def satisfaction_score(answers: Mapping[str, Any], questions: Sequence[Question], spec: RatingSpec) -> float:
    """The overall satisfaction on 0–100, the same scoring as a service rating (the profile's level points)."""
    stars = [int(answers[q.id]) for q in questions if q.kind == "scale" and isinstance(answers.get(q.id), int)]
    if not stars:
        return 0.0
    return rating_score(stars, spec)


def thanks() -> Reply:
    return Reply(T("Thank you! Your evaluation has been recorded and goes into the station's yearly assessment."))
