"""The plain objects exchanged between the conversation core and the Telegram shell.

The core receives an ``Input`` and returns ``Reply`` objects; ``bot/`` turns replies into
Bot API calls. Keeping these plain lets forms be tested and previewed without a bot, and
lets another chat channel plug in later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Union

from locales import Text

# Telegram allows at most 64 bytes of callback data per button.
MAX_CALLBACK_BYTES = 64


@dataclass(frozen=True)
class Button:
    """An inline button: either an action routed back to the core, or a link."""

    text: Text
    action: str = ""
    url: str | None = None

    def __post_init__(self) -> None:
        if self.url is None and len(self.action.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback action longer than {MAX_CALLBACK_BYTES} bytes: {self.action!r}")


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class OutgoingFile:
    """A file the bot sends: new bytes (a QR code, an export), a Telegram file_id to resend, or
    ``prepared_id``: bytes made off the update path and kept in the database for the outbox.

    ``qr_of``: a link drawn as a QR code only when the reply is sent, in a worker thread, so the
    drawing (tens of ms) holds neither the update's transaction nor the event loop."""

    filename: str
    content: bytes | None = None
    file_id: str | None = None
    kind: Literal["document", "photo"] = "document"
    prepared_id: int | None = None
    qr_of: str | None = None


@dataclass(frozen=True)
class Reply:
    """One message to show the user.

    ``edit=True`` replaces the message whose button was pressed (keeps the chat short on a
    phone); ``notice`` is a short toast for the button press itself.
    """

    text: Text
    buttons: Keyboard = ()
    edit: bool = False
    file: OutgoingFile | None = None
    notice: Text | None = None


@dataclass(frozen=True)
class TextInput:
    text: str


@dataclass(frozen=True)
class ButtonInput:
    """A pressed inline button; ``data`` is never trusted: re-check it against the database."""

    data: str


@dataclass(frozen=True)
class FileInput:
    """A document or photo the user sent; Telegram keeps the bytes, we keep the reference."""

    file_id: str
    file_unique_id: str
    name: str
    size: int
    mime_type: str
    kind: Literal["document", "photo"] = "document"
    caption: str = ""


@dataclass(frozen=True)
class CommandInput:
    command: str
    args: tuple[str, ...] = field(default_factory=tuple)


Input = Union[TextInput, ButtonInput, FileInput, CommandInput]


def keyboard(*rows: list[Button] | tuple[Button, ...]) -> Keyboard:
    """Build a keyboard from rows, dropping empty rows."""
    return tuple(tuple(row) for row in rows if row)
