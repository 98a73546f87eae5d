"""A round's paper: each station's assessment table, and all of the round's documents as one zip.

The assessment table (quzhou's 《绩效考核表》, wuhan-qis's 评价细则) is not a submission: it is filled
from the round — the points computed from the frozen ledger plus the points staff gave, the total,
the grade and rank — into the profile's template (``rules/profiles/documents/<profile>/assessment_table.docx``).
A published round shows its frozen result; an open one the current evaluation, marked provisional.

``round_zip`` is the one function behind the chat button, the staff API and any other door (the web
console's exports page): per station a folder with its assessment table, the newest version of each
document it submitted for the round's years, and the stamped scan beside each document where one came
back, and each DOCX's PDF beside it (LibreOffice, kept once made: ``bot.documents.kept_pdfs_of``), plus
``清单.txt`` saying which file is which — and which PDFs are missing and why, where LibreOffice is not installed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import mimetypes
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot

from bot.documents import NO_LIBREOFFICE, PdfMaker, pdf_path, render_docx, zip_files
from conversations import assessment as ui
from locales import Raw, T, Text, translator
from rules.assessment import totals_from_snapshot
from rules.documents import chinese_date, for_round, template_path
from rules.scoring import estimate_score
from services import rounds
from storage import documents as store
from storage.consequences import report_submission_ids
from storage.datetimes import local
from storage.models import AssessmentEntry, AssessmentRound, Society, Station, SubmissionDocument
from storage.rounds import PUBLISHED

log = logging.getLogger(__name__)
ZH = translator("zh_Hans")
STATION_KEYS = ("name", "plaque_name", "host_unit_name", "credit_code", "approval_number", "region", "society")
UNSCORED = "（待评）"
NONE = "—"

# A Telegram file id -> its bytes (a stamped scan); raises when the file cannot be fetched.
Download = Callable[[str], Awaitable[bytes]]


def telegram_download(bot: Bot) -> Download:
    """Stamped scans are kept as Telegram file ids: fetch their bytes through the bot."""

    async def download(file_id: str) -> bytes:
        found = await bot.get_file(file_id)
        return bytes(await found.download_as_bytearray())

    return download


def safe_name(text: str) -> str:
    """A file or folder name every unzip tool accepts (no path separators, no spaces)."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_")[:60]


async def station_fields(session: AsyncSession, station: Station | None) -> dict[str, str]:
    """What a document says about the station (``station.*`` in the templates); empty before it exists."""
    if station is None:
        return dict.fromkeys(STATION_KEYS, "")
    society = await session.get(Society, station.society_id) if station.society_id else None
    about = {"name": station.name, "plaque_name": station.plaque_name, "host_unit_name": station.host_unit_name,
             "credit_code": station.host_unit_credit_code, "approval_number": station.approval_number,
             "region": station.region, "society": society.name if society else ""}
    return {key: str(about.get(key) or "") for key in STATION_KEYS}


def points_text(value: float | None) -> str:
    return UNSCORED if value is None else ui.num(value).text


async def table_context(session: AsyncSession, ev: rounds.Evaluation, entry: AssessmentEntry,
                        tz: dt.tzinfo) -> dict[str, Any]:
    """The template variables of one station's assessment table (see tools/make_document_templates.py);
    ``tz``: the deployment's TIMEZONE, for the day the round was published."""
    rnd, spec, sid = ev.round, ev.spec, entry.station_id
    published = rnd.status == PUBLISHED and bool(entry.result)
    verdict = ev.outcome.verdicts[sid]
    if published:
        lines = {line["id"]: line.get("points") for line in entry.result.get("lines", [])}
        total, grade, rank, tier = (entry.result.get("total"), entry.result.get("grade"), entry.result.get("rank"),
                                    entry.result.get("tier"))
        absent = bool(entry.result.get("absent"))
    else:
        lines = {line.id: line.points for line in ev.points[sid].lines}
        total, grade, rank, tier, absent = ev.points[sid].total, verdict.grade, verdict.rank, verdict.tier, verdict.absent
    ranked = sum(1 for v in ev.outcome.verdicts.values() if v.rank is not None)
    totals = totals_from_snapshot(entry.snapshot.get("totals", {}).get(str(rnd.period_end)), rnd.period_end)
    estimate = estimate_score(totals, ev.profile)
    counters = {line.id: f"{ui.num(line.actual).text}（目标 {line.target}）"
                for line in (estimate.lines if estimate else []) if line.target is not None}
    tier_text = ui.tier_label(spec, tier)
    grade_text = ZH(ui.grade_label(spec, grade))
    if absent:
        grade_text += "（未参加考核）"
    published_on = (chinese_date(local(rnd.published_at, tz).date())
                    if rnd.published_at is not None else "")
    return {
        "station": await station_fields(session, await session.get(Station, sid)),
        "p": {row_id: points_text(points) for row_id, points in lines.items()},
        "c": counters,
        "total": points_text(total) if spec.points and not absent else NONE,
        "grade": grade_text,
        "rank": f"第{rank}名（共{ranked}个）" if rank is not None and not absent else NONE,
        "tier": ZH(tier_text) if tier_text is not None else "无",
        "round": {"period": f"{ui.period_text(rnd.period_start, rnd.period_end).text}年度", "number": str(rnd.id),
                  "state": f"{published_on}发布" if published else "暂定：考核结果尚未发布",
                  "published_on": published_on},
    }


