"""Paper documents in chat: the DOCX after each submission, the stamped scan back, staff downloads.

Rendering never runs inside an update's transaction: the submission's transaction only adds a
``submission_document`` row; after it commits, a background task fills the template (in a
thread), sends the DOCX to the manager and records it. A restart in between leaves the row
pending and the start-up sweep (and a periodic job) delivers it. Staff downloads and zips are
built the same way, off the update, and sent when ready.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram.ext import ContextTypes, JobQueue

from bot.documents import PdfMaker, kept_pdfs_maker, render_docx
from bot.form_context import profile_choices
from bot.round_documents import (
    Bundle,
    Download,
    assessment_table,
    pdf_note,
    round_zip,
    safe_name,
    station_fields,
    table_title,
    telegram_download,
)
from bot.routing import STAFF, Route, Router, Turn
from bot.services import Services
from conversations.documents import STAMP_AWAITING, STAMP_RECEIVED, document_context
from conversations.fields import FieldError
from conversations.fields.files import parse_file
from conversations.formspec import FieldSpec, load_form
from conversations.types import Button, ButtonInput, CommandInput, FileInput, OutgoingFile, Reply, keyboard
from locales import TN, Join, Raw, T, Text, Translator, translator
from rules.documents import chinese_date, document_kind, for_submission, registry, template_path
from rules.profile import load_profile
from services import rounds
from storage import documents as store
from storage.datetimes import db_time, local
from storage.ids import db_int
from storage.ledger import ledger_counts
from storage.models import (
    AssessmentEntry,
    AssessmentRound,
    Person,
    Station,
    Submission,
    SubmissionDocument,
)
from storage.outbox import enqueue
from storage.prepared_files import keep_file
from storage.rounds import PUBLISHED
from storage.submissions import version_of

log = logging.getLogger(__name__)
ZH = translator("zh_Hans")
SWEEP_EVERY_SECONDS = 60.0
SCAN = FieldSpec(name="scan", type="attachment", label="Stamped copy",
                 accept=("application/pdf", "image/*", ".pdf", ".jpg", ".jpeg", ".png"))
PRINT_LINE = T("Print it, sign and stamp it, then send the scan back here as a photo or PDF.")


def submitted_kind(kind_id: str) -> bool:
    """A kind rendered from submissions (zipped per kind and year); the assessment table comes per round."""
    kind = document_kind(kind_id)
    return kind is not None and kind.filled_from == "submission"


def kind_label(kind_id: str) -> Text:
    kind = document_kind(kind_id)
    return T(kind.label) if kind is not None else Raw(kind_id)


async def deliver(services: Services, doc_id: int) -> None:
    """Render the DOCX and queue it for the person who submitted; a failure is counted and retried by the sweep."""
    try:
        await _deliver(services, doc_id)
    except Exception:
        log.exception("document %s: delivery failed", doc_id)


async def _deliver(services: Services, doc_id: int) -> None:
    now = services.now()
    async with services.db.session() as session:  # read and render holding no writer's turn
        doc = await session.get(SubmissionDocument, doc_id)
        if doc is None or doc.status != store.PENDING:
            return
        try:
            filename, content = await build(session, doc, services.settings.tz)
            error = ""
        except Exception as exc:
            log.exception("document %s: rendering failed", doc_id)
            filename, content, error = "", b"", f"{type(exc).__name__}: {exc}"
    async with services.db.transaction() as session:
        doc = await session.get(SubmissionDocument, doc_id)
        if doc is None or doc.status != store.PENDING:
            return
        if error:
            _failed(doc, error)
            return
        doc.filename, doc.content = filename, content
        doc.rendered_at = db_time(now)
        doc.status = store.SENT
        person = await session.get(Person, doc.person_id) if doc.person_id else None
        if person is not None and person.chat_id is not None:
            # Through the one outbox like every proactive message: the bytes wait in prepared_file.
            kept = await keep_file(session, filename, content, now)
            caption = Join((T("{title} (number {number}, version {version}).", title=kind_label(doc.kind),
                              number=doc.submission_id, version=doc.version), PRINT_LINE), " ")
            await enqueue(session, key=f"document:{doc.id}", chat_id=person.chat_id, person_id=person.id,
                          reply=Reply(caption, file=OutgoingFile(filename, prepared_id=kept)),
                          kind="document", not_before=now, respect_quiet_hours=False)
            doc.sent_at = db_time(now)


def _failed(doc: SubmissionDocument, error: str) -> None:
    doc.attempts += 1
    doc.last_error = error[:500]
    if doc.attempts >= store.MAX_ATTEMPTS:
        doc.status = store.FAILED


async def sweep(services: Services) -> int:
    """Deliver what a restart (or a failed render) left pending, one document after another."""
    async with services.db.session() as session:
        ids = await store.pending(session)
    for doc_id in ids:
        await deliver(services, doc_id)
    return len(ids)


async def context_for(session: AsyncSession, doc: SubmissionDocument, tz: dt.tzinfo) -> dict[str, Any]:
    """The template variables of one submission version (answers, station, numbers, ledger facts).

    An application has no station yet: its document is filled from the answers alone.
    """
    submission = await session.get(Submission, doc.submission_id)
    station = await session.get(Station, doc.station_id) if doc.station_id else None
    kind = document_kind(doc.kind)
    assert submission is not None and kind is not None
    assert submission.id is not None
    version = await version_of(session, submission.id, doc.version)
    assert version is not None, "a document is made of a stored version"
    profile = load_profile(doc.policy_profile)
    submitted = local(version.submitted_at, tz)  # the day it was submitted, in TIMEZONE
    facts: dict[str, Any] = {}
    if kind.form == "annual_summary" and submission.year and station and station.id:
        counts = await ledger_counts(session, station.id, submission.year)
        facts["ledger"] = [{"label": ZH(T(a.label)), "count": str(counts.get(a.id, 0))} for a in profile.activity_types]
    return document_context(
        load_form(kind.form, profile.id), version.answers, choices=profile_choices(profile), render=ZH,
        today=submitted.date(), profile_id=profile.id, facts=facts,
        station=await station_fields(session, station),
        doc={"number": str(submission.id), "version": str(doc.version), "submitted_on": chinese_date(submitted.date()),
             "year": str(submission.year or "")})


async def build(session: AsyncSession, doc: SubmissionDocument, tz: dt.tzinfo) -> tuple[str, bytes]:
    """The DOCX of one submission version: the profile's template filled with its answers."""
    kind = document_kind(doc.kind)
    assert kind is not None
    template = template_path(doc.policy_profile, kind.id)
    if template is None:
        raise FileNotFoundError(f"no {kind.id} template for profile {doc.policy_profile}")
    context = await context_for(session, doc, tz)
    content = await asyncio.to_thread(render_docx, template, context)
    owner = context["station"]["name"] or next((v for v in context["f"].values() if v), "")
    name = f"{doc.submission_id}-{ZH(T(kind.label))}-{doc.year}-v{doc.version}-{safe_name(owner)}.docx"
    return name, content


