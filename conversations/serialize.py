"""Replies as JSON, for outbox rows that wait in the database until they are sent."""

from __future__ import annotations

from typing import Any

from conversations.types import Button, OutgoingFile, Reply
from locales import text_from_json, text_to_json


def reply_to_json(reply: Reply) -> dict[str, Any]:
    data: dict[str, Any] = {"text": text_to_json(reply.text)}
    if reply.buttons:
        data["buttons"] = [
            [{"text": text_to_json(b.text), "action": b.action, "url": b.url} for b in row] for row in reply.buttons
        ]
    if reply.file is not None:
        if reply.file.content is not None:
            raise ValueError("outbox files are sent by file_id or prepared_id (bytes are kept elsewhere)")
        data["file"] = {"filename": reply.file.filename, "file_id": reply.file.file_id, "kind": reply.file.kind}
        if reply.file.prepared_id is not None:
            data["file"]["prepared_id"] = reply.file.prepared_id
        if reply.file.qr_of is not None:
            data["file"]["qr_of"] = reply.file.qr_of
    return data


def reply_from_json(data: dict[str, Any]) -> Reply:
    buttons = tuple(
        tuple(Button(text_from_json(b["text"]), b.get("action", ""), b.get("url")) for b in row)
        for row in data.get("buttons", [])
    )
    file = None
    if data.get("file"):
        f = data["file"]
        file = OutgoingFile(f["filename"], None, f.get("file_id"), f.get("kind", "document"), f.get("prepared_id"),
                            f.get("qr_of"))
    return Reply(text_from_json(data["text"]), buttons, file=file)
