"""Five personas on two stations, and a snapshot of every table a refused action must not touch."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import select

from storage.db import Database
from storage.models import (
    Activity,
    AuditLog,
    Broadcast,
    DemandUnit,
    Draft,
    Invite,
    OutboxMessage,
    Person,
    Role,
    Station,
    Submission,
    SubmissionVersion,
)
from testing.client import User
from tests.conftest import STAFF

ALPHA = "Alpha Porcelain Secret Station"
BRAVO = "Bravo Textile Station"
STRANGER = User(3000, "Stranger", "en")
MANAGER_A = User(3001, "Alice", "en")
MANAGER_B = User(3002, "Bob", "en")
CONTACT = User(3003, "Carol", "en")
STAFF_EN = User(STAFF.id, "Staff", "en")
PERSONAS = {"stranger": STRANGER, "manager_a": MANAGER_A, "manager_b": MANAGER_B, "contact": CONTACT,
            "staff": STAFF_EN}
WATCHED = (Draft, Invite, Submission, SubmissionVersion, Activity, Broadcast, Person, OutboxMessage, DemandUnit)


@dataclass
class World:
    station_a: Station
    station_b: Station
    unit_a: DemandUnit


async def seed(db: Database) -> World:
    """Two stations with a manager each, a demand contact of station A's unit, and a staff member."""
    async with db.session() as session:
        a = Station(name=ALPHA, policy_profile="gd-quality", region="佛山", founded_on=dt.date(2025, 6, 1))
        b = Station(name=BRAVO, policy_profile="gd-quality", region="韶关", founded_on=dt.date(2025, 6, 1))
        session.add_all([a, b])
        await session.flush()
        unit = DemandUnit(name="Alpha Kiln Works", created_by_station_id=a.id, contact_phone="13912345678")
        session.add(unit)
        await session.flush()
        for user, role, station_id, unit_id in ((MANAGER_A, Role.manager, a.id, None),
                                                (MANAGER_B, Role.manager, b.id, None),
                                                (CONTACT, Role.demand_contact, None, unit.id),
                                                (STAFF_EN, Role.staff, None, None)):
            session.add(Person(telegram_user_id=user.id, chat_id=user.id, name=user.first_name, role=role,
                               station_id=station_id, demand_unit_id=unit_id, language="en"))
        await session.commit()
        return World(a, b, unit)


async def snapshot(db: Database) -> dict[str, object]:
    """Row counts of the watched tables and every draft's state: what 'no state change' means."""
    found: dict[str, object] = {}
    async with db.session() as session:
        for model in WATCHED:
            found[model.__tablename__] = (await session.exec(select(func.count()).select_from(model))).one()
        drafts = (await session.exec(select(Draft).order_by(Draft.id))).all()  # type: ignore[arg-type]
        found["draft_states"] = [(d.id, d.rev, d.status, d.state) for d in drafts]
        subs = (await session.exec(select(Submission).order_by(Submission.id))).all()  # type: ignore[arg-type]
        found["submission_states"] = [(s.id, s.status, s.current_version) for s in subs]
        found["persons"] = [(p.id, p.language, p.active) for p in
                            (await session.exec(select(Person).order_by(Person.id))).all()]  # type: ignore[arg-type]
    return found


async def audit_count(db: Database) -> int:
    async with db.session() as session:
        return int((await session.exec(select(func.count()).select_from(AuditLog))).one())