async def queue_document(turn: Turn, submission: Submission, person_id: int | None,
                         profile_id: str | None = None) -> list[SubmissionDocument]:
    """Called inside the submission's transaction: add the pending rows; render after the commit.

    ``profile_id`` is needed only for a submission without a station (an application).
    """
    station = await turn.session.get(Station, submission.station_id) if submission.station_id else None
    profile = station.policy_profile if station is not None else profile_id
    if profile is None:
        return []
    docs = [await store.add_pending(turn.session, submission, kind.id, profile, person_id, turn.now)
            for kind in for_submission(submission.kind, profile)]
    services = turn.services
    for doc_id in [doc.id for doc in docs if doc.id is not None]:
        async def job(doc_id: int = doc_id) -> None:
            await deliver(services, doc_id)

        services.background.after_commit_job(turn, job, name=f"document:{doc_id}")
    return docs


# ---- the stamped scan ----------------------------------------------------------------------
async def scan_input(turn: Turn) -> list[Reply] | None:
    """A photo or PDF with no form open: the stamped copy of the newest document sent to print.

    A manager's scans go to their station's documents; an applicant's to the application's.
    """
    if not isinstance(turn.input, FileInput) or not turn.bindings:
        return None
    manager = turn.manager()
    person_ids = [p.id for p in turn.bindings if p.id is not None]
    waiting = await store.awaiting_scan(turn.session, manager.station_id if manager else None, person_ids)
    if not waiting:
        return None
    doc = waiting[0]
    try:
        scan = parse_file(turn.input, SCAN)
    except FieldError as error:
        return [Reply(error.message)]
    sender = doc.person_id if doc.person_id in person_ids else person_ids[-1]
    await store.attach_scan(turn.session, doc, scan, sender, turn.now)
    what = T("{title} (number {number}, version {version})", title=kind_label(doc.kind), number=doc.submission_id,
             version=doc.version)
    station = await turn.session.get(Station, doc.station_id) if doc.station_id else None
    from bot.submit import notify_staff

    notice = Reply(T("Stamped copy received: {what}, station {station}.", what=what,
                     station=Raw(station.name if station else "")),
                   file=OutgoingFile(scan["name"], file_id=scan["file_id"], kind=scan["kind"]))
    await notify_staff(turn, notice, key=f"stamped:{doc.id}")
    lines: list[Text] = [T("Thank you: the stamped copy is attached to {what}.", what=what)]
    if len(waiting) > 1:
        lines.append(TN("{n} more document still awaits its stamped copy; send each scan separately.",
                        "{n} more documents still await their stamped copy; send each scan separately.",
                        len(waiting) - 1))
    return [Reply(Join(tuple(lines)))]


