"""Drive the real Application offline: people type, tap and send files; every call is recorded."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.app import Extension, build_application
from bot.services import Clock, Services
from bot.settings import Settings
from storage.db import Database
from testing.sandbox import BotApiEmulator, Call, SandboxRequest

# Telegram never reuses an update id; neither may two sandboxes on one database (restart tests).
_UPDATE_IDS = itertools.count(int(time.time()) * 1000)


@dataclass(frozen=True)
class User:
    id: int
    first_name: str = "Test"
    language_code: str | None = "zh-hans"

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            data["language_code"] = self.language_code
        return data


class Sandbox:
    """A running bot with Telegram replaced by ``BotApiEmulator``."""

    def __init__(self, settings: Settings, db: Database, clock: Clock | None = None,
                 extensions: list[Extension] | None = None,
                 request_class: type[SandboxRequest] = SandboxRequest) -> None:
        self.api = BotApiEmulator()
        settings = settings.model_copy(update={"telegram_bot_token": settings.telegram_bot_token or "123456:SANDBOX"})
        self.app: Application = build_application(settings, db=db, request=request_class(self.api), clock=clock,
                                                  extensions=extensions, with_updater=False)
        self._update_ids = _UPDATE_IDS
        self._user_message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)

    @property
    def services(self) -> Services:
        services: Services = self.app.bot_data["services"]
        return services

    async def start(self) -> Sandbox:
        await self.app.initialize()
        if self.app.post_init is not None:
            await self.app.post_init(self.app)
        await self.app.start()
        return self

    async def stop(self) -> None:
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    async def __aenter__(self) -> Sandbox:
        return await self.start()

    async def __aexit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        await self.stop()
        if exc_type is None and self.api.unimplemented:
            raise AssertionError(f"the bot called Bot API methods the sandbox does not implement: "
                                 f"{sorted(set(self.api.unimplemented))}")

    # ---- feeding updates ----------------------------------------------------------------
    async def feed(self, payload: dict[str, Any]) -> list[Call]:
        """Process one raw update exactly as Telegram would deliver it; return the calls it caused."""
        before = len(self.api.calls)
        payload = {"update_id": next(self._update_ids), **payload}
        await self.app.process_update(Update.de_json(payload, self.app.bot))
        return self.api.calls[before:]

    async def enqueue(self, payload: dict[str, Any]) -> None:
        """Hand one raw update to the running Application's queue, as polling and the webhook do.

        Unlike ``feed`` this goes through the update processor: chats run concurrently, one chat
        in order. ``settle`` waits until everything queued has been handled.
        """
        payload = {"update_id": next(self._update_ids), **payload}
        await self.app.update_queue.put(Update.de_json(payload, self.app.bot))

    async def settle(self) -> None:
        await self.app.update_queue.join()

    def text_update(self, user: User, text: str) -> dict[str, Any]:
        return {"message": self._message(user, text=text)}

    def button_update(self, user: User, data: str, message: dict[str, Any] | None = None) -> dict[str, Any]:
        message = message or self.api.last_message(user.id) or {
            "message_id": 1, "date": int(time.time()), "chat": {"id": user.id, "type": "private"}}
        return {"callback_query": {"id": str(next(self._callback_ids)), "from": user.as_dict(),
                                   "chat_instance": "sandbox", "data": data, "message": message}}

    def _message(self, user: User, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._user_message_ids),
            "date": int(time.time()),
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            "from": user.as_dict(),
            **content,
        }

    async def send(self, user: User, text: str) -> list[Call]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return await self.feed({"message": self._message(user, **content)})

    async def send_document(self, user: User, name: str, mime_type: str = "application/pdf",
                            size: int = 20480, caption: str = "", data: bytes | None = None) -> list[Call]:
        """``data``: the file's bytes, for handlers that download it (size follows them)."""
        n = next(self._user_message_ids)
        if data is not None:
            self.api.uploads[f"doc-{user.id}-{n}"] = data
            size = len(data)
        document = {"file_id": f"doc-{user.id}-{n}", "file_unique_id": f"ud{n}", "file_name": name,
                    "mime_type": mime_type, "file_size": size}
        content: dict[str, Any] = {"document": document}
        if caption:
            content["caption"] = caption
        return await self.feed({"message": self._message(user, **content)})

    async def send_photo(self, user: User, size: int = 120000) -> list[Call]:
        n = next(self._user_message_ids)
        photo = [{"file_id": f"photo-{user.id}-{n}", "file_unique_id": f"up{n}", "width": 1280, "height": 960,
                  "file_size": size}]
        return await self.feed({"message": self._message(user, photo=photo)})

    async def press_data(self, user: User, data: str, message: dict[str, Any] | None = None) -> list[Call]:
        """Press a button by its callback data (forged data included) on ``message`` or the last one."""
        return await self.feed(self.button_update(user, data, message))

    def find_button(self, user: User, text: str, message: dict[str, Any] | None = None) -> tuple[dict[str, Any], str]:
        """The newest message to ``user`` with a button labelled ``text`` (exact, then substring)."""
        candidates = [message] if message else sorted(
            (m for (chat, _), m in self.api.messages.items() if chat == user.id),
            key=lambda m: m["message_id"], reverse=True)
        for exact in (True, False):
            for msg in candidates:
                for row in (msg.get("reply_markup") or {}).get("inline_keyboard", []):
                    for button in row:
                        label = button.get("text", "")
                        if (label == text if exact else text in label) and "callback_data" in button:
                            return msg, button["callback_data"]
        raise LookupError(f"no button {text!r} in the chat of user {user.id}")

    async def press(self, user: User, text: str, message: dict[str, Any] | None = None) -> list[Call]:
        msg, data = self.find_button(user, text, message)
        return await self.press_data(user, data, msg)


def texts(calls: list[Call]) -> list[str]:
    """The visible texts of the messages sent or edited by a list of calls."""
    return [c.text for c in calls if c.method in ("sendMessage", "editMessageText", "sendPhoto", "sendDocument")]


def joined(calls: list[Call]) -> str:
    return "\n".join(texts(calls))
