"""Migration 0013: message ids already stored in clear become keyed hashes; callback query ids go."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from bot.pseudonym import message_key
from bot.store.database import create_engine
from bot.store.migrate import upgrade
from tests.fakes import fake_wamid

KEY = "pseudonym-key-for-tests"
NUMBER = "254700123456"
CALLBACK_QUERY_ID = str((555000111 << 32) | 7)  # a Telegram user's id in the upper 32 bits


async def seed_clear_ids(url: str) -> tuple[str, str]:
    """A conversation with one inbound and one outbound WhatsApp id, as revision 0007 stored them."""
    inbound, outbound = fake_wamid(NUMBER, "IN0001"), fake_wamid(NUMBER, "OUT001")
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text(
            "INSERT INTO conversations (id, channel, owner, created_at, last_message_at, media_count, rasa_paused)"
            " VALUES ('wh-1', 'whatsapp', 'bot', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0, false)"
        ))
        await connection.execute(text(
            "INSERT INTO inbox (channel, external_id, conversation_id, kind, meta, status, holding_sent, attempts,"
            " received_at) VALUES ('whatsapp', :id, 'wh-1', 'text', '{}', 'done', false, 1, CURRENT_TIMESTAMP)"
        ), {"id": inbound})
        await connection.execute(text(
            "INSERT INTO outbox (conversation_id, channel, body, status, attempts, next_attempt_at, platform_id,"
            " created_at, updated_at) VALUES ('wh-1', 'whatsapp', '{}', 'sent', 1, CURRENT_TIMESTAMP, :id,"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ), {"id": outbound})
        await connection.execute(text(
            "INSERT INTO inbox (channel, external_id, conversation_id, kind, meta, status, holding_sent, attempts,"
            " received_at) VALUES ('telegram', 'u1', 'wh-1', 'button', :meta, 'done', false, 1, CURRENT_TIMESTAMP)"
        ), {"meta": json.dumps({"callback_query_id": CALLBACK_QUERY_ID})})
    await engine.dispose()
    return inbound, outbound


async def test_existing_whatsapp_ids_are_replaced_by_their_keyed_hashes(database_url: str) -> None:
    upgrade(database_url, "0007")
    inbound, outbound = await seed_clear_ids(database_url)
    upgrade(database_url, pseudonym_key=KEY)
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        stored_in = (
            await connection.execute(text("SELECT external_id FROM inbox WHERE channel = 'whatsapp'"))
        ).scalar_one()
        stored_out = (await connection.execute(text("SELECT platform_id FROM outbox"))).scalar_one()
        metas = (await connection.execute(text("SELECT meta FROM inbox"))).scalars().all()
    await engine.dispose()
    assert CALLBACK_QUERY_ID not in json.dumps(metas)
    # The same hash the gateway computes, so a late redelivery or status still finds its row.
    assert stored_in == message_key(KEY, "whatsapp", inbound)
    assert stored_out == message_key(KEY, "whatsapp", outbound)


async def test_without_the_key_the_migration_stops_rather_than_keep_the_ids(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PSEUDONYM_KEY", raising=False)
    upgrade(database_url, "0007")
    await seed_clear_ids(database_url)
    with pytest.raises(RuntimeError, match="PSEUDONYM_KEY"):
        upgrade(database_url)