# ---- staff: lists and downloads -------------------------------------------------------------
def status_text(doc: SubmissionDocument) -> Text:
    if doc.scan_received_at is not None:
        return STAMP_RECEIVED
    if doc.status == store.FAILED:
        return T("document could not be produced: {error}", error=Raw(doc.last_error[:100]))
    if doc.status == store.PENDING:
        return T("document being prepared")
    return STAMP_AWAITING


async def documents_command(turn: Turn) -> list[Reply]:
    """/documents, /documents <station number>, /documents <kind> <year>."""
    assert isinstance(turn.input, CommandInput)
    args = turn.input.args
    if len(args) == 1 and (station_id := db_int(args[0])) is not None:
        return await station_documents(turn, station_id)
    if len(args) == 2 and (year := db_int(args[1])) is not None and submitted_kind(args[0]):
        return start_zip(turn, args[0], year)
    rows = await store.kinds_and_years(turn.session)
    if not rows:
        return [Reply(T("No documents yet: each plan, summary or change report gets its document when submitted."))]
    lines: list[Text] = [T("Documents (DOCX, with PDF when LibreOffice is installed):")]
    buttons: list[list[Button]] = []
    for kind, year, count, stamped in rows[:12]:
        lines.append(T("{kind} {year}: {n} submitted, {stamped} stamped copies received, {waiting} awaiting.",
                       kind=kind_label(kind), year=Raw(str(year or "")), n=count, stamped=stamped,
                       waiting=count - stamped))
        if year is not None:
            buttons.append([Button(T("⬇ {kind} {year} (zip)", kind=kind_label(kind), year=Raw(str(year))),
                                   f"doc:z:{kind}:{year}")])
    lines.append(T("One station's documents: /documents <station number>. Kinds: {kinds}.",
                   kinds=Raw(", ".join(d.id for d in registry() if d.filled_from == "submission"))))
    return [Reply(Join(tuple(lines)), keyboard(*buttons))]


