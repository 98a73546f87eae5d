"""Filling the Word templates (docxtpl), converting to PDF (LibreOffice headless) and zipping.

Blocking work (docxtpl, zip) runs in a worker thread and LibreOffice in a subprocess, so the
bot keeps answering other chats. Without LibreOffice the bot offers DOCX only and says why;
a conversion that fails or times out is reported, never raised into a chat. ``kept_pdfs_of``
converts only what was never converted before (the PDFs are kept in the database by content).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from docxtpl import DocxTemplate, Listing

from bot import fonts
from storage.db import Database
from storage.document_pdfs import keep_pdfs, kept_pdfs

log = logging.getLogger(__name__)

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TIMEOUT_SECONDS = 120.0
# DOCX files per LibreOffice run: a round of a thousand stations converts in runs that each finish in time
# (40 tables took 93 s of the 120 s limit at load 14 on 2 cores: bench/results/session3-paperwork.md).
PDF_BATCH = 20


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


def docx_key(content: bytes) -> str:
    """What a DOCX is, for the kept PDFs: its parts' names and bytes, not the zip's dates (the same
    assessment table rendered twice differs only in those)."""
    digest = hashlib.sha256()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                digest.update(info.filename.encode() + b"\0" + hashlib.sha256(archive.read(info)).digest())
    except zipfile.BadZipFile:
        digest.update(content)
    return digest.hexdigest()


def pdf_path(docx_name: str) -> str:
    """``folder/名.docx`` → ``folder/名.pdf`` (the PDF beside its DOCX)."""
    return str(PurePosixPath(docx_name).with_suffix(".pdf"))


# DOCX files by name -> their PDFs by ``pdf_path`` (and why some are missing).
PdfMaker = Callable[[Mapping[str, bytes]], Awaitable[Pdfs]]


def kept_pdfs_maker(db: Database, clock: Callable[[], dt.datetime]) -> PdfMaker:
    """``kept_pdfs`` bound to the bot's database and clock, for the zips and downloads."""

    async def make(files: Mapping[str, bytes]) -> Pdfs:
        return await kept_pdfs_of(db, files, clock)

    return make


async def kept_pdfs_of(db: Database, files: Mapping[str, bytes], clock: Callable[[], dt.datetime]) -> Pdfs:
    """PDFs of ``files`` (by ``pdf_path``): the kept ones read back, the others converted (``PDF_BATCH`` a run)
    and kept. ``reason`` says why some are missing (no LibreOffice: nothing is converted)."""
    keys = await asyncio.to_thread(lambda: {name: docx_key(content) for name, content in files.items()})
    async with db.session() as session:
        made = await kept_pdfs(session, keys.values())
    todo = {key: files[name] for name, key in keys.items() if key not in made}
    reason = ""
    batches = list(todo)
    for start in range(0, len(batches), PDF_BATCH):
        converted = await to_pdf({key: todo[key] for key in batches[start:start + PDF_BATCH]})
        reason = converted.reason or reason
        if converted.reason == NO_LIBREOFFICE:
            break
        fresh = {key: converted.files[f"{key}.pdf"] for key in batches[start:start + PDF_BATCH]
                 if f"{key}.pdf" in converted.files}
        if len(fresh) < min(PDF_BATCH, len(batches) - start) and not reason:
            reason = "LibreOffice could not convert some documents"
        if fresh:
            async with db.transaction() as session:
                await keep_pdfs(session, fresh, clock())
            made.update(fresh)
    return Pdfs({pdf_path(name): made[key] for name, key in keys.items() if key in made}, reason)
