"""A document attached to a broadcast in the console: uploaded with the composer's form, sent by the outbox.

Chat's /broadcast attaches a document by sending it with the text as its caption; the console's
composer uploads one. Both go through ``services.broadcasts`` (one check of type and size, one
``create``, one outbox row per person) and the sandbox chats receive the document with the text.
The bytes are uploaded to Telegram once; every later recipient gets the ``file_id`` Telegram answered
(Bot API ``sendDocument``: ``document`` may be a file_id string), and the bytes again only if Telegram
refuses that id.
"""

from __future__ import annotations

import httpx
from sqlmodel import select

from bot.services import FixedClock
from conversations.fields.files import DEFAULT_MAX_SIZE
from storage.models import Broadcast, OutboxMessage, PreparedFile
from testing.client import Call, Sandbox, joined
from testing.sandbox import ApiFault
from tests.security.support import CONTACT, MANAGER_A, MANAGER_B, STAFF_EN
from tests.webapp.console_support import browser_like, csrf_of
from tests.webapp.test_console_broadcasts import compose, deliver, signed_in

__all__ = ["browser_like"]

PDF = b"%PDF-1.4 the 2027 plan template\n" + bytes(range(256)) * 40
TEXT = "The 2027 plan template is attached."


def received(box: Sandbox, user_id: int) -> list[tuple[str, bytes]]:
    return [(c.text, c.files["document"]) for c in box.api.calls_to(user_id) if c.method == "sendDocument"]


def sent_documents(box: Sandbox) -> list[Call]:
    return [c for c in box.api.calls if c.method == "sendDocument"]


def file_id_answered(box: Sandbox, call: Call) -> str:
    """The ``file_id`` of the document in the message the sandbox Bot API answered ``call`` with."""
    assert call.chat_id is not None
    message = box.api.last_message(call.chat_id)
    assert message is not None and "document" in message
    return str(message["document"]["file_id"])