async def station_documents(turn: Turn, station_id: int) -> list[Reply]:
    station = await turn.session.get(Station, station_id)
    if station is None:
        return [Reply(T("There is no station number {number}.", number=station_id))]
    docs = await store.of_station(turn.session, station_id)
    tables = await store.assessment_entries(turn.session, station_id) if table_title(station.policy_profile) else []
    if not docs and not tables:
        return [Reply(T("Station {station} has no documents yet.", station=Raw(station.name)))]
    lines: list[Text] = [T("Documents of {station}:", station=Raw(station.name))]
    buttons: list[list[Button]] = []
    for doc in docs[:20]:
        year = Raw(f" {doc.year}" if doc.year else "")
        lines.append(T("#{number} {kind}{year} version {version}: {status}", number=doc.submission_id,
                       kind=kind_label(doc.kind), year=year, version=doc.version, status=status_text(doc)))
        row = []
        if doc.content is not None:
            row.append(Button(T("⬇ #{number} v{version}", number=doc.submission_id, version=doc.version),
                              f"doc:d:{doc.id}"))
        if doc.scan is not None:
            row.append(Button(T("🖨 stamped #{number} v{version}", number=doc.submission_id, version=doc.version),
                              f"doc:s:{doc.id}"))
        buttons.append(row)
    for entry_id, rnd in tables[:5]:
        period = Raw(str(rnd.period_end) if rnd.period_start == rnd.period_end else f"{rnd.period_start}–{rnd.period_end}")
        lines.append(T("Assessment table {period} (round #{number}).", period=period, number=rnd.id or 0))
        buttons.append([Button(T("⬇ Assessment table {period}", period=period), f"doc:t:{entry_id}")])
    return [Reply(Join(tuple(lines)), keyboard(*buttons))]


def downloader(services: Services) -> Download | None:
    """Stamped scans are Telegram files: fetched through the running bot (none in a bare test database)."""
    return telegram_download(services.bot) if services.bot is not None else None


def pdf_maker(services: Services) -> PdfMaker:
    """PDFs through the kept ones: a document converted once is not converted again."""
    return kept_pdfs_maker(services.db, services.now)


def start_zip(turn: Turn, kind: str, year: int) -> list[Reply]:
    """The zip is made after the commit, off the update, and arrives through the outbox."""
    download, pdfs = downloader(turn.services), pdf_maker(turn.services)

    async def work(session: AsyncSession, tr: Translator) -> Reply:
        content, count, reason = await zip_of(session, kind, year, download=download, pdfs=pdfs)
        if count == 0:
            return Reply(T("No {kind} documents for {year}.", kind=kind_label(kind), year=Raw(str(year))))
        lines: list[Text] = [TN("{kind} {year}: {n} document.", "{kind} {year}: {n} documents.", count,
                                kind=kind_label(kind), year=Raw(str(year)))]
        if reason:
            lines.append(pdf_note(reason))
        return Reply(Join(tuple(lines)), file=OutgoingFile(f"{ZH(kind_label(kind))}-{year}.zip", content))

    turn.services.background.after_commit(turn, work, name=f"documents-zip-{kind}-{year}")
    return [Reply(T("Preparing the zip of {kind} {year}; it will arrive here in a moment.", kind=kind_label(kind),
                    year=Raw(str(year))))]


async def zip_of(session: AsyncSession, kind: str, year: int, station_id: int | None = None,
                 download: Download | None = None, *, pdfs: PdfMaker) -> tuple[bytes, int, str]:
    """All newest documents of one kind and year as a zip: DOCX, PDF when possible, and the stamped scans
    beside their documents where received (``清单.txt`` says which is which); (zip, documents, PDF reason)."""
    docs = await store.latest_of_kind(session, kind, year, station_id)
    bundle = Bundle()
    for doc in docs:
        await bundle.add_document("", doc, download)
    await bundle.add_pdfs(pdfs)
    content = await asyncio.to_thread(bundle.zip, f"{ZH(kind_label(kind))} {year}：{bundle.documents}份")
    return content, bundle.documents, bundle.pdf_reason


