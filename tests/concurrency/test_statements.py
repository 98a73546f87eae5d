"""A form step costs at most three SQL statements: the update's de-dup insert, one read, one guarded write.

The read loads the person's bindings, their open draft, its station and the policy override
together (storage/turn_state.py); station choice lists (demand units) are read — in one more
statement — only on the step that shows them. Counted with an engine event listener around each
update, through the real Application.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from storage.db import Database
from testing.client import Sandbox, User
from tests.forms.conftest import Seat, seat

STEP_BUDGET = 3
CORE = ("INSERT INTO processed_update", "SELECT person.id", "UPDATE draft SET")


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)


class StepMeter:
    """Runs one update at a time and keeps what each cost, by the step's own label."""

    def __init__(self, box: Sandbox, who: User) -> None:
        self.box, self.who = box, who
        self.costs: list[tuple[str, list[str]]] = []

    async def __call__(self, action: str) -> None:
        with counting(self.box.services.db) as statements:
            if action.startswith("!"):
                await self.box.press(self.who, action[1:])
            elif action.startswith("file:"):
                await self.box.send_document(self.who, action[5:])
            else:
                await self.box.send(self.who, action)
        self.costs.append((action, list(statements)))

    def over_budget(self) -> list[tuple[str, int, list[str]]]:
        """Steps beyond de-dup insert + one read + one guarded write, plus at most one read of the
        station data the step itself shows (its demand units, the years a duty is filed for); the
        summary may read each list its answers name (demand units, the unit's needs, experts)."""
        found = []
        last = len(self.costs) - 1
        for index, (action, statements) in enumerate(self.costs):
            core = [s for s in statements if s.startswith(CORE)]
            shown = [s for s in statements if not s.startswith(CORE)]
            # The last step shows the summary: it may read each station list its answers name.
            if len(core) > STEP_BUDGET or len(shown) > (3 if index == last else 1):
                found.append((action, len(statements), statements))
        return found


ACTIVITY_STEPS = [  # choice, text, date, skip, station list + add new, texts, phone, a need, the expert roster
    "!Quality training and consulting", "Quality management training", "2027-01-20", "!Skip",  # (repeat group
    "!➕ Add a new one", "Foshan Example Ceramics Co., Ltd.", "!Skip", "Wang Wu", "13800138000",  # with yes/no),
    "Cut the kilns' energy use", "!➕ Add experts to the roster", "!Confirm", "Chen Yi", "Professor, ceramics",
    "!Yes", "!Add another", "Liu Er", "Engineer", "!No", "!Done", "2", "35",  # integers, counters, files
    "!None of these (all 0)", "!Skip",
]


async def test_each_activity_step_costs_at_most_three_statements(sandbox: Sandbox, alice: Seat) -> None:
    await sandbox.send(alice.user, "/log")  # opening a form creates its draft: not a step
    meter = StepMeter(sandbox, alice.user)
    for action in ACTIVITY_STEPS:
        await meter(action)
    assert meter.over_budget() == []
    # Only the steps that show the demand-unit question, check an answer to it, or show the summary
    # read the station's demand units; typed answers (texts, dates, numbers, phone) never do.
    readers = [action for action, statements in meter.costs if any("FROM demand_unit" in s for s in statements)]
    assert readers == ["!Skip", "!➕ Add a new one", "!Skip"], readers
    assert "FROM demand_unit" not in " ".join(" ".join(st) for _, st in meter.costs[5:-1])
    # Beyond the three, a step only ever reads a station list it shows (never the draft or person again).
    extras = {s.split(" FROM ")[1].split()[0] for _, st in meter.costs for s in st if not s.startswith(CORE)}
    assert extras <= {"demand_unit", "expert", "need"}, extras
    assert sum(len(st) == STEP_BUDGET for _, st in meter.costs) >= len(ACTIVITY_STEPS) // 2


PLAN_STEPS = [  # year choice, long text, multi-choice + integer, repeat group with dates and money, a file
    "!2027", "服务 5 家铝加工企业", "!技术攻关", "5", "!完成", "!筹备", "2027-03-05", "2027年4月1日", "!完成",
    "!专家差旅费", "3 位省外专家差旅", "1.5万元", "3 人次 × 5,000 元", "!跳过", "!完成",
    "file:2027年度工作计划（盖章）.pdf", "!完成",
]


async def test_each_plan_step_costs_at_most_three_statements(sandbox: Sandbox) -> None:
    who = await seat(sandbox.services.db, User(4151, "贵阳站长", "zh-CN"), "贵阳某学会工作站", "guiyang-kczg")
    await sandbox.send(who.user, "/plan")
    meter = StepMeter(sandbox, who.user)
    for action in PLAN_STEPS:
        await meter(action)
    assert meter.over_budget() == []
    typed = [statements for action, statements in meter.costs if not action.startswith(("!", "file:"))]
    assert len(typed) == 7 and all(len(statements) == STEP_BUDGET for statements in typed)
