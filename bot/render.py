"""Turn core ``Reply`` objects into Bot API calls (the only place that knows Telegram's shapes)."""

from __future__ import annotations

import asyncio
import logging
import warnings
from typing import Any

from telegram import Bot, InputFile, Message
from telegram.error import BadRequest
from telegram.warnings import PTBUserWarning

from conversations.types import Keyboard, Reply
from locales import Translator, render
from services.qr import qr_png

log = logging.getLogger(__name__)
TELEGRAM_TEXT_LIMIT = 4096

# Texts are sent with ``Bot.do_api_request`` and the Bot API's own parameters: PTB's ``send_message``
# turns Telegram's answer into a ``Message`` (its chat, sender, keyboard, entities), and we read only
# its ``message_id`` — that parse was half of a send's cost (0.41 → 0.18 ms in the sandbox). The
# request still goes through PTB's network layer (errors, timeouts, rate limits alike). PTB warns
# that ``send_message`` exists; for these two methods that is the point, so that one warning is
# silenced (pytest resets filters per test: pyproject.toml's ``filterwarnings`` repeats it).
_RAW_METHODS = ("send_message", "edit_message_text")
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.(send_message|edit_message_text)'",
                        category=PTBUserWarning)


async def _raw(bot: Bot, method: str, params: dict[str, Any]) -> Any:
    """One Bot API call by its documented parameters; returns Telegram's ``result`` as JSON (dict or True)."""
    assert method in _RAW_METHODS
    return await bot.do_api_request(method, api_kwargs=params)


def _message_id(result: Any, fallback: int | None = None) -> int | None:
    return int(result["message_id"]) if isinstance(result, dict) and "message_id" in result else fallback


def markup(buttons: Keyboard, tr: Translator) -> dict[str, Any] | None:
    """The inline keyboard as the Bot API's JSON, handed to PTB through ``api_kwargs``.

    Why not ``InlineKeyboardMarkup``: PTB builds, freezes and then serialises one object per
    button, which cost a form step more than the database did (a calendar has 40 buttons);
    the JSON is what Telegram receives either way.
    """
    if not buttons:
        return None
    rows = [
        [
            {"text": render(b.text, tr), "url": b.url} if b.url
            else {"text": render(b.text, tr), "callback_data": b.action}
            for b in row
        ]
        for row in buttons
    ]
    return {"inline_keyboard": rows}


def split_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split at line breaks so a long summary arrives as several readable messages."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            parts.append(current)
            current = ""
        current += line
    if current:
        parts.append(current)
    return parts


async def send_file(bot: Bot, chat_id: int, reply: Reply, tr: Translator) -> Message:
    """Send a reply that carries a file (its text the caption). The Message names the file's Telegram
    ``file_id`` (``sent_file_id``), which sends the same file again without its bytes."""
    assert reply.file is not None
    text = render(reply.text, tr)
    keyboard = markup(reply.buttons, tr)
    extra = {"reply_markup": keyboard} if keyboard is not None else None
    content = reply.file.content
    if content is None and reply.file.qr_of is not None:
        content = await asyncio.to_thread(qr_png, reply.file.qr_of)
    payload = reply.file.file_id or InputFile(content or b"", filename=reply.file.filename)
    caption = text[:1024] if text else None
    if reply.file.kind == "photo":
        return await bot.send_photo(chat_id, payload, caption=caption, api_kwargs=extra)
    return await bot.send_document(chat_id, payload, caption=caption, api_kwargs=extra)


def sent_file_id(message: Message) -> str | None:
    """The Bot API ``file_id`` of the document or photo (largest size) a sent message carries."""
    if message.document is not None:
        return message.document.file_id
    return message.photo[-1].file_id if message.photo else None


async def send_reply(bot: Bot, chat_id: int, reply: Reply, tr: Translator,
                     origin_message_id: int | None = None) -> int | None:
    """Send (or edit) one reply; returns the Telegram message id."""
    if reply.file is not None:
        return (await send_file(bot, chat_id, reply, tr)).message_id
    text = render(reply.text, tr)
    keyboard = markup(reply.buttons, tr)
    extra = {"reply_markup": keyboard} if keyboard is not None else None
    if reply.edit and origin_message_id is not None and len(text) <= TELEGRAM_TEXT_LIMIT:
        try:
            edited = await _raw(bot, "edit_message_text", {"chat_id": chat_id, "message_id": origin_message_id,
                                                           "text": text, **(extra or {})})
            return _message_id(edited, origin_message_id)
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return origin_message_id
            log.info("edit failed, sending instead: %s", exc.message)
    chunks = split_text(text)
    message_id = None
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        params: dict[str, Any] = {"chat_id": chat_id, "text": chunk}
        if last and extra:
            params.update(extra)
        message_id = _message_id(await _raw(bot, "send_message", params))
    return message_id
