"""All tables in one place (the full-stack-fastapi-template habit): easy to review and migrate.

Enumerations are stored as short strings (not database enums) so that adding a value is a
data change, not a migration on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.datetimes import utcnow as clock_utcnow


def utcnow() -> dt.datetime:
    """Row defaults read the injected clock (``storage.datetimes.utcnow``), not the wall clock."""
    return clock_utcnow()


class SocietyLevel(StrEnum):
    national = "national"
    provincial = "provincial"
    municipal = "municipal"


class StationStatus(StrEnum):
    active = "active"
    rectifying = "rectifying"
    revoked = "revoked"
    exited = "exited"


# Stations that still get reminders, broadcasts and rounds; revoked and exited ones keep their history.
LIVE_STATUSES = (StationStatus.active.value, StationStatus.rectifying.value)


class Role(StrEnum):
    manager = "manager"
    liaison = "liaison"
    staff = "staff"
    demand_contact = "demand_contact"
    # Someone who opened a profile's application link: may fill and follow station applications only.
    applicant = "applicant"


class SubmissionStatus(StrEnum):
    submitted = "submitted"
    returned = "returned"
    accepted = "accepted"


class OutboxStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    cancelled = "cancelled"


class Society(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    level: str = Field(default=SocietyLevel.provincial, max_length=20)


class Station(SQLModel, table=True):
    # Stations by profile and status (the console's overview, live profiles) read from the index alone.
    __table_args__ = (Index("ix_station_profile_status", "policy_profile", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    plaque_name: str = Field(default="", max_length=300)
    approval_number: str = Field(default="", max_length=100)
    station_type: str = Field(default="", max_length=50)
    host_unit_name: str = Field(default="", max_length=200)
    host_unit_credit_code: str = Field(default="", max_length=18)
    region: str = Field(default="", max_length=100, index=True)
    society_id: int | None = Field(default=None, foreign_key="society.id", index=True)
    policy_profile: str = Field(max_length=50, index=True)
    founded_on: dt.date | None = None
    agreement_start: dt.date | None = None
    agreement_end: dt.date | None = None
    manager_certificate_expiry: dt.date | None = None
    status: str = Field(default=StationStatus.active, max_length=20, index=True)
    created_at: dt.datetime = Field(default_factory=utcnow)


class DemandUnit(SQLModel, table=True):
    __tablename__ = "demand_unit"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    credit_code: str = Field(default="", max_length=18)
    region: str = Field(default="", max_length=100)
    contact_name: str = Field(default="", max_length=100)
    contact_phone: str = Field(default="", max_length=40)
    created_by_station_id: int | None = Field(default=None, foreign_key="station.id", index=True)
    created_at: dt.datetime = Field(default_factory=utcnow)


class Person(SQLModel, table=True):
    """Anyone the bot knows; one row per (Telegram user, role binding)."""

    __table_args__ = (Index("ix_person_tg_role", "telegram_user_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    name: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=40)
    language: str = Field(default="zh_Hans", max_length=10)
    language_chosen: bool = False
    role: str = Field(max_length=20, index=True)
    station_id: int | None = Field(default=None, foreign_key="station.id", index=True)
    demand_unit_id: int | None = Field(default=None, foreign_key="demand_unit.id", index=True)
    reachable: bool = True
    active: bool = True
    created_at: dt.datetime = Field(default_factory=utcnow)


class Invite(SQLModel, table=True):
    """A single-use deep-link token; only its hash is stored, so a leaked table grants nothing."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    purpose: str = Field(default="invite", max_length=20)
    role: str = Field(max_length=20)
    station_id: int | None = Field(default=None, foreign_key="station.id")
    demand_unit_id: int | None = Field(default=None, foreign_key="demand_unit.id")
    rating_request_id: int | None = Field(default=None, foreign_key="rating_request.id")
    # Application links (purpose "apply") name the policy profile the new station will follow.
    policy_profile: str = Field(default="", max_length=50)
    created_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
    expires_at: dt.datetime
    used_at: dt.datetime | None = None
    used_by_telegram_user_id: int | None = Field(default=None, sa_column=Column(BigInteger))


# The draft's revision doubles as its optimistic lock: every UPDATE or DELETE of a draft says
# ``WHERE id = :id AND rev = :rev_read``, so two quick taps (or two workers) can't both move one
# draft on, nor submit it twice; the loser gets StaleDataError and the door rolls it back.
_DRAFT_REV = Column("rev", Integer, nullable=False)


