"""Hypothesis posts JSON to the webhook with the right secret: updates, near-updates and JSON that is
not an update at all (lists, null, scalars, objects without or with absurd ``update_id``, wrong shapes).
Every body gets 200 or 400 — never 500 — and nothing is logged as an error (issue 16).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.webapp.app import create_web_app
from tests.conftest import STAFF
from tests.fuzz.test_bot_fuzz import Errors, World
from tests.fuzz.test_bot_fuzz import world as world

SECRET = "fuzz-webhook-secret-0123456789"
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False, allow_infinity=False),
                    st.text(max_size=20))
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                    max_leaves=20)
KEYS = st.sampled_from(["message", "edited_message", "callback_query", "my_chat_member", "chat", "from", "text",
                        "date", "message_id", "id", "data", "entities", "document"])
UPDATE_LIKE = st.fixed_dictionaries(
    {"update_id": st.one_of(st.integers(-5, 2**64), st.text(max_size=5), st.none(), st.booleans())},
    optional={"message": st.one_of(JSON, st.dictionaries(KEYS, JSON, max_size=6)),
              "callback_query": st.dictionaries(KEYS, JSON, max_size=6)})


def real_update(update_id: int, text: str) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": 1, "date": int(time.time()), "chat": {"id": STAFF.id, "type": "private", "first_name": "S"},
        "from": STAFF.as_dict(), "text": text}}


BODIES = st.one_of(JSON, UPDATE_LIKE, st.builds(real_update, st.integers(1, 2**31), st.text(max_size=30)))


@pytest.fixture
def client(world: World) -> Iterator[httpx.AsyncClient]:
    assert world.box is not None
    box_settings = world.box.services.settings.model_copy(update={
        "telegram_webhook_secret": SECRET, "telegram_webhook_url": "https://bot.example.org/telegram/hook"})
    world.box.services.settings = box_settings
    app = create_web_app(world.box.app, world.box.services)
    yield httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=BODIES)
def test_webhook_bodies_get_200_or_400_never_500(world: World, client: httpx.AsyncClient,
                                                 body: Any) -> None:
    errors = Errors()
    logging.getLogger().addHandler(errors)
    try:
        response = world.runner.run(client.post("/telegram/hook", json=body,
                                                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}))
    finally:
        logging.getLogger().removeHandler(errors)
    assert response.status_code in (200, 400), (body, response.status_code, response.text[:200])
    if not isinstance(body, dict) or not isinstance(body.get("update_id"), int) or isinstance(body["update_id"], bool) \
            or not 0 <= body["update_id"] < 2**63:
        assert response.status_code == 400, body
    assert [r.getMessage() for r in errors.records] == []