def table_title(profile_id: str) -> str | None:
    """The assessment table's document kind label in Chinese, or None when the seed prescribes no table."""
    kinds = for_round(profile_id)
    return ZH(T(kinds[0].label)) if kinds else None


async def assessment_table(session: AsyncSession, ev: rounds.Evaluation, entry: AssessmentEntry,
                           tz: dt.tzinfo) -> tuple[str, bytes] | None:
    """One station's assessment table as DOCX (file name, bytes); None when its profile has no template."""
    kinds = for_round(ev.profile.id)
    template = template_path(ev.profile.id, kinds[0].id) if kinds else None
    if template is None:
        return None
    context = await table_context(session, ev, entry, tz)
    content = await asyncio.to_thread(render_docx, template, context)
    period = ui.period_text(ev.round.period_start, ev.round.period_end).text
    name = f"{ZH(T(kinds[0].label))}-{period}-{entry.station_id}-{safe_name(ev.name(entry.station_id))}.docx"
    return name, content


def scan_name(document_name: str, scan: dict[str, Any]) -> str:
    """The scan beside its document: ``<document>-盖章件.<jpg|pdf|…>``."""
    suffix = ""
    original = str(scan.get("name") or "")
    if "." in original:
        suffix = "." + original.rsplit(".", 1)[1].lower()
    elif scan.get("mime_type"):
        suffix = mimetypes.guess_extension(str(scan["mime_type"])) or ""
    if not suffix:
        suffix = ".jpg" if scan.get("kind") == "photo" else ".bin"
    stem = document_name.rsplit(".", 1)[0]
    return f"{stem}-盖章件{suffix}"


def pdf_note(reason: str) -> Text:
    """Why there is no PDF, for people (the reasons themselves are English, for logs)."""
    if reason == NO_LIBREOFFICE:
        return T("PDF not included: LibreOffice is not installed on the server (the README says how to add it).")
    return T("PDF not included: {reason}.", reason=Raw(reason))