class Draft(SQLModel, table=True):
    """A half-finished form, written after every accepted answer: restarts lose nothing."""

    __table_args__ = (UniqueConstraint("person_id", "form_id", "subject_key", name="uq_draft_person_form"),)
    __mapper_args__ = {"version_id_col": _DRAFT_REV, "version_id_generator": False}

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    form_id: str = Field(max_length=50)
    subject_key: str = Field(default="", max_length=100)
    station_id: int | None = Field(default=None, foreign_key="station.id")
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    rev: int = Field(default=0, sa_column=_DRAFT_REV)
    # "active": the form the person is filling; "parked": kept after cancel, resumable later.
    status: str = Field(default="active", max_length=20)
    submission_id: int | None = Field(default=None, foreign_key="submission.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class Submission(SQLModel, table=True):
    """A submitted form (plan, summary, change report ...); its content lives in versions.

    A station application (kind "application") has no station yet: ``station_id`` is empty until
    approval creates the station (see ``StationApplication``).
    """

    # The second index serves the review queue: what awaits review, oldest first, paged (no sort of thousands).
    # The third: a year's late submissions (the overview's and /dashboard's "late" per region) without a scan.
    __table_args__ = (Index("ix_submission_station_kind_year", "station_id", "kind", "year"),
                      Index("ix_submission_year_late", "year", "late_workdays"),
                      Index("ix_submission_queue", "status", "submitted_at", "id"))

    id: int | None = Field(default=None, primary_key=True)
    station_id: int | None = Field(default=None, foreign_key="station.id", index=True)
    kind: str = Field(max_length=50)
    year: int | None = None
    status: str = Field(default=SubmissionStatus.submitted, max_length=20, index=True)
    current_version: int = 1
    due_on: dt.date | None = None
    event_on: dt.date | None = None
    late_workdays: int = 0
    review_comment: str = Field(default="", max_length=4000)
    reviewed_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    reviewed_at: dt.datetime | None = None
    submitted_at: dt.datetime = Field(default_factory=utcnow, index=True)  # "this month's submissions"


class SubmissionVersion(SQLModel, table=True):
    __tablename__ = "submission_version"
    __table_args__ = (UniqueConstraint("submission_id", "version", name="uq_submission_version"),)

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    version: int
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    submitted_by_person_id: int = Field(foreign_key="person.id")
    submitted_at: dt.datetime = Field(default_factory=utcnow)


class SubmissionDocument(SQLModel, table=True):
    """The paper document of one submission version: the DOCX to print, sign and stamp, and the scan back.

    Rendered after the submission commits (never inside the update's transaction); the bytes are
    kept so staff download exactly what the manager printed, whatever changes later.
    """

    __tablename__ = "submission_document"
    __table_args__ = (UniqueConstraint("submission_id", "version", "kind", name="uq_submission_document"),)

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    version: int
    kind: str = Field(max_length=30, index=True)
    policy_profile: str = Field(max_length=50)
    station_id: int | None = Field(default=None, foreign_key="station.id", index=True)  # None: an application
    year: int | None = None
    person_id: int | None = Field(default=None, foreign_key="person.id")
    status: str = Field(default="pending", max_length=20, index=True)
    filename: str = Field(default="", max_length=200)
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    attempts: int = 0
    last_error: str = Field(default="", max_length=500)
    telegram_file_id: str = Field(default="", max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow)
    rendered_at: dt.datetime | None = None
    sent_at: dt.datetime | None = None
    scan: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    scan_received_at: dt.datetime | None = None
    scan_by_person_id: int | None = Field(default=None, foreign_key="person.id")


class Expert(SQLModel, table=True):
    """A station's roster of experts (进站专家): counts of "专家 N 人" read people, not names typed anew."""

    __table_args__ = (UniqueConstraint("station_id", "name", name="uq_expert_station_name"),)

    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    name: str = Field(max_length=100)
    title: str = Field(default="", max_length=200)
    outside_province: bool = False
    created_at: dt.datetime = Field(default_factory=utcnow)


class Need(SQLModel, table=True):
    """A technical need of a demand unit that a station serves (seed 003 "服务的技术需求 N 项")."""

    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    demand_unit_id: int = Field(foreign_key="demand_unit.id", index=True)
    title: str = Field(max_length=300)
    created_at: dt.datetime = Field(default_factory=utcnow)


class ActivityExpert(SQLModel, table=True):
    """Which roster experts took part in an activity, and each one's days at the station for it."""

    __tablename__ = "activity_expert"

    activity_id: int = Field(foreign_key="activity.id", primary_key=True)
    expert_id: int = Field(foreign_key="expert.id", primary_key=True, index=True)
    days: int = 0


class StationApplication(SQLModel, table=True):
    """A host unit's application for a new station: review (a Submission), 公示, then approval or refusal.

    ``stage``: review -> notice (公示, where the profile has one) -> decision -> approved | refused.
    ``checklist`` holds staff's tick per precondition id of the profile: {id: {"ok", "by", "at"}}.
    """

    __tablename__ = "station_application"

    id: int | None = Field(default=None, primary_key=True)
    policy_profile: str = Field(max_length=50, index=True)
    submission_id: int = Field(foreign_key="submission.id", unique=True)
    applicant_person_id: int = Field(foreign_key="person.id", index=True)
    stage: str = Field(default="review", max_length=20, index=True)
    checklist: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    station_id: int | None = Field(default=None, foreign_key="station.id")
    approval_number: str = Field(default="", max_length=100)
    plaque_name: str = Field(default="", max_length=300)
    refusal_reason: str = Field(default="", max_length=4000)
    decided_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    decided_at: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)