# ---- a round's documents: each station's assessment table, and the round's zip --------------
async def round_tables(turn: Turn, rnd: AssessmentRound) -> list[Reply]:
    """The round's stations, a button each for its assessment table (as its regulation prints it)."""
    title = table_title(rnd.profile)
    if title is None:
        return [Reply(T("The regulation of this profile prescribes no assessment table; the round's zip holds its "
                        "stations' documents."))]
    entries = await store.round_entries(turn.session, rnd.id or 0)
    shown = entries[:30]
    lines: list[Text] = [T("Assessment tables of round #{number}: one per station, filled from the round's points.",
                           number=rnd.id or 0)]
    if rnd.status != PUBLISHED:
        lines.append(T("The round is not published yet: the tables are provisional."))
    if len(entries) > len(shown):
        lines.append(TN("{n} more station: /documents <station number>.", "{n} more stations: /documents <station number>.",
                         len(entries) - len(shown)))
    buttons = [[Button(Raw(f"⬇ {name}"), f"doc:t:{entry_id}")] for entry_id, name in shown]
    buttons.append([Button(T("⬇ All documents of the round (zip)"), f"doc:rz:{rnd.id}")])
    return [Reply(Join(tuple(lines)), keyboard(*buttons))]


def start_table(turn: Turn, entry: AssessmentEntry) -> list[Reply]:
    """One station's assessment table, rendered after the commit and sent through the outbox: the DOCX,
    then its PDF (or why there is none), as for a submission's document."""
    tz, pdfs = turn.services.settings.tz, pdf_maker(turn.services)
    no_table = T("The regulation of this profile prescribes no assessment table; the round's zip holds its "
                 "stations' documents.")

    async def table(session: AsyncSession) -> tuple[AssessmentRound, str, tuple[str, bytes] | None]:
        rnd = await session.get(AssessmentRound, entry.round_id)
        assert rnd is not None
        ev = await rounds.evaluate(session, rnd, tz=turn.services.settings.tz)
        found = await assessment_table(session, ev, next(e for e in ev.entries if e.id == entry.id), tz)
        return rnd, ev.name(entry.station_id), found

    async def docx(session: AsyncSession, tr: Translator) -> Reply:
        rnd, name, found = await table(session)
        if found is None:
            return Reply(no_table)
        note = T("Print it, sign and stamp it.") if rnd.status == PUBLISHED else \
            T("The round is not published yet: the tables are provisional.")
        return Reply(Join((Raw(name), note), " "), file=OutgoingFile(*found))

    async def pdf(session: AsyncSession, tr: Translator) -> Reply:
        _, name, found = await table(session)
        if found is None:
            return Reply(no_table)
        made = await pdfs({found[0]: found[1]})
        if not made.files:
            return Reply(pdf_note(made.reason))
        return Reply(Raw(name), file=OutgoingFile(*next(iter(made.files.items()))))

    turn.services.background.after_commit(turn, docx, name=f"assessment-table-{entry.id}")
    turn.services.background.after_commit(turn, pdf, name=f"assessment-table-pdf-{entry.id}")
    return [Reply(T("Preparing the assessment table; it will arrive here in a moment."))]


def start_round_zip(turn: Turn, round_id: int) -> list[Reply]:
    download, tz, pdfs = downloader(turn.services), turn.services.settings.tz, pdf_maker(turn.services)

    async def work(session: AsyncSession, tr: Translator) -> Reply:
        rnd = await session.get(AssessmentRound, round_id)
        assert rnd is not None
        made = await round_zip(session, rnd, tz, download, pdfs=pdfs)
        lines: list[Text] = [T("Round #{number}: {stations} stations, {tables} assessment tables, {documents} documents, "
                               "{scans} stamped copies.", number=round_id, stations=made.stations, tables=made.tables,
                               documents=made.documents, scans=made.scans)]
        if made.missing_scans:
            lines.append(TN("{n} stamped copy could not be fetched from Telegram; 清单.txt names it.",
                            "{n} stamped copies could not be fetched from Telegram; 清单.txt names them.",
                            made.missing_scans))
        if made.missing_pdfs:
            lines.append(TN("{n} PDF is missing; 清单.txt names it.", "{n} PDFs are missing; 清单.txt names them.",
                            made.missing_pdfs))
            lines.append(pdf_note(made.pdf_reason))
        elif made.pdfs:
            lines.append(T("Each document's PDF is beside its DOCX."))
        return Reply(Join(tuple(lines)), file=OutgoingFile(made.filename, made.content))

    turn.services.background.after_commit(turn, work, name=f"round-zip-{round_id}")
    return [Reply(T("Preparing the zip of round #{number}; it will arrive here in a moment.", number=round_id))]


