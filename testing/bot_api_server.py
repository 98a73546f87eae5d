"""The Bot-API emulator behind a real loopback HTTP server.

Why: the in-process ``SandboxRequest`` cannot be shared with another process, but the crash
test and the benchmark run the dispatcher as a separate process talking HTTP, exactly as it
talks to Telegram (``TELEGRAM_BASE_URL=http://127.0.0.1:<port>/bot``). On top of the
emulator this server can

* enforce a flood limit like Telegram's (a sliding one-second window; above it, ``429`` with
  ``retry_after``), so pacing is measured against a real refusal, not a promise;
* *hold* answers: after the Nth delivered message, further sends are recorded as delivered
  but not answered until ``release()`` — the exact moment "the message went out but the
  sender never heard back", where a crash test kills the sender.

It listens on 127.0.0.1 only.
"""

from __future__ import annotations

import collections
import json
import threading
import time
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from testing.sandbox import ApiFault, BotApiEmulator, NetworkFault

SEND_METHODS = ("sendMessage", "sendDocument", "sendPhoto")


def parse_body(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Form-encoded or multipart parameters as PTB sends them (complex values are JSON strings)."""
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            raw = part.get_payload(decode=True)
            payload = raw if isinstance(raw, bytes) else b""
            if part.get_filename():
                files[str(name)] = payload
            else:
                params[str(name)] = payload.decode()
        return params, files
    if content_type.startswith("application/json"):
        return (json.loads(body) if body else {}), {}
    return {k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}, {}


class FakeBotApiServer:
    """A ``BotApiEmulator`` served over HTTP on 127.0.0.1 with a flood limit and a hold switch."""

    def __init__(self, emulator: BotApiEmulator | None = None, *, port: int = 0,
                 limit_per_second: int | None = None, retry_after: int = 1) -> None:
        self.emulator = emulator or BotApiEmulator()
        self.limit_per_second = limit_per_second
        self.retry_after = retry_after
        self.lock = threading.Lock()
        self.recent: collections.deque[float] = collections.deque()
        self.rate_limited = 0
        self.hold_after: int | None = None
        self.held = 0
        self._release = threading.Event()
        self.delivered = 0
        self.first_send_at: float | None = None
        self.last_send_at: float | None = None
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                method = self.path.rstrip("/").rsplit("/", 1)[-1]
                params, files = parse_body(self.headers.get("Content-Type", ""), body)
                status, answer, hold = server.answer(method, params, files)
                if hold:
                    server._release.wait()
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    return

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> FakeBotApiServer:
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="fake-bot-api", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FakeBotApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- behaviour ------------------------------------------------------------------------
    def hold_answers_after(self, delivered: int) -> None:
        """From the ``delivered``-th message on, record sends but do not answer until ``release()``."""
        self._release.clear()
        self.hold_after = delivered

    def release(self) -> None:
        self.hold_after = None
        self._release.set()

    def _over_limit(self, now: float) -> bool:
        if self.limit_per_second is None:
            return False
        while self.recent and self.recent[0] <= now - 1.0:
            self.recent.popleft()
        if len(self.recent) >= self.limit_per_second:
            return True
        self.recent.append(now)
        return False

    def answer(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> tuple[int, Any, bool]:
        with self.lock:
            now = time.monotonic()
            sending = method in SEND_METHODS
            if sending and self._over_limit(now):
                self.rate_limited += 1
                fault = ApiFault(429, f"Too Many Requests: retry after {self.retry_after}", self.retry_after)
                return fault.error_code, fault.payload(), False
            try:
                result = self.emulator.handle(method, params, files)
            except ApiFault as fault:
                return fault.error_code, fault.payload(), False
            except NetworkFault:
                return 504, {"ok": False, "error_code": 504, "description": "Gateway Timeout"}, False
            hold = False
            if sending:
                self.delivered += 1
                self.first_send_at = self.first_send_at or now
                self.last_send_at = now
                if self.hold_after is not None and self.delivered >= self.hold_after:
                    self.held += 1
                    hold = True
            return 200, {"ok": True, "result": result}, hold

    def messages_per_chat(self) -> collections.Counter[int]:
        """Delivered messages per chat (what the recipients actually see)."""
        with self.lock:
            return collections.Counter(chat for chat, _ in self.emulator.messages)
