"""`stationbot webhook` as a real process: it registers the webhook, serves updates with the secret, refuses others.

Telegram is the loopback Bot-API emulator (``TELEGRAM_BASE_URL``); the web app listens on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.app import allowed_updates
from testing.bot_api_server import FakeBotApiServer
from tests.webapp.conftest import SECRET
from tests.webapp.test_webhook import help_update

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:WEBHOOKCMD"
STAFF_ID = 42


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(base: str, proc: subprocess.Popen[str], deadline: float) -> httpx.Response:
    """Poll /healthz until the server answers (connection refused until uvicorn listens)."""
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            return httpx.get(f"{base}/healthz", timeout=5)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"the webhook server did not come up (exit code {proc.poll()})")


@pytest.mark.slow
def test_webhook_command_registers_and_serves(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with FakeBotApiServer() as server:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": server.base_url,
               "TELEGRAM_BASE_FILE_URL": server.base_url.replace("/bot", "/file/bot"),
               "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/telegram/hook", "TELEGRAM_WEBHOOK_SECRET": SECRET,
               "WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_PORT": str(port),
               "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}", "STAFF_TELEGRAM_IDS": str(STAFF_ID),
               "LOG_LEVEL": "INFO"}
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "webhook"], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            health = wait_healthy(base, proc, time.monotonic() + 90)
            assert health.status_code == 200 and health.json() == {"status": "ok"}
            webhook = server.emulator.webhook
            assert webhook["url"] == "https://bot.example.org/telegram/hook"
            assert webhook["secret_token"] == SECRET
            registered = webhook["allowed_updates"]
            assert sorted(json.loads(registered)) == sorted(allowed_updates())  # form-encoded as JSON by PTB

            update = help_update(5001)
            update["message"]["chat"]["id"] = update["message"]["from"]["id"] = STAFF_ID
            refused = httpx.post(f"{base}/telegram/hook", json=update, timeout=30,
                                 headers={"X-Telegram-Bot-Api-Secret-Token": "not-the-secret-at-all"})
            assert refused.status_code == 403
            assert not [c for c in server.emulator.calls if c.method == "sendMessage" and c.chat_id == STAFF_ID]
            accepted = httpx.post(f"{base}/telegram/hook", json=update, timeout=30,
                                  headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            assert accepted.status_code == 200
            deadline = time.monotonic() + 60  # answered at once, the /help reply follows behind the answer
            while time.monotonic() < deadline and not [
                    c for c in server.emulator.calls if c.method == "sendMessage" and c.chat_id == STAFF_ID]:
                time.sleep(0.05)
            replies = [c.text for c in server.emulator.calls if c.method == "sendMessage" and c.chat_id == STAFF_ID]
            assert any("/invite" in text for text in replies)  # the staff /help
            assert "getUpdates" not in {c.method for c in server.emulator.calls}
        finally:
            proc.terminate()
            output = proc.communicate(timeout=30)[0]
    assert TOKEN not in output and SECRET not in output, "neither the token nor the secret may be logged"
