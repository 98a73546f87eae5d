"""An offline Telegram: a Bot API emulator behind PTB's ``BaseRequest`` boundary.

Tests, ``stationbot demo`` and benchmarks run the real PTB ``Application`` (handlers,
filters, job queue) against this emulator: every outgoing call is recorded, and updates
are fed in as Telegram would send them. Faults (429, 403, 5xx, timeouts) can be injected.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "Station Bot", "username": "stationbot_sandbox_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False,
            "can_connect_to_business": False, "has_main_web_app": False}


class ApiFault(Exception):
    """A Bot API error answer: ``error_code`` with description, optionally ``retry_after``."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class NetworkFault(Exception):
    """The emulator pretends the connection timed out."""


FaultHook = Callable[[str, dict[str, Any]], "ApiFault | NetworkFault | None"]


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [button for row in markup.get("inline_keyboard", []) for button in row]


class BotApiEmulator:
    """The Bot API methods the bot uses, answered like Telegram does."""

    def __init__(self, bot_user: dict[str, Any] | None = None) -> None:
        self.bot_user = dict(bot_user or BOT_USER)
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._message_ids = itertools.count(1000)
        self._file_ids = itertools.count(1)
        self.fault: FaultHook | None = None
        self.blocked_chats: set[int] = set()
        self.pending_updates: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self.unimplemented: list[str] = []
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.answered_queries: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, bytes] = {}  # file_id -> bytes a user sent, served by the file download URL

    # ---- inspection helpers -------------------------------------------------------------
    def calls_to(self, chat_id: int, *methods: str) -> list[Call]:
        wanted = methods or ("sendMessage", "editMessageText", "sendDocument", "sendPhoto")
        return [c for c in self.calls if c.method in wanted and c.chat_id == chat_id]

    def last_message(self, chat_id: int) -> dict[str, Any] | None:
        ours = [m for (chat, _), m in self.messages.items() if chat == chat_id]
        return max(ours, key=lambda m: m["message_id"]) if ours else None

    # ---- dispatch -----------------------------------------------------------------------
    def handle(self, method: str, params: dict[str, Any], files: dict[str, bytes] | None = None) -> Any:
        call = Call(method, params, files or {})
        self.calls.append(call)
        if self.fault is not None:
            fault = self.fault(method, params)
            if isinstance(fault, NetworkFault):
                raise fault
            if isinstance(fault, ApiFault):
                raise fault
        chat_id = params.get("chat_id")
        if chat_id is not None and int(chat_id) in self.blocked_chats and method.startswith("send"):
            raise ApiFault(403, "Forbidden: bot was blocked by the user")
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            # Fail loudly: a test must not pass against a method the emulator only pretends to know.
            self.unimplemented.append(method)
            raise ApiFault(404, f"Not Found: the sandbox does not implement {method}")
        return handler(params)

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        return {"id": int(chat_id), "type": "private", "first_name": "User"}

    def _new_message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self.bot_user,
            **extra,
        }
        if params.get("text") is not None:
            message["text"] = params["text"]
        if params.get("caption") is not None:
            message["caption"] = params["caption"]
        if params.get("reply_markup"):
            markup = params["reply_markup"]
            message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        if not str(params.get("text", "")).strip():
            raise ApiFault(400, "Bad Request: message text is empty")
        if len(str(params["text"])) > 4096:
            raise ApiFault(400, "Bad Request: message is too long")
        return self._new_message(params)

    def _file_meta(self, name: str) -> dict[str, Any]:
        n = next(self._file_ids)
        return {"file_id": f"sandbox-file-{n}", "file_unique_id": f"u{n}", "file_name": name, "file_size": 1}

    def _m_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._new_message(params, document=self._file_meta("document"))

    def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        meta = self._file_meta("photo")
        meta.pop("file_name")
        return self._new_message(params, photo=[{**meta, "width": 1, "height": 1}])

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            raise ApiFault(400, "Bad Request: message to edit not found")
        if message.get("text") == params.get("text") and message.get("reply_markup") == (
            json.loads(params["reply_markup"]) if isinstance(params.get("reply_markup"), str)
            else params.get("reply_markup")
        ):
            raise ApiFault(400, "Bad Request: message is not modified")
        message["text"] = params["text"]
        markup = params.get("reply_markup")
        if markup:
            message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(time.time())
        return message

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            raise ApiFault(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        if markup:
            message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
        else:
            message.pop("reply_markup", None)
        return message

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        """Each query is answered once, with at most 200 characters (Bot API ``answerCallbackQuery``)."""
        query_id = str(params.get("callback_query_id") or "")
        if not query_id:
            raise ApiFault(400, "Bad Request: query_id is empty")
        if query_id in self.answered_queries:
            raise ApiFault(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > 200:
            raise ApiFault(400, "Bad Request: MESSAGE_TOO_LONG")
        self.answered_queries[query_id] = params
        return True

    @staticmethod
    def _scope_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        scope = json.loads(scope) if isinstance(scope, str) else scope
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        """Bot API ``setMyCommands``: at most 100 commands, each 1-32 of ``a-z0-9_`` with a 1-256 character
        description, per scope and language (an ISO 639-1 code or empty)."""
        commands = params.get("commands")
        commands = json.loads(commands) if isinstance(commands, str) else commands
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiFault(400, "Bad Request: commands must be a list of at most 100 BotCommand")
        for command in commands:
            name, description = str(command.get("command", "")), str(command.get("description", ""))
            if not (1 <= len(name) <= 32 and all(c in "abcdefghijklmnopqrstuvwxyz0123456789_" for c in name)):
                raise ApiFault(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise ApiFault(400, "Bad Request: command description is empty or too long")
        scope, language = self._scope_key(params)
        if language and not (len(language) == 2 and language.isalpha() and language.islower()):
            raise ApiFault(400, "Bad Request: invalid language code specified")
        self.commands[(scope, language)] = [dict(c) for c in commands]
        return True

    def _m_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return self.commands.get(self._scope_key(params), [])

    def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        ready = [u for u in self.pending_updates if u["update_id"] >= offset]
        self.pending_updates = ready
        return ready

    def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = dict(params)
        return True

    def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        return True

    def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"file_id": params["file_id"], "file_unique_id": "u", "file_path": f"documents/{params['file_id']}"}


class SandboxRequest(BaseRequest):
    """PTB's network layer replaced by a direct call into the emulator."""

    def __init__(self, emulator: BotApiEmulator) -> None:
        self.emulator = emulator

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        if "/file/" in url:  # a download: the bytes the user sent with that file id, if any
            upload = self.emulator.uploads.get(api_method)
            return (200, upload) if upload is not None else (404, b'{"ok":false,"error_code":404}')
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        if request_data is not None:
            params = json.loads(json.dumps(request_data.parameters, default=str))
            if request_data.contains_files:
                for name, part in request_data.multipart_data.items():
                    content = part[1] if isinstance(part, tuple) else part
                    files[name] = content if isinstance(content, bytes) else bytes(content.read())
        try:
            result = self.emulator.handle(api_method, params, files)
        except NetworkFault as exc:
            raise TimedOut("sandbox: simulated timeout") from exc
        except ApiFault as fault:
            return fault.error_code, json.dumps(fault.payload()).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()
