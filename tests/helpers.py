"""Small builders for test data (stations, invites) shared across test modules."""

from __future__ import annotations

import re

from storage.db import Database
from storage.models import Station
from testing.sandbox import Call

LINK = re.compile(r"https://t\.me/\S+\?start=([A-Za-z0-9_-]+)")


async def add_station(db: Database, name: str = "广东省质量发展促进会（佛山）科技服务站", profile: str = "gd-quality",
                      **fields: object) -> Station:
    async with db.session() as session:
        station = Station(name=name, policy_profile=profile, region=str(fields.pop("region", "佛山")), **fields)
        session.add(station)
        await session.commit()
        return station


def token_in(calls: list[Call]) -> str:
    for call in calls:
        match = LINK.search(call.text)
        if match:
            return match.group(1)
    raise AssertionError(f"no deep link in {[c.text for c in calls]}")
