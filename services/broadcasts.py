"""Broadcasts as use cases, shared by the chat's /broadcast and the web console's broadcast page.

A broadcast becomes one outbox row per person (deduplicated by chat: a manager of two stations, or a
person matched by two filters, gets one message); a scheduled one is the same rows with a future
``not_before``, so it survives restarts and is cancelled by marking its waiting rows cancelled. The
dispatcher holds rows that respect quiet hours until morning. Both channels call ``create`` and
``cancel`` here, so they write identical rows and the same audit entries.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.broadcast import STATIONS, delivery_state
from conversations.fields.files import DEFAULT_MAX_SIZE, parse_file
from conversations.formspec import FieldSpec
from conversations.quiet_hours import QuietHours
from conversations.types import FileInput, OutgoingFile, Reply
from locales import Raw
from storage.broadcasts import Delivery, cancel_waiting, deliveries
from storage.datetimes import db_time
from storage.models import AuditLog, Broadcast, Person
from storage.outbox import Outgoing, enqueue, enqueue_many
from storage.prepared_files import keep_file
from storage.recipients import (
    STATION_CONDITIONS,
    active_staff,
    demand_contacts,
    live_station_ids,
    once_per_person,
    station_managers,
)

MAX_TEXT = 4096
# With a document the text is its caption, which Telegram cuts at 1024 characters.
MAX_CAPTION = 1024
# What a broadcast may carry, from chat or the console: one document of the kinds offices pass round, at most
# 20 MB (the most a bot may fetch; a file uploaded in the console is sent by the bot to each recipient).
ATTACHMENT = FieldSpec(name="document", type="attachment", label="Document", max_size=DEFAULT_MAX_SIZE,
                       accept=(".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".wps", ".et", ".ofd",
                               ".txt", ".zip", ".rar", ".jpg", ".jpeg", ".png", "image/*", "application/pdf"))


async def recipients(session: AsyncSession, filters: Sequence[Mapping[str, Any]], today: dt.date) -> list[Person]:
    """Everyone the filters select (a union of groups), once per person; unreachable people included,
    so the delivery report can name them."""
    people: list[Person] = []
    for f in filters:
        kind = str(f.get("type"))
        if kind == "demand_contacts":
            people += await demand_contacts(session, reachable_only=False)
        elif kind == "staff":
            people += await active_staff(session, reachable_only=False)
        elif kind in ("all_managers", STATIONS) or kind in STATION_CONDITIONS:
            conditions = {k: str(v) for k, v in f.items()} if kind == STATIONS else \
                {} if kind == "all_managers" else {kind: str(f.get("value") or "1")}
            ids = await live_station_ids(session, conditions, today)
            people += await station_managers(session, ids, reachable_only=False) if ids else []
    return once_per_person(people)


def attachment_of(upload: FileInput) -> dict[str, Any]:
    """A broadcast's document, from chat or the console, checked against ``ATTACHMENT`` (raises FieldError)."""
    return parse_file(upload, ATTACHMENT)


async def keep_upload(session: AsyncSession, upload: FileInput, content: bytes, *, now: dt.datetime,
                      when: dt.datetime | None) -> dict[str, Any]:
    """A document uploaded in the console: Telegram has no file id for it yet, so its bytes wait in the
    database (``prepared_file``) for the outbox, a week past the time it is due to go (raises FieldError)."""
    document = attachment_of(upload)
    document.pop("file_id")
    document.pop("file_unique_id")
    document["prepared_id"] = await keep_file(session, document["name"], content, when or now)
    return document


def message_of(text: str, document: Mapping[str, Any] | None = None) -> Reply:
    """What each recipient gets: the text, with the document as its caption (a Telegram file id sent from
    chat, or the bytes uploaded in the console; a photo stays a photo)."""
    if not document:
        return Reply(Raw(text))
    kind: Literal["document", "photo"] = "photo" if document.get("kind") == "photo" else "document"
    file = OutgoingFile(str(document["name"]), file_id=document.get("file_id"), kind=kind,
                        prepared_id=document.get("prepared_id"))
    return Reply(Raw(text), file=file)


