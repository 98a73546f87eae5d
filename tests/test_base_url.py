"""The bot runs unchanged against any Bot-API-compatible server: here a loopback one via TELEGRAM_BASE_URL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from testing.bot_api_server import FakeBotApiServer

ROOT = Path(__file__).resolve().parent.parent


def start_update(update_id: int, user_id: int, text: str) -> dict:  # type: ignore[type-arg]
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        "chat": {"id": user_id, "type": "private", "first_name": "Staff"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Staff", "language_code": "en"}}}


@pytest.mark.slow
def test_polling_bot_talks_to_a_self_hosted_bot_api_on_loopback(tmp_path: Path) -> None:
    with FakeBotApiServer() as server:
        server.emulator.pending_updates.append(start_update(1, 42, "/help"))
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:LOOPBACK", "TELEGRAM_BASE_URL": server.base_url,
               "TELEGRAM_BASE_FILE_URL": server.base_url.replace("/bot", "/file/bot"),
               "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}", "STAFF_TELEGRAM_IDS": "42", "LOG_LEVEL": "WARNING"}
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 90
            replies: list[str] = []
            # The answer to /help; other messages (a Monday staff digest from the start-up sweep) may come too.
            while time.monotonic() < deadline and not any("/invite" in r for r in replies):
                replies = [c.text for c in server.emulator.calls if c.method == "sendMessage" and c.chat_id == 42]
                time.sleep(0.2)
        finally:
            proc.terminate()
            output = proc.communicate(timeout=30)[0]
    assert replies, f"no reply through the loopback Bot API; bot output:\n{output[-3000:]}"
    assert any("/invite" in r for r in replies)
    methods = {c.method for c in server.emulator.calls}
    assert {"getMe", "getUpdates", "setMyCommands", "sendMessage"} <= methods
    assert "123456:LOOPBACK" not in output, "the token must not be logged"
