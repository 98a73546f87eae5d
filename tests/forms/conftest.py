"""Managers bound to stations, ready to fill forms through the real Application."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from storage.db import Database
from storage.models import Person, Role, Station
from testing.client import Sandbox, User


@dataclass
class Seat:
    user: User
    station: Station
    person: Person


async def seat(db: Database, user: User, station_name: str, profile: str = "gd-quality") -> Seat:
    async with db.session() as session:
        station = Station(name=station_name, policy_profile=profile, region="佛山", founded_on=dt.date(2025, 6, 1))
        session.add(station)
        await session.flush()
        person = Person(telegram_user_id=user.id, chat_id=user.id, name=user.first_name, role=Role.manager,
                        station_id=station.id, language="en" if (user.language_code or "").startswith("en") else "zh_Hans")
        session.add(person)
        await session.commit()
        return Seat(user, station, person)


@pytest.fixture
async def alice(sandbox: Sandbox) -> Seat:
    return await seat(sandbox.services.db, User(2001, "Alice", "en"), "Foshan Quality Station")


@pytest.fixture
async def bob(sandbox: Sandbox) -> Seat:
    return await seat(sandbox.services.db, User(2002, "Bob", "en"), "Shaoguan Secret Station")


@pytest.fixture
async def li(sandbox: Sandbox) -> Seat:
    return await seat(sandbox.services.db, User(2003, "李站长", "zh-CN"), "广东省质量发展促进会（佛山）科技服务站")