@dataclass
class Bundle:
    """A zip being filled: files by path, and the index lines saying which is which."""

    files: dict[str, bytes] = field(default_factory=dict)
    index: list[str] = field(default_factory=list)
    documents: int = 0
    scans: int = 0
    missing_scans: list[str] = field(default_factory=list)
    docx: list[str] = field(default_factory=list)  # every DOCX's path: each gets its PDF beside it
    pdfs: int = 0
    missing_pdfs: list[str] = field(default_factory=list)
    pdf_reason: str = ""

    def add_docx(self, path: str, content: bytes) -> None:
        self.files[path] = content
        self.docx.append(path)

    async def add_pdfs(self, make: PdfMaker) -> None:
        """Each DOCX's PDF beside it (``make``: ``kept_pdfs_maker``); ``清单.txt`` lists the ones missing and why."""
        if not self.docx:
            return
        found = await make({path: self.files[path] for path in self.docx})
        self.files.update(found.files)
        self.pdfs = len(found.files)
        self.missing_pdfs = [path for path in self.docx if pdf_path(path) not in found.files]
        self.pdf_reason = found.reason if self.missing_pdfs else ""

    def pdf_lines(self) -> list[str]:
        if not self.docx:
            return []
        lines = [f"PDF：{self.pdfs}份，与同名 DOCX 放在一起。"]
        if self.missing_pdfs:
            lines.append(f"缺少 PDF 的文件（{len(self.missing_pdfs)}份）——{ZH(pdf_note(self.pdf_reason))}")
            lines += [f"　{path}" for path in self.missing_pdfs]
        return [*lines, ""]

    async def add_document(self, folder: str, doc: SubmissionDocument, download: Download | None) -> None:
        """A rendered document, and its stamped scan where one came back (fetched through ``download``)."""
        assert doc.content is not None
        path = f"{folder}{doc.filename}"
        self.add_docx(path, doc.content)
        self.documents += 1
        if doc.scan is None:
            self.index.append(f"{path}　等待盖章件")
            return
        scan_path = f"{folder}{scan_name(doc.filename, doc.scan)}"
        try:
            if download is None:
                raise LookupError("no bot to fetch files with")
            self.files[scan_path] = await download(str(doc.scan["file_id"]))
        except Exception as exc:  # a scan Telegram no longer serves: say so, keep the rest
            log.warning("stamped copy of document %s not fetched: %s", doc.id, exc)
            self.missing_scans.append(path)
            self.index.append(f"{path}　已收到盖章件，但未能取回文件")
            return
        self.scans += 1
        received = chinese_date(doc.scan_received_at.date()) if doc.scan_received_at else ""
        self.index.append(f"{path}　已收到盖章件 {received}：{scan_path}")

    def zip(self, heading: str) -> bytes:
        index = "\n".join([heading, "", *self.pdf_lines(), *self.index, ""])
        return zip_files({**self.files, "清单.txt": index.encode("utf-8")})


@dataclass(frozen=True)
class RoundZip:
    """What ``round_zip`` made: the zip's bytes and name, and counts for the message beside it."""

    content: bytes
    filename: str
    stations: int
    tables: int
    documents: int
    scans: int
    missing_scans: int
    pdfs: int
    missing_pdfs: int
    pdf_reason: str


async def round_zip(session: AsyncSession, rnd: AssessmentRound, tz: dt.tzinfo,
                    download: Download | None = None, *, pdfs: PdfMaker) -> RoundZip:
    """Every document of one round as a zip, a folder per station (see the module docstring).

    ``tz``: the deployment's TIMEZONE (``services.settings.tz``); ``download`` fetches stamped scans
    (``telegram_download(services.bot)``); None leaves them out and ``清单.txt`` lists them.
    ``pdfs`` makes the PDFs (``kept_pdfs_maker(services.db, services.now)``: converted once, then kept).
    Reads only (but for kept PDFs); the caller decides where the bytes go (a chat through the outbox, an
    HTTP response) and runs it off the update (the background runner, or a web request's own task).
    """
    ev = await rounds.evaluate(session, rnd, tz=tz)
    bundle = Bundle()
    tables = 0
    ids = [e.station_id for e in ev.entries]
    reports = await report_submission_ids(session, rnd.id or 0)  # filed in the next year, still this round's
    docs = await store.latest_for_stations(session, ids, rnd.period_start, rnd.period_end, reports)
    for entry in ev.entries:
        folder = f"{entry.station_id}-{safe_name(ev.name(entry.station_id))}/"
        table = await assessment_table(session, ev, entry, tz)
        if table is not None:
            bundle.add_docx(folder + table[0], table[1])
            bundle.index.append(f"{folder}{table[0]}　{'考核结果' if rnd.status == PUBLISHED else '暂定考核结果'}")
            tables += 1
        for doc in docs.get(entry.station_id, []):
            await bundle.add_document(folder, doc, download)
    await bundle.add_pdfs(pdfs)
    period = ui.period_text(rnd.period_start, rnd.period_end).text
    heading = f"{ZH(T(ev.profile.label))} {period}年度考核（第{rnd.id}号）：{len(ev.entries)}个服务站"
    content = await asyncio.to_thread(bundle.zip, heading)
    return RoundZip(content, f"assessment-{rnd.id}-{rnd.profile}-{period}.zip", len(ev.entries), tables,
                    bundle.documents, bundle.scans, len(bundle.missing_scans), bundle.pdfs, len(bundle.missing_pdfs),
                    bundle.pdf_reason)



__all__ = ["Bundle", "Download", "RoundZip", "assessment_table", "pdf_note", "round_zip", "station_fields",
           "table_context", "telegram_download"]