async def test_a_document_uploaded_in_the_console_reaches_each_recipients_chat(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    await signed_in(web_box, browser_like)
    composer = await browser_like.get("/console/broadcasts")
    assert 'enctype="multipart/form-data"' in composer.text and 'type="file" name="document"' in composer.text
    answer = await browser_like.post("/console/broadcasts", data=compose(browser_like, "send", TEXT, managers="1"),
                                     files={"document": ("计划模板.pdf", PDF, "application/pdf")})
    assert answer.status_code == 303, answer.text
    report = await browser_like.get(answer.headers["location"])
    assert "计划模板.pdf" in report.text, "the report names the document"
    assert await deliver(web_box, clock) == 2
    first, second = sent_documents(web_box)
    assert {first.chat_id, second.chat_id} == {MANAGER_A.id, MANAGER_B.id}
    assert first.text == second.text == TEXT
    assert first.files["document"] == PDF, "the first recipient's request uploads the bytes"
    assert "document" not in second.files and second.params["document"] == file_id_answered(web_box, first), \
        "the second recipient's request names the file_id Telegram gave the first: no second upload"
    assert web_box.api.calls_to(CONTACT.id) == [], "not in the audience"
    async with web_box.services.db.session() as session:
        item = (await session.exec(select(Broadcast))).one()
        queued = (await session.exec(select(OutboxMessage).where(OutboxMessage.broadcast_id == item.id))).all()
        kept = (await session.exec(select(PreparedFile))).all()
    assert item.document is not None and item.document["name"] == "计划模板.pdf" and item.document["size"] == len(PDF)
    assert len(queued) == 2 and len(kept) == 1, "one stored copy of the bytes for every recipient's row"


async def test_a_test_with_the_document_goes_to_the_staff_members_own_chat(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    await signed_in(web_box, browser_like)
    answer = await browser_like.post("/console/broadcasts", data=compose(browser_like, "test", TEXT, managers="1"),
                                     files={"document": ("plan.docx", b"PK\x03\x04 a docx", "application/msword")})
    assert answer.status_code == 200 and "A test was sent to your own chat." in answer.text
    assert await deliver(web_box, clock) == 1
    assert received(web_box, STAFF_EN.id) == [(TEXT, b"PK\x03\x04 a docx")]
    assert web_box.api.calls_to(MANAGER_A.id) == []


async def test_console_and_chat_refuse_the_same_attachments(web_box: Sandbox, clock: FixedClock,
                                                            browser_like: httpx.AsyncClient) -> None:
    """One check (``services.broadcasts.ATTACHMENT``): a program file and a file over 20 MB are refused in both."""
    await signed_in(web_box, browser_like)
    program = await browser_like.post("/console/broadcasts", data=compose(browser_like, "send", TEXT, managers="1"),
                                      files={"document": ("setup.exe", b"MZ", "application/octet-stream")})
    assert program.status_code == 200 and "setup.exe is not a file type" in program.text, program.text
    assert "Attach the document again" in program.text and TEXT in program.text, "the form keeps the text"
    big = await browser_like.post("/console/broadcasts", data=compose(browser_like, "send", TEXT, managers="1"),
                                  files={"document": ("scan.pdf", b"%" * (DEFAULT_MAX_SIZE + 1), "application/pdf")})
    assert big.status_code == 200 and "files here can be at most 20.0 MB" in big.text
    huge = await browser_like.post("/console/broadcasts", data=compose(browser_like, "send", TEXT, managers="1"),
                                   files={"document": ("scan.pdf", b"%" * (DEFAULT_MAX_SIZE + 512 * 1024),
                                                       "application/pdf")})
    assert huge.status_code == 413 and "too large" in huge.text
    long = await browser_like.post("/console/broadcasts", data=compose(browser_like, "send", "x" * 1025, managers="1"),
                                   files={"document": ("plan.pdf", PDF, "application/pdf")})
    assert "at most 1024 characters" in long.text
    forged = await browser_like.post("/console/broadcasts", data={"text": TEXT, "action": "send", "managers": "1"},
                                     files={"document": ("plan.pdf", PDF, "application/pdf")})
    assert forged.status_code == 403, "the multipart form needs the CSRF token too"
    async with web_box.services.db.session() as session:
        assert (await session.exec(select(Broadcast))).all() == []
        assert (await session.exec(select(PreparedFile))).all() == [], "nothing kept from a refused form"

    await web_box.send(STAFF_EN, "/broadcast")
    refused = joined(await web_box.send_document(STAFF_EN, "setup.exe", "application/x-msdownload", caption=TEXT,
                                                 data=b"MZ"))
    assert "setup.exe is not a file type" in refused, refused
    accepted = joined(await web_box.send_document(STAFF_EN, "plan.pdf", caption=TEXT, data=PDF))
    assert "Who should receive it?" in accepted, accepted
    assert csrf_of(browser_like)


async def test_a_file_id_telegram_refuses_is_forgotten_and_the_bytes_go_instead(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    await signed_in(web_box, browser_like)
    refused: list[str] = []

    def wrong_file_identifier(method: str, params: dict[str, object]) -> ApiFault | None:
        if method == "sendDocument" and isinstance(params.get("document"), str):
            refused.append(str(params["document"]))
            return ApiFault(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return None

    web_box.api.fault = wrong_file_identifier
    answer = await browser_like.post("/console/broadcasts", data=compose(browser_like, "send", TEXT, managers="1"),
                                     files={"document": ("计划模板.pdf", PDF, "application/pdf")})
    assert answer.status_code == 303, answer.text
    assert await deliver(web_box, clock) == 2, "both recipients get the document"
    uploads = [c for c in sent_documents(web_box) if c.files.get("document") == PDF]
    assert len(refused) == 1 and len(uploads) == 2, "the refused id is tried once, then the bytes go"
    assert {c.chat_id for c in uploads} == {MANAGER_A.id, MANAGER_B.id}