class PublicNotice(SQLModel, table=True):
    """A 公示 period for any subject (``subject_type`` + ``subject_id``): an application, an assessment result.

    Anyone may object while it runs; staff answer every objection before the subject is concluded.
    """

    __tablename__ = "public_notice"
    __table_args__ = (UniqueConstraint("subject_type", "subject_id", name="uq_public_notice_subject"),)

    id: int | None = Field(default=None, primary_key=True)
    subject_type: str = Field(max_length=50)
    subject_id: int
    title: str = Field(max_length=300)
    starts_at: dt.datetime
    ends_at: dt.datetime = Field(index=True)
    source: str = Field(default="", max_length=200)
    created_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    closed_at: dt.datetime | None = None


class Objection(SQLModel, table=True):
    """An objection to a public notice (异议), filed with a reason and answered by staff (调查核实结果)."""

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="public_notice.id", index=True)
    telegram_user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    name: str = Field(default="", max_length=100)
    reason: str = Field(max_length=4000)
    filed_at: dt.datetime = Field(default_factory=utcnow)
    upheld: bool | None = None
    answer: str = Field(default="", max_length=4000)
    answered_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    answered_at: dt.datetime | None = None


class Activity(SQLModel, table=True):
    """One row of the station ledger (工作台帐)."""

    # started_on alone: the network's ledger of a month or year (the console's overview, the API's year filter)
    # ix_activity_totals covers the year's aggregates (``storage.ledger.totals_by_station``): read
    # from the index alone, not from the wide rows (issue 14).
    __table_args__ = (Index("ix_activity_station_date", "station_id", "started_on"),
                      Index("ix_activity_started_on", "started_on"),
                      Index("ix_activity_totals", "station_id", "started_on", "activity_type", "demand_unit_id",
                            "need_id", "expert_days", "participants"))

    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id")
    activity_type: str = Field(max_length=50)
    title: str = Field(max_length=300)
    started_on: dt.date
    ended_on: dt.date | None = None
    demand_unit_id: int | None = Field(default=None, foreign_key="demand_unit.id", index=True)
    need_id: int | None = Field(default=None, foreign_key="need.id", index=True)
    experts: str = Field(default="", max_length=1000)
    experts_count: int = 0
    experts_outside_province: int = 0
    expert_days: int = 0
    participants: int = 0
    outcomes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    attachments: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    logged_by_person_id: int = Field(foreign_key="person.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


class RatingRequest(SQLModel, table=True):
    """A request to a demand unit to rate one service (or, kind=yearly, the station's year)."""

    __tablename__ = "rating_request"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="service", max_length=20)
    station_id: int = Field(foreign_key="station.id", index=True)
    activity_id: int | None = Field(default=None, foreign_key="activity.id", index=True)
    demand_unit_id: int = Field(foreign_key="demand_unit.id", index=True)
    year: int | None = None
    status: str = Field(default="open", max_length=20, index=True)
    created_at: dt.datetime = Field(default_factory=utcnow)
    expires_at: dt.datetime
    answered_at: dt.datetime | None = None


