"""Attachments: Telegram keeps the bytes; a form keeps the file reference and what it is."""

from __future__ import annotations

from typing import Any

from conversations.fields.base import FieldError
from conversations.formspec import FieldSpec
from conversations.types import FileInput
from locales import Raw, T

# Bots can download files up to 20 MB through the Bot API.
DEFAULT_MAX_SIZE = 20 * 1024 * 1024


def _megabytes(size: int) -> Raw:
    return Raw(f"{size / (1024 * 1024):.1f} MB")


def accepts(spec: FieldSpec, upload: FileInput) -> bool:
    """``accept`` lists mime types (``application/pdf``, ``image/*``) or extensions (``.docx``)."""
    if not spec.accept:
        return True
    mime = upload.mime_type.lower()
    name = upload.name.lower()
    for pattern in (p.lower() for p in spec.accept):
        if pattern.startswith(".") and name.endswith(pattern):
            return True
        if pattern.endswith("/*") and mime.startswith(pattern[:-1]):
            return True
        if pattern == mime:
            return True
    return False


def parse_file(upload: FileInput, spec: FieldSpec) -> dict[str, Any]:
    limit = spec.max_size or DEFAULT_MAX_SIZE
    name = upload.name or ("photo.jpg" if upload.kind == "photo" else "file")
    if upload.size > limit:
        raise FieldError(T(
            "{name} is {size}; files here can be at most {limit}. Please send a smaller file "
            "(for a scan, a lower resolution or a PDF usually helps).",
            name=Raw(name), size=_megabytes(upload.size), limit=_megabytes(limit),
        ))
    if not accepts(spec, upload):
        raise FieldError(T(
            "{name} is not a file type this question accepts. Please send one of: {types}.",
            name=Raw(name), types=Raw(", ".join(spec.accept)),
        ))
    return {
        "file_id": upload.file_id, "file_unique_id": upload.file_unique_id, "name": name,
        "size": upload.size, "mime_type": upload.mime_type, "kind": upload.kind,
    }
