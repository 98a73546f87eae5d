"""``stationbot demo``: chat with the real bot in a terminal, Telegram replaced by the sandbox.

Type text or commands as in Telegram; type ``1``..``n`` to tap the numbered buttons of the last
message; ``:file name.pdf`` sends a document; ``:photo`` a photo; ``:as staff`` (or manager, contact)
switches who you are; ``:quit`` ends.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sys
from pathlib import Path

from bot.settings import Settings
from storage.db import Database
from storage.models import DemandUnit, Person, Role, Station
from storage.tokens import create_invite
from testing.client import Sandbox, User
from testing.outbox_flush import render_pending
from testing.sandbox import Call

DEMO_DB = Path("data") / "demo.db"
STAFF_USER = User(100, "演示管理员")
MANAGER_USER = User(200, "演示站长")
CONTACT_USER = User(300, "演示需求方")
PEOPLE = {"manager": MANAGER_USER, "staff": STAFF_USER, "contact": CONTACT_USER}


async def seed(db: Database, settings: Settings) -> None:
    """A station, its manager, a demand unit and its contact, bound once."""
    async with db.session() as session:
        if await session.get(Station, 1) is not None:
            return
        station = Station(name="广东省质量发展促进会（佛山）科技服务站", policy_profile=settings.default_policy,
                          region="佛山", founded_on=dt.date(2025, 6, 1))
        session.add(station)
        await session.flush()
        unit = DemandUnit(name="佛山市某陶瓷有限公司", created_by_station_id=station.id)
        session.add(unit)
        await session.flush()
        session.add(Person(telegram_user_id=MANAGER_USER.id, chat_id=MANAGER_USER.id, name=MANAGER_USER.first_name,
                           role=Role.manager, station_id=station.id))
        session.add(Person(telegram_user_id=CONTACT_USER.id, chat_id=CONTACT_USER.id, name=CONTACT_USER.first_name,
                           role=Role.demand_contact, demand_unit_id=unit.id))
        await create_invite(session, role="manager", now=settings.now(), days=14, station_id=station.id)
        await session.commit()


def show(calls: list[Call], user: User) -> list[str]:
    """Print what the user would see; return the callback data of the numbered buttons."""
    actions: list[str] = []
    for call in calls:
        if call.chat_id != user.id or call.method not in ("sendMessage", "editMessageText", "sendPhoto", "sendDocument"):
            if call.method == "answerCallbackQuery" and call.params.get("text"):
                print(f"  ⓘ {call.params['text']}")
            continue
        marker = "✎" if call.method == "editMessageText" else "▶"
        if call.method in ("sendPhoto", "sendDocument"):
            print(f"{marker} [{call.method[4:].lower()}] {call.text}")
        else:
            print(f"{marker} {call.text}")
        for button in call.buttons():
            if "callback_data" in button:
                actions.append(button["callback_data"])
                print(f"   [{len(actions)}] {button['text']}")
            elif "url" in button:
                print(f"   [link] {button['text']}: {button['url']}")
    return actions


async def run_demo(settings: Settings, role: str, lang: str) -> int:
    settings = settings.model_copy(update={"staff_telegram_ids": [STAFF_USER.id],
                                           "database_url": f"sqlite+aiosqlite:///{DEMO_DB}"})
    db = Database(settings.database_url)
    await db.upgrade()
    await seed(db, settings)
    user = PEOPLE[role]
    user = User(user.id, user.first_name, lang)
    logging.getLogger().setLevel(logging.WARNING)
    print(__doc__)
    box = Sandbox(settings, db)
    box.services.background_jobs = False  # the demo delivers the outbox after each step itself
    async with box:
        actions = show(await box.send(user, "/menu"), user)
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line or line.strip() == ":quit":
                break
            text = line.rstrip("\n")
            if text.startswith(":as "):
                chosen = PEOPLE.get(text[4:].strip())
                if chosen is None:
                    print("  :as manager | staff | contact")
                    continue
                user = User(chosen.id, chosen.first_name, lang)
                calls = await box.send(user, "/menu")
            elif text.isdigit() and 1 <= int(text) <= len(actions):
                calls = await box.press_data(user, actions[int(text) - 1])
            elif text.startswith(":file"):
                calls = await box.send_document(user, text[5:].strip() or "document.pdf")
            elif text.startswith(":photo"):
                calls = await box.send_photo(user)
            else:
                calls = await box.send(user, text)
            calls += await render_pending(box, user.id)
            new_actions = show(calls, user)
            actions = new_actions or actions
    await db.dispose()
    return 0