async def doc_button(turn: Turn) -> list[Reply]:
    """``doc:d:<id>`` one document, ``doc:s:<id>`` its stamped copy, ``doc:z:<kind>:<year>`` a zip;
    ``doc:t:<entry id>`` a station's assessment table, ``doc:r:<round id>`` the round's tables,
    ``doc:rz:<round id>`` the round's zip. Every id is re-read from the database."""
    assert isinstance(turn.input, ButtonInput)
    parts = turn.input.data.split(":")
    if len(parts) == 4 and parts[1] == "z" and (year := db_int(parts[3])) is not None and submitted_kind(parts[2]):
        return start_zip(turn, parts[2], year)
    target = db_int(parts[2]) if len(parts) == 3 else None
    if target is not None and parts[1] in ("r", "rz"):
        rnd = await turn.session.get(AssessmentRound, target)
        if rnd is not None:
            return await round_tables(turn, rnd) if parts[1] == "r" else start_round_zip(turn, target)
    if target is not None and parts[1] == "t":
        entry = await turn.session.get(AssessmentEntry, target)
        if entry is not None:
            return start_table(turn, entry)
    doc = await turn.session.get(SubmissionDocument, target) if target is not None and parts[1] in ("d", "s") else None
    if doc is None:
        return [Reply(T("This button is no longer active."))]
    if parts[1] == "s" and doc.scan:
        scan = doc.scan
        return [Reply(T("Stamped copy of #{number} version {version}.", number=doc.submission_id, version=doc.version),
                      file=OutgoingFile(str(scan.get("name", "scan")), file_id=str(scan["file_id"]),
                                        kind="photo" if scan.get("kind") == "photo" else "document"))]
    if parts[1] == "d" and doc.content is not None:
        name, content, pdfs = doc.filename, doc.content, pdf_maker(turn.services)

        async def pdf(session: AsyncSession, tr: Translator) -> Reply:
            made = await pdfs({name: content})
            if not made.files:
                return Reply(pdf_note(made.reason))
            pdf_name, data = next(iter(made.files.items()))
            return Reply(T("The PDF of #{number} version {version}.", number=doc.submission_id, version=doc.version),
                         file=OutgoingFile(pdf_name, data))

        turn.services.background.after_commit(turn, pdf, name=f"document-pdf-{doc.id}")
        return [Reply(status_text(doc), file=OutgoingFile(name, content))]
    return [Reply(T("This button is no longer active."))]


def install(services: Services) -> None:
    """Deliver what a restart left pending, then every minute.

    The sweep runs on the one background runner (``bot/background.py``), like the renders it catches up.
    """

    async def start(job_queue: JobQueue[Any]) -> None:

        async def catch_up() -> None:
            await sweep(services)

        services.background.start(catch_up, name="documents-sweep")

        async def periodic(context: ContextTypes.DEFAULT_TYPE) -> None:
            services.background.start(catch_up, name="documents-sweep")

        job_queue.run_repeating(periodic, interval=SWEEP_EVERY_SECONDS, first=SWEEP_EVERY_SECONDS,
                                name="documents-sweep", job_kwargs={"max_instances": 1, "coalesce": True})

    services.on_job_queue(start)


def extend(router: Router, services: Services) -> None:
    router.add(Route("documents", STAFF, documents_command, menu_label=T("Documents to print and stamped copies"),
                     menu_order=75))
    router.add(Route("doc", STAFF, doc_button, kind="button"))
    router.take_without_form(scan_input)


__all__ = ["build", "deliver", "extend", "install", "queue_document", "sweep"]
