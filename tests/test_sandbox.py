"""The Bot-API sandbox answers only what it implements, the way Telegram would; anything else fails loudly."""

from __future__ import annotations

import pytest
from telegram.error import BadRequest, TelegramError

from bot.services import FixedClock
from bot.settings import Settings
from storage.db import Database
from testing.client import Sandbox
from tests.conftest import STAFF


async def test_an_unimplemented_method_fails_the_test(settings: Settings, db: Database, clock: FixedClock) -> None:
    """A call the emulator doesn't implement is a 404 like Telegram's unknown method, and leaving the
    sandbox then raises, so a test cannot pass against a method the real API would reject."""
    box = Sandbox(settings, db, clock)
    with pytest.raises(AssertionError, match="sendChatAction"):
        async with box:
            with pytest.raises(TelegramError, match="does not implement sendChatAction"):
                await box.app.bot.send_chat_action(STAFF.id, "typing")
    assert box.api.unimplemented == ["sendChatAction"]


async def test_commands_are_registered_per_language(sandbox: Sandbox) -> None:
    """setMyCommands is validated (1-32 of a-z0-9_, descriptions 1-256) and kept per language."""
    default = await sandbox.app.bot.get_my_commands()
    english = await sandbox.app.bot.get_my_commands(language_code="en")
    assert "help" in {c.command for c in default} and {c.command for c in default} == {c.command for c in english}
    assert {c.description for c in default} != {c.description for c in english}  # Chinese vs English labels
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await sandbox.app.bot.set_my_commands([("Bad-Name", "x")])


async def test_a_button_press_is_answered_once(sandbox: Sandbox) -> None:
    """Every callback query gets exactly one answerCallbackQuery (Telegram rejects a second answer)."""
    await sandbox.send(STAFF, "/menu")
    calls = await sandbox.press(STAFF, sandbox.api.last_message(STAFF.id)["reply_markup"]["inline_keyboard"][0][0]["text"])
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert len(answers) == 1
    query_id = answers[0].params["callback_query_id"]
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await sandbox.app.bot.answer_callback_query(query_id)
