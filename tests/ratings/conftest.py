"""Helpers for the rating tests: log services through /log, read the link and the QR code."""

from __future__ import annotations

import io

import PIL.Image
import zxingcpp

from testing.client import Sandbox, User, joined
from testing.sandbox import Call
from tests.forms.conftest import Seat, alice, bob, li  # noqa: F401  (fixtures)


def english(user: User) -> bool:
    return (user.language_code or "").startswith("en")


async def log_service(box: Sandbox, who: Seat, title: str, unit: str, *, existing: bool = False) -> list[Call]:
    """Log one service activity through /log; returns the calls of the final Submit."""
    en = english(who.user)
    await box.send(who.user, "/log")
    await box.press(who.user, "Quality training and consulting" if en else "质量技术培训与咨询")
    await box.send(who.user, title)
    await box.send(who.user, "2027-01-20")
    await box.press(who.user, "Skip" if en else "跳过")
    if existing:
        await box.press(who.user, unit)
        await box.press(who.user, "➕ A new need" if en else "➕ 新的需求")
    else:
        await box.press(who.user, "➕ Add a new one" if en else "➕ 新增单位")
        await box.send(who.user, unit)
        await box.press(who.user, "Skip" if en else "跳过")
        await box.send(who.user, "Wang Wu")
        await box.send(who.user, "13800138000")
    await box.send(who.user, f"Need served by {title}")
    await box.press(who.user, "Skip" if en else "跳过")  # no expert of the roster took part
    await box.send(who.user, "12")
    await box.press(who.user, "None of these (all 0)" if en else "均无（全部为 0）")
    await box.press(who.user, "Skip" if en else "跳过")
    calls = await box.press(who.user, "Submit" if en else "提交")
    assert "Recorded in the station ledger" in joined(calls) or "已记入服务站工作台帐" in joined(calls), joined(calls)
    return calls


def qr_token(calls: list[Call]) -> str:
    """Decode the QR photo among ``calls`` and return the deep-link token it carries."""
    photo = next(c for c in calls if c.method == "sendPhoto")
    png = next(iter(photo.files.values()))
    found = zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(png)))
    assert len(found) == 1
    link = found[0].text
    assert "?start=" in link
    return link.split("?start=", 1)[1]


def link_token(calls: list[Call]) -> str:
    """The token of the deep link written in the text of ``calls``."""
    text = joined(calls)
    start = text.index("?start=") + len("?start=")
    return text[start:].split()[0]