class Rating(SQLModel, table=True):
    # The covering index answers a year's aggregates (rating_aggregates: the overview, the API) from the index.
    __table_args__ = (UniqueConstraint("request_id", name="uq_rating_request"),
                      Index("ix_rating_year_cover", "created_at", "request_id", "station_id", "score"))

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="rating_request.id")
    station_id: int = Field(foreign_key="station.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    scores: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    score: float = 0.0
    comment: str = Field(default="", max_length=4000)
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = Field(default_factory=utcnow, index=True)  # a year's ratings (aggregates)


class OutboxMessage(SQLModel, table=True):
    """Every proactive message: enqueue is idempotent by key, sending is recorded."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "not_before"),)

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200, unique=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: str = Field(max_length=50)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=OutboxStatus.pending, max_length=20)
    not_before: dt.datetime = Field(default_factory=utcnow)
    respect_quiet_hours: bool = True
    attempts: int = 0
    last_error: str = Field(default="", max_length=500)
    telegram_message_id: int | None = None
    broadcast_id: int | None = Field(default=None, foreign_key="broadcast.id", index=True)
    created_at: dt.datetime = Field(default_factory=utcnow)
    sent_at: dt.datetime | None = None


class Broadcast(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_by_person_id: int = Field(foreign_key="person.id")
    text: str = Field(max_length=4096)
    document: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    audience: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    scheduled_for: dt.datetime | None = None
    status: str = Field(default="draft", max_length=20)
    recipients: int = 0
    created_at: dt.datetime = Field(default_factory=utcnow)
    # The console form's one-time token: a double click on "Send now" creates one broadcast, not two.
    form_token: str | None = Field(default=None, max_length=64, unique=True, index=True)


class DispatcherLock(SQLModel, table=True):
    """A lease row: only the holder of an unexpired lease sends from the outbox."""

    __tablename__ = "dispatcher_lock"

    name: str = Field(primary_key=True, max_length=50)
    holder: str = Field(max_length=100)
    expires_at: dt.datetime


class HolidayDay(SQLModel, table=True):
    """An official schedule day loaded by staff: it overrides chinese-calendar and the fallback."""

    __tablename__ = "holiday_day"

    day: dt.date = Field(primary_key=True)
    is_workday: bool
    name: str = Field(default="", max_length=100)
    loaded_at: dt.datetime = Field(default_factory=utcnow)


class PolicyOverrideRow(SQLModel, table=True):
    """A society's override file for one profile (rules.policy), as loaded: every process reads it from here."""

    __tablename__ = "policy_override"

    profile_id: str = Field(primary_key=True, max_length=40)
    body: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    file_name: str = Field(default="", max_length=200)
    loaded_at: dt.datetime = Field(default_factory=utcnow)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    # aggregates (counts, averages, scores) < individual (also single ratings and comments) < write
    scope: str = Field(default="aggregates", max_length=20)
    created_at: dt.datetime = Field(default_factory=utcnow)
    revoked_at: dt.datetime | None = None


class ConsoleSession(SQLModel, table=True):
    """A staff member's signed-in browser: only the cookie's SHA-256 is stored, like every token here.

    Valid while not ended, used within the idle limit, and while its person is still active staff
    (checked on every request, so a person who stops being staff is out at once).
    """

    __tablename__ = "console_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: dt.datetime
    last_seen_at: dt.datetime
    ended_at: dt.datetime | None = None


class AuditLog(SQLModel, table=True):
    """Who did what and when: falsified material is a cause for revocation in every seed."""

    __tablename__ = "audit_log"
    # a station's status history: subject "station:<id>", action "station_status"
    __table_args__ = (Index("ix_audit_log_subject_action", "subject", "action"),)

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    action: str = Field(max_length=50)
    subject: str = Field(default="", max_length=100)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class DocumentPdf(SQLModel, table=True):
    """A DOCX's PDF as LibreOffice made it, found by the DOCX's content (its parts, not its zip dates).

    Converting takes seconds a document; a round's zip of a thousand stations asked for twice, or a
    table asked for again, must not convert everything again. Pruned when old (``storage.document_pdfs``).
    """

    __tablename__ = "document_pdf"

    key: str = Field(primary_key=True, max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: dt.datetime = Field(index=True)


class PreparedFile(SQLModel, table=True):
    """A file made off the update path (an export, a chart, a document) waiting for the outbox.

    The outbox row names it; the dispatcher uploads the bytes, and it is pruned once sent or
    old. Kept in the database, not on disk, so any worker of a shared database can send it.
    """

    __tablename__ = "prepared_file"

    id: int | None = Field(default=None, primary_key=True)
    filename: str = Field(max_length=200)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: dt.datetime = Field(index=True)


class PreparedDownload(SQLModel, table=True):
    """A file staff asked for in the web console (the year's workbook, a zip of documents), made off the request.

    The page polls this row; ``prepared_file_id`` names the bytes once ready (no foreign key: prepared
    files are pruned after a week, and the page then says the file is gone).
    """

    __tablename__ = "prepared_download"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # workbook | documents | round
    year: int
    detail: str = Field(default="", max_length=50)  # the document kind, or the round's id
    language: str = Field(default="zh_Hans", max_length=10)
    requested_by_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    status: str = Field(default="preparing", max_length=20)  # preparing | ready | failed
    created_at: dt.datetime = Field(index=True)
    finished_at: dt.datetime | None = None
    prepared_file_id: int | None = None
    filename: str = Field(default="", max_length=200)
    size: int = 0
    count: int = 0  # documents in a zip
    note: str = Field(default="", max_length=300)  # why a zip has no PDFs, or what failed (English, for staff)


class ProcessedUpdate(SQLModel, table=True):
    """Telegram update ids already handled: two workers never process one update twice."""

    __tablename__ = "processed_update"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    at: dt.datetime = Field(default_factory=utcnow)


class ManualScore(SQLModel, table=True):
    """Points staff gave one manual row of a station's assessment table for a year (quzhou 设施, 经费制度 ...).

    The ledger cannot tell these rows; the estimate counts them only once a row is here.
    """

    __tablename__ = "manual_score"
    __table_args__ = (UniqueConstraint("station_id", "year", "item_id", name="uq_manual_score"),)

    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    year: int = Field(index=True)
    item_id: str = Field(max_length=24)
    points: float
    source: str = Field(default="chat", max_length=20)
    scored_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    scored_at: dt.datetime = Field(default_factory=utcnow)


class AssessmentRound(SQLModel, table=True):
    """One profile's assessment of a period (a year; three for gd-quality), opened by staff.

    ``status``: open (material and scoring) → publicity (公示, objections) → published (final).
    ``staff_order``: station ids in the order staff decided ties at a quota or tier boundary.
    """

    __tablename__ = "assessment_round"

    id: int | None = Field(default=None, primary_key=True)
    profile: str = Field(max_length=50, index=True)
    period_start: int
    period_end: int = Field(index=True)
    material_deadline: dt.date
    status: str = Field(default="open", max_length=20, index=True)
    staff_order: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    opened_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    opened_at: dt.datetime = Field(default_factory=utcnow)
    publicity_until: dt.date | None = None
    published_at: dt.datetime | None = None


class AssessmentEntry(SQLModel, table=True):
    """One station in a round: the inputs frozen at opening, then the verdict.

    ``snapshot`` holds the ledger totals, ratings aggregate and submissions as they were when the round
    opened, so later edits do not move a score; ``result`` is written at final publication and never
    recomputed (total, rows, grade, rank, tier).
    """

    __tablename__ = "assessment_entry"
    __table_args__ = (UniqueConstraint("round_id", "station_id", name="uq_assessment_entry"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="assessment_round.id", index=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    staff_grade: str | None = Field(default=None, max_length=20)
    took_part: bool | None = None  # None: decided by the material submitted by the deadline
    absence_excused: bool = False
    grade: str | None = Field(default=None, max_length=20)
    rank: int | None = None
    tier: str | None = Field(default=None, max_length=20)
    total: float | None = None
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Consequence(SQLModel, table=True):
    """What a round's verdict leads to: proposed by the bot, confirmed (or dismissed) by staff.

    ``action``: rectification (with ``due_on`` and a report), revocation, reexamination.
    ``status``: proposed → confirmed → closed / escalated, or dismissed.
    """

    id: int | None = Field(default=None, primary_key=True)
    round_id: int | None = Field(default=None, foreign_key="assessment_round.id", index=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    action: str = Field(max_length=20)
    article: str = Field(max_length=200)
    clawback: bool = False
    status: str = Field(default="proposed", max_length=20, index=True)
    due_on: dt.date | None = None
    report_submission_id: int | None = Field(default=None, foreign_key="submission.id")
    decided_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    decided_at: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
