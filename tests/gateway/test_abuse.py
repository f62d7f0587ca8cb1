"""Blocked senders and floods: a neutral or slow-down reply, never Rasa, never a counselor."""

from __future__ import annotations

from typing import Any, List

from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.app_keys import DB
from bot.channels import notes
from bot.privacy_admin import block_sender
from bot.pseudonym import pseudonym


async def say(client: TestClient, session_id: str, text: str) -> List[str]:
    response = await client.post("/webchat/messages", json={"session_id": session_id, "text": text})
    assert response.status == 200
    return [m["text"] for m in (await response.json())["messages"]]


async def test_a_blocked_sender_gets_a_neutral_reply_and_never_reaches_rasa_or_a_counselor(
    gateway: TestClient, fake_rasa: Any
) -> None:
    fake, _ = fake_rasa
    await say(gateway, "s-abuser", "hello")
    me = pseudonym("pseudonym-key-for-tests", "webchat", "s-abuser")
    async with gateway.server.app[DB]() as session, session.begin():
        assert await block_sender(session, me, blocked=True, admin="admin-1") == me
    heard = len(fake.received)
    assert await say(gateway, "s-abuser", "talk to a person") == [notes.BLOCKED]
    assert await say(gateway, "s-abuser", "help now") == [notes.BLOCKED]
    assert len(fake.received) == heard  # nothing reached Rasa (nor, so, the handoff)
    assert await say(gateway, "s-someone-else", "hello") != [notes.BLOCKED]
    async with gateway.server.app[DB]() as session, session.begin():
        await block_sender(session, me, blocked=False)
    assert await say(gateway, "s-abuser", "hello again") != [notes.BLOCKED]


async def test_a_flood_gets_one_polite_slow_down_and_other_senders_are_not_held_up(
    fake_rasa: Any, settings_factory: Any
) -> None:
    fake, url = fake_rasa
    client = TestClient(TestServer(create_app(settings_factory(url, sender_messages_per_minute=3)), host="127.0.0.1"))
    await client.start_server()
    try:
        answers = [await say(client, "s-flood", f"message {n}") for n in range(6)]
        assert [a[0] for a in answers[:3]] == ["echo: message 0", "echo: message 1", "echo: message 2"]
        assert answers[3] == [notes.SLOW_DOWN] and answers[4] == [] and answers[5] == []
        assert [t["message"] for t in fake.received] == ["message 0", "message 1", "message 2"]
        assert (await say(client, "s-calm", "hi"))[0] == "echo: hi"
    finally:
        await client.close()
