"""Forged or garbled numbers in button data (issue: 500-style failures from ``int(...)`` without a bound).

A button whose number is 10**30 (beyond PostgreSQL's INTEGER), "²" (``str.isdigit`` says yes, ``int`` says
no), "-1" or nothing must get the ordinary "no longer active" answer on every handler: no database error,
no "something went wrong", nothing changed, and the bot answers the next message as usual.
"""

from __future__ import annotations

import pytest

from storage.ids import MAX_INT, db_int
from testing.client import Call, Sandbox, User
from tests.security.support import CONTACT, MANAGER_A, STAFF_EN, seed, snapshot

STALE = "This button is no longer active."
MOVED_ON = "This form has moved on."  # a form's own button (bot/handlers/forms.py) whose draft is gone
SUBMISSION_GONE = "This submission has changed since this message; nothing was done."  # review's own stale answer
APPLICATION_GONE = "This application has changed since this message; nothing was done."  # application review's
TRY_AGAIN = "Something went wrong on our side"
FORGED = ("1" + "0" * 30, "²", "-1", "")

# (who presses, button data with {} where the number goes, the handler's answer to a button whose row is gone).
BUTTONS = (
    (STAFF_EN, "rv:s:{}", SUBMISSION_GONE),   # bot/handlers/review.py
    (STAFF_EN, "ms:c:{}:2026", STALE),     # bot/handlers/manual_scores.py, the station
    (STAFF_EN, "ms:c:1:{}", STALE),        # bot/handlers/manual_scores.py, the year
    (STAFF_EN, "inv:manager:{}", STALE),   # bot/handlers/invites.py, the station
    (STAFF_EN, "inv:manager:p{}", STALE),  # bot/handlers/invites.py, the page
    (STAFF_EN, "ap:s:{}", APPLICATION_GONE), # bot/handlers/application_staff.py
    (STAFF_EN, "as:v:{}", STALE),          # bot/handlers/assessment.py
    (STAFF_EN, "pp:s:{}", STALE),          # bot/handlers/people.py
    (STAFF_EN, "doc:r:{}", STALE),         # bot/handlers/documents.py
    (CONTACT, "ev:{}:0:5", STALE),         # bot/handlers/evaluation.py
    (MANAGER_A, "rlink:{}", STALE),        # bot/handlers/ratings.py
    (MANAGER_A, "f:{}:1:n", MOVED_ON),     # bot/handlers/forms.py, a form step's button
    (MANAGER_A, "fs:c:{}", MOVED_ON),      # bot/handlers/forms.py, continue the open form
    (MANAGER_A, "fs:d:{}:log", MOVED_ON),  # bot/handlers/forms.py, discard it and start another
)


def answer_of(calls: list[Call]) -> str:
    """Everything the person sees: messages, edits and the button's own notice."""
    return "\n".join(str(c.params.get("text") or "") if c.method == "answerCallbackQuery" else c.text for c in calls)


@pytest.mark.parametrize(("user", "template", "stale"), BUTTONS, ids=[t.replace(":{}", "") for _, t, _ in BUTTONS])
async def test_a_forged_number_in_button_data_is_a_stale_button_and_changes_nothing(
        sandbox: Sandbox, user: User, template: str, stale: str) -> None:
    await seed(sandbox.services.db)
    before = await snapshot(sandbox.services.db)
    for number in FORGED:
        seen = answer_of(await sandbox.press_data(user, template.format(number)))
        assert stale in seen and TRY_AGAIN not in seen, (template.format(number), seen)
    assert await snapshot(sandbox.services.db) == before
    after = answer_of(await sandbox.send(user, "/help"))
    assert after and TRY_AGAIN not in after, "the bot keeps answering"


async def test_the_largest_integer_still_reaches_the_database_as_no_such_row(sandbox: Sandbox) -> None:
    """The bound is the column's, not lower: 2**31 - 1 is a valid (absent) id; 2**31 is not a number at all."""
    await seed(sandbox.services.db)
    assert db_int(str(MAX_INT)) == MAX_INT and db_int(str(MAX_INT + 1)) is None
    assert STALE in answer_of(await sandbox.press_data(STAFF_EN, f"as:v:{MAX_INT}"))


def test_only_plain_ascii_digits_within_integer_are_numbers() -> None:
    """The shared rule the console's links use too (``form_int``), with negatives allowed there."""
    from bot.webapp.params import form_int

    assert [db_int(t) for t in ("0", "42", "007")] == [0, 42, 7]
    for text in ("", "-1", "+1", " 1", "1 ", "1_0", "²", "٣", "1.0", "1\n", "1" + "0" * 30, None):
        assert db_int(text) is None, text
    assert db_int("-5", signed=True) == -5 and db_int(str(-MAX_INT - 1), signed=True) is None
    assert form_int("-5") == -5 and form_int("1" + "0" * 30, 3) == 3 and form_int("²", 1) == 1
