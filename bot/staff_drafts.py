"""A staff member's short typed answer to something pending (an approval number, a finding, a row's points).

The question opens a draft of the staff member's own, so the next text they type goes to it (``router.own_drafts``)
and a restart loses nothing; /cancel drops it. The areas that ask such questions share these two steps.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from bot.routing import Turn
from conversations.types import CommandInput, Reply, TextInput
from locales import T, Text
from storage.drafts import active_draft, get_or_create, park_others, save
from storage.models import Draft, Person

PLEASE_TYPE = T("Please type it as text.")


@dataclass(frozen=True)
class StaffAnswer:
    """What a staff member sent to their pending question."""

    staff: Person
    staff_id: int
    draft: Draft
    text: str
    """As typed ("" for anything but text)."""


async def open_staff_draft(turn: Turn, staff_id: int, *, form_id: str, subject_key: str, state: dict[str, Any],
                           station_id: int | None = None) -> Draft:
    """Make a draft of ``form_id`` holding ``state`` the staff member's one active draft (others are parked)."""
    draft, _ = await get_or_create(turn.session, person_id=staff_id, form_id=form_id, subject_key=subject_key,
                                   station_id=station_id, now=turn.now)
    await save(turn.session, draft, state, draft.rev + 1, turn.now)
    assert draft.id is not None
    await park_others(turn.session, [staff_id], draft.id)
    return draft


async def staff_answer(turn: Turn, form_ids: Collection[str], cancelled: Text, *,
                       text: bool) -> StaffAnswer | list[Reply] | None:
    """The input for the staff member's active draft of one of ``form_ids``, or the replies that end the step.

    /cancel deletes the draft and says ``cancelled``; with ``text``, anything but typed text is asked again.
    None when the person is not staff or has no such draft (the input is not for this area).
    """
    staff = turn.staff()
    if staff is None or staff.id is None:
        return None
    draft = await active_draft(turn.session, [staff.id])
    if draft is None or draft.form_id not in form_ids:
        return None
    if isinstance(turn.input, CommandInput) and turn.input.command == "cancel":
        await turn.session.delete(draft)
        return [Reply(cancelled)]
    typed = turn.input.text if isinstance(turn.input, TextInput) else ""
    if text and not typed.strip():
        return [Reply(PLEASE_TYPE)]
    return StaffAnswer(staff, staff.id, draft, typed)
