"""Invites and onboarding, end to end through the real PTB Application and the Bot-API emulator."""

from __future__ import annotations

from testing.client import Sandbox, User, joined
from tests.conftest import STAFF
from tests.helpers import add_station, token_in


async def test_staff_invites_manager_who_sees_chinese_menu(sandbox: Sandbox) -> None:
    station = await add_station(sandbox.services.db)
    calls = await sandbox.send(STAFF, f"/invite manager {station.id}")
    assert "邀请" in joined(calls)
    assert any(c.method == "sendPhoto" and c.files for c in calls), "the QR code PNG is sent"
    token = token_in(calls)

    manager = User(1001, "李站长", "zh-CN")
    reply = joined(await sandbox.send(manager, f"/start {token}"))
    assert "站长" in reply and station.name in reply
    menu = sandbox.api.last_message(manager.id)
    assert menu is not None
    labels = [b["text"] for row in menu["reply_markup"]["inline_keyboard"] for b in row]
    assert "邀请人员" not in labels, "a manager does not see staff actions"
    assert any("语言" in label for label in labels)


async def test_same_flow_in_english(sandbox: Sandbox) -> None:
    station = await add_station(sandbox.services.db, name="Foshan Station")
    token = token_in(await sandbox.send(STAFF, f"/invite manager {station.id}"))
    manager = User(1002, "Li", "en-US")
    reply = joined(await sandbox.send(manager, f"/start {token}"))
    assert "Welcome! You are now registered as station manager of Foshan Station." in reply
    assert "Here is what you can do" in reply


async def test_invite_buttons_page_through_stations(sandbox: Sandbox) -> None:
    for n in range(10):
        await add_station(sandbox.services.db, name=f"站{n}")
    await sandbox.send(STAFF, "/invite")
    await sandbox.press(STAFF, "站长")
    await sandbox.press(STAFF, "下一页 ›")
    calls = await sandbox.press(STAFF, "10 · 站9")
    assert token_in(calls)


async def test_reused_invite_is_refused(sandbox: Sandbox) -> None:
    station = await add_station(sandbox.services.db)
    token = token_in(await sandbox.send(STAFF, f"/invite manager {station.id}"))
    await sandbox.send(User(1003), f"/start {token}")
    reply = joined(await sandbox.send(User(1004), f"/start {token}"))
    assert "已被使用" in reply
    help_reply = joined(await sandbox.send(User(1004), "/report"))
    assert "邀请" in help_reply, "no access was granted: the stranger is told how to get in"


async def test_expired_invite_is_refused(sandbox: Sandbox, clock) -> None:  # type: ignore[no-untyped-def]
    station = await add_station(sandbox.services.db)
    token = token_in(await sandbox.send(STAFF, f"/invite manager {station.id}"))
    clock.advance(days=15)
    reply = joined(await sandbox.send(User(1005), f"/start {token}"))
    assert "已过期" in reply


async def test_forged_and_unknown_tokens_are_refused_then_throttled(sandbox: Sandbox) -> None:
    stranger = User(1006, "X", "en")
    for attempt in range(5):
        reply = joined(await sandbox.send(stranger, f"/start forged-token-{attempt:02d}-AAAAAAAAAAAAAA"))
        assert "not valid" in reply
    reply = joined(await sandbox.send(stranger, "/start forged-token-99-AAAAAAAAAAAAAA"))
    assert "Too many invalid links" in reply
    assert "Access is by invitation only" in joined(await sandbox.send(stranger, "/start"))


async def test_stranger_cannot_use_staff_commands(sandbox: Sandbox) -> None:
    stranger = User(1007, "X", "en")
    reply = joined(await sandbox.send(stranger, "/invite manager 1"))
    assert "invitation only" in reply
    forged = joined(await sandbox.press_data(stranger, "inv:staff"))
    assert "invitation only" in forged
    assert not any("t.me/" in c.text for c in sandbox.api.calls if c.chat_id == stranger.id)


async def test_language_switch_persists(sandbox: Sandbox) -> None:
    station = await add_station(sandbox.services.db)
    token = token_in(await sandbox.send(STAFF, f"/invite manager {station.id}"))
    manager = User(1008, "Li", "zh-CN")
    await sandbox.send(manager, f"/start {token}")
    await sandbox.send(manager, "/language")
    assert "Language set to English" in joined(await sandbox.press(manager, "English"))
    assert "What you can do" in joined(await sandbox.send(manager, "/help"))