async def create(session: AsyncSession, *, staff: Person, text: str, filters: Sequence[Mapping[str, Any]],
                 now: dt.datetime, when: dt.datetime | None = None,
                 document: Mapping[str, Any] | None = None, form_token: str | None = None) -> Broadcast | None:
    """Send now (``when`` None) or schedule: the broadcast row, one outbox row per person, an audit entry.

    None when nobody matches the filters (nothing is written).
    """
    assert staff.id is not None
    people = await recipients(session, filters, now.date())
    if not people:
        return None
    item = Broadcast(created_by_person_id=staff.id, text=text[:MAX_TEXT], document=dict(document) if document else None,
                     audience={"filters": [dict(f) for f in filters]},
                     scheduled_for=db_time(when) if when else None, status="scheduled" if when else "sending",
                     recipients=len(people), created_at=db_time(now), form_token=form_token)
    session.add(item)
    await session.flush()
    message = message_of(item.text, document)
    await enqueue_many(session, [Outgoing(f"broadcast:{item.id}:person-{person.id}", person.chat_id or 0, message,
                                          "broadcast", person.id, broadcast_id=item.id) for person in people],
                       not_before=when or now)
    session.add(AuditLog(at=db_time(now), person_id=staff.id, action="broadcast", subject=f"broadcast:{item.id}",
                         detail={"recipients": len(people), "scheduled_for": when.isoformat() if when else None,
                                 "filters": item.audience["filters"]}))
    await session.flush()
    return item


async def send_test(session: AsyncSession, *, staff: Person, text: str, now: dt.datetime,
                    document: Mapping[str, Any] | None = None) -> bool:
    """The message as recipients will see it, to the staff member's own chat only, at once (even at night)."""
    if staff.chat_id is None or staff.id is None:
        return False
    return await enqueue(session, key=f"broadcast-test:person-{staff.id}:{db_time(now).isoformat()}",
                         chat_id=staff.chat_id, person_id=staff.id, reply=message_of(text[:MAX_TEXT], document),
                         kind="broadcast_test", not_before=now, respect_quiet_hours=False)


def cancellable(item: Broadcast, now: dt.datetime) -> bool:
    """Only a scheduled broadcast whose time has not come yet (its rows still wait)."""
    return item.status == "scheduled" and item.scheduled_for is not None and db_time(item.scheduled_for) > now


async def cancel(session: AsyncSession, broadcast_id: int, *, staff: Person, now: dt.datetime) -> int | None:
    """Cancel a scheduled broadcast: its waiting rows are never sent. None when it cannot be cancelled."""
    item = await session.get(Broadcast, broadcast_id)
    if item is None or not cancellable(item, now):
        return None
    count = await cancel_waiting(session, broadcast_id)
    item.status = "cancelled"
    session.add(item)
    session.add(AuditLog(at=db_time(now), person_id=staff.id, action="broadcast_cancel",
                         subject=f"broadcast:{broadcast_id}", detail={"messages": count}))
    await session.flush()
    return count


@dataclass
class Report:
    """A broadcast's delivery report: its state, counts by delivery state, and each recipient's state."""

    item: Broadcast
    state: str
    counts: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    rows: list[tuple[Delivery, str]] = field(default_factory=list)

    @property
    def waiting(self) -> int:
        return self.counts["waiting"] + self.counts["quiet_hours"] + self.counts["scheduled"]


def state_of(item: Broadcast, waiting: int, now: dt.datetime) -> str:
    if item.status == "cancelled":
        return "cancelled"
    if cancellable(item, now):
        return "scheduled"
    return "sending" if waiting else "finished"


async def reports(session: AsyncSession, items: Sequence[Broadcast], now: dt.datetime,
                  quiet: QuietHours) -> list[Report]:
    """The delivery reports of ``items``, from their outbox rows (one query for all)."""
    by_id = await deliveries(session, [i.id for i in items if i.id is not None])
    quiet_now = quiet.at(now)
    found = []
    for item in items:
        report = Report(item, "")
        for row in by_id.get(item.id or 0, []):
            state = delivery_state(row.status, row.last_error, db_time(row.not_before), row.respect_quiet_hours,
                                   db_time(now), quiet_now)
            report.counts[state] += 1
            if state == "failed":
                report.reasons[row.last_error.split(":", 1)[0] or "?"] += 1
            report.rows.append((row, state))
        report.state = state_of(item, report.waiting, now)
        found.append(report)
    return found
