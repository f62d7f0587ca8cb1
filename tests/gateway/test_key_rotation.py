"""`rotate-keys`: afterwards the old key can go, and every stored secret still opens."""

from __future__ import annotations

from datetime import date
from typing import Any, List

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.app_keys import DB, KEYS
from bot.casework_admin import rotate_rows
from bot.checkins.models import CheckinPlan
from bot.crypto import InvalidToken, KeySet, generate_key
from bot.store.models import Base
from tests.gateway.conftest import ENCRYPTION_KEY, fixture, settle
from tests.gateway.test_whatsapp import conversation_id, notify

FERNET_PREFIX = "gAAAAA"


def tokens_in(value: Any) -> List[str]:
    """Fernet tokens in a stored value, also inside JSON (sealed outbox bodies)."""
    if isinstance(value, str):
        return [value] if value.startswith(FERNET_PREFIX) else []
    if isinstance(value, dict):
        return [token for item in value.values() for token in tokens_in(item)]
    if isinstance(value, list):
        return [token for item in value for token in tokens_in(item)]
    return []


async def every_token(client: TestClient) -> List[str]:
    found: List[str] = []
    async with client.server.app[DB]() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                found += [token for value in row for token in tokens_in(value)]
    return found


async def test_after_rotation_nothing_needs_the_old_key(channels: TestClient, fake_graph: Any) -> None:
    await notify(channels, fixture("whatsapp", "text"))  # address, inbox text and id, outbox bodies
    await settle(channels)
    keys: KeySet = channels.server.app[KEYS]
    async with channels.server.app[DB]() as session, session.begin():
        session.add(CheckinPlan(
            conversation_id=conversation_id(), channel="whatsapp", departure=date(2026, 12, 1), country="AE",
            zone="Asia/Dubai", city_encrypted=keys.encrypt("Dubai"), recruiter_encrypted=keys.encrypt("Gulf Jobs"),
            contact_encrypted=keys.encrypt('{"kind": "phone", "value": "254700999888"}'),
        ))
    before = await every_token(channels)
    assert len(before) >= 6
    new_key = generate_key()
    async with channels.server.app[DB]() as session, session.begin():
        assert await rotate_rows(session, KeySet([new_key, ENCRYPTION_KEY])) == len(before)
    newest_only = KeySet([new_key])
    unopened = []
    for token in await every_token(channels):
        try:
            newest_only.decrypt(token)
        except InvalidToken:
            unopened.append(token[:12])
    assert unopened == [], "some stored values still need the old key"
