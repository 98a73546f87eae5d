"""Filling the Word templates (docxtpl), converting to PDF (LibreOffice headless) and zipping.

Blocking work (docxtpl, zip) runs in a worker thread and LibreOffice in a subprocess, so the
bot keeps answering other chats. Without LibreOffice the bot offers DOCX only and says why;
a conversion that fails or times out is reported, never raised into a chat.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate, Listing

from bot import fonts

log = logging.getLogger(__name__)

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TIMEOUT_SECONDS = 120.0


def _multiline(value: Any) -> Any:
    """Texts with line breaks become docxtpl Listings (line breaks kept); dicts and lists recursively."""
    if isinstance(value, str):
        return Listing(value) if "\n" in value else value
    if isinstance(value, Mapping):
        return {k: _multiline(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_multiline(v) for v in value]
    return value


def render_docx(template: Path, context: Mapping[str, Any]) -> bytes:
    """The template filled with ``context`` (blocking: call through ``asyncio.to_thread``)."""
    document = DocxTemplate(str(template))
    document.render(_multiline(context), autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zip_files(files: Mapping[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def soffice() -> str | None:
    """The LibreOffice program, if installed (``soffice`` or ``libreoffice`` on the PATH)."""
    configured = os.environ.get("STATIONBOT_SOFFICE", "")
    if configured:
        return configured if Path(configured).is_file() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


@dataclass(frozen=True)
class Pdfs:
    """PDFs by the DOCX name they came from; ``reason`` says why there are none (English, for logs)."""

    files: dict[str, bytes]
    reason: str = ""


NO_LIBREOFFICE = "LibreOffice is not installed on the server"


def _font_env(folder: Path) -> dict[str, str]:
    """The fontconfig environment that lets LibreOffice find the pip-installed CJK font (``bot.fonts``)."""
    try:
        return fonts.fontconfig_env(folder)
    except fonts.MissingCJKFont as exc:  # boxes instead of Chinese, but the DOCX is still offered
        log.warning("PDF conversion without a CJK font: %s", exc)
        return {}


async def to_pdf(files: Mapping[str, bytes], limit_seconds: float = PDF_TIMEOUT_SECONDS) -> Pdfs:
    """Convert DOCX files with one LibreOffice run (a private profile dir, a time limit)."""
    program = soffice()
    if program is None:
        return Pdfs({}, NO_LIBREOFFICE)
    with tempfile.TemporaryDirectory(prefix="stationbot-pdf-") as tmp:
        root = Path(tmp)
        source, out = root / "in", root / "out"
        source.mkdir()
        out.mkdir()
        names: dict[str, str] = {}
        for index, (name, content) in enumerate(files.items()):
            stem = f"d{index:05d}"
            (source / f"{stem}.docx").write_bytes(content)
            names[stem] = name
        env = {**os.environ, **_font_env(root / "fonts"), "HOME": str(root)}
        args = [program, "--headless", "--norestore", "--nologo", f"-env:UserInstallation={(root / 'profile').as_uri()}",
                "--convert-to", "pdf", "--outdir", str(out), *sorted(str(p) for p in source.iterdir())]
        process = await asyncio.create_subprocess_exec(*args, env=env, stdout=asyncio.subprocess.PIPE,
                                                       stderr=asyncio.subprocess.PIPE)
        try:
            _, stderr = await asyncio.wait_for(process.communicate(), limit_seconds)
        except TimeoutError:
            process.kill()
            await process.wait()
            return Pdfs({}, f"LibreOffice did not finish within {limit_seconds:g} seconds")
        found = {names[p.stem]: p.read_bytes() for p in out.glob("*.pdf") if p.stem in names}
        if process.returncode != 0 or len(found) < len(names):
            log.warning("LibreOffice converted %d of %d files (exit %s): %s", len(found), len(names),
                        process.returncode, stderr.decode(errors="replace")[-300:])
            if not found:
                return Pdfs({}, f"LibreOffice could not convert the document (exit {process.returncode})")
        return Pdfs({Path(name).with_suffix(".pdf").name: data for name, data in found.items()})
