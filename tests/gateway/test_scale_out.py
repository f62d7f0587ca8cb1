"""Several gateway replicas on one database: leases, console signals over Redis, /metrics."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from typing import Any, Dict, List

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.app_keys import RUNNER
from bot.crypto import KeySet
from bot.delivery.outbox import Deliverer, SendResult, enqueue
from bot.handoff.fanout import RedisFanout
from bot.handoff.hub import Hub
from bot.pseudonym import pseudonym
from bot.rasa_client import BotReply
from bot.store.database import create_engine, session_factory
from bot.store.leases import Leases
from bot.store.migrate import upgrade
from bot.store.models import Conversation, OutboxMessage
from tests.gateway.conftest import ENCRYPTION_KEY, TELEGRAM_SECRET, fixture, settle

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def update_from(user: int, update_id: int, text: str) -> Dict[str, Any]:
    update = json.loads(json.dumps(fixture("telegram", "start")))
    update["update_id"] = update_id
    message = update["message"]
    message.update(message_id=update_id, text=text, entities=[])
    message["from"]["id"] = message["chat"]["id"] = user
    return update


async def test_a_lease_is_held_by_one_replica_until_it_is_released_or_expires(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        db = session_factory(engine)
        first, second = Leases(db, "replica-a", ttl_seconds=0.6), Leases(db, "replica-b", ttl_seconds=0.6)
        assert await first.acquire("turn:c1")
        assert not await second.acquire("turn:c1")  # taken
        assert await second.acquire("turn:c2")  # another conversation is free
        await first.release("turn:c1")
        assert await second.acquire("turn:c1")
        await asyncio.sleep(0.8)  # replica b "killed": its leases run out
        assert await first.acquire("turn:c1")
        assert not await second.renew("turn:c1")  # b learns it lost the lease
    finally:
        await engine.dispose()


async def test_a_lease_that_was_not_renewed_in_time_or_was_taken_is_no_longer_acted_on(database_url: str) -> None:
    """A replica too busy to renew (its event loop or its database pool starved) must stop acting
    before another replica can take the work over, and must stop when it learns it was taken."""
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        db = session_factory(engine)
        first, second = Leases(db, "replica-a", ttl_seconds=0.6), Leases(db, "replica-b", ttl_seconds=0.6)
        assert not first.still_held("turn:c1")  # not taken yet
        renewals_hang = asyncio.Event()
        real_renew = first.renew

        async def starved_renew(name: str) -> bool:
            await renewals_hang.wait()
            return await real_renew(name)

        async with first.held("turn:c1") as held:
            assert held and first.still_held("turn:c1")
            await asyncio.sleep(0.3)
            assert first.still_held("turn:c1")  # renewed in the background
            first.renew = starved_renew  # type: ignore[method-assign]
            await asyncio.sleep(0.6)
            assert not first.still_held("turn:c1")  # stale before it expires for the others
            assert await second.acquire("turn:c1")  # expired: the other replica takes it over
            renewals_hang.set()
            await asyncio.sleep(0.3)
            assert not first.still_held("turn:c1")  # its renewal found the lease taken
        assert not first.still_held("turn:c1")
    finally:
        await engine.dispose()


async def test_a_replica_holding_a_stale_copy_of_a_reply_does_not_send_it_again(database_url: str) -> None:
    """Two replicas read the same pending reply (one had lost its lease unnoticed): the first to
    claim it sends it; the other finds it claimed and sends nothing."""
    upgrade(database_url)
    engine = create_engine(database_url)
    sends: List[str] = []

    class Recording:
        async def send(self, conversation: Conversation, message: OutboxMessage) -> SendResult:
            sends.append(message.body.get("text", ""))
            return SendResult.sent(f"m{len(sends)}")

    try:
        db = session_factory(engine)
        keys = KeySet([ENCRYPTION_KEY])
        replicas = [Deliverer(db, keys, {"telegram": Recording()}, {}, pseudonym_key="key") for _ in range(2)]
        for name, replica in zip(("replica-a", "replica-b"), replicas, strict=True):
            replica.leases = Leases(db, name, ttl_seconds=5)
        async with db() as session, session.begin():
            session.add(Conversation(id="te-c1", channel="telegram", address=keys.encrypt("42")))
            await session.flush()
            await enqueue(session, keys, "te-c1", "telegram", [BotReply("your answer")])
        found = [await replica._pending("te-c1") for replica in replicas]
        assert all(f is not None for f in found)
        (_, rows_a), (conversation_b, rows_b) = found[0], found[1]  # type: ignore[misc]
        assert await replicas[1]._claim(rows_b[0])
        assert await replicas[1]._attempt(conversation_b, rows_b[0])
        assert not await replicas[0]._claim(rows_a[0])  # its copy is stale: nothing sent
        assert sends == ["your answer"]
        async with db() as session:
            row = await session.get(OutboxMessage, rows_a[0].id)
            assert row is not None and row.status == "sent" and row.attempts == 1
    finally:
        await engine.dispose()


async def test_a_message_run_by_two_replicas_is_answered_once(channel_settings: Any, fake_rasa, fake_telegram) -> None:
    """A replica that lost its turn lease unnoticed runs the same message as the one that took
    it over: only the first answer is stored and sent."""
    rasa, _ = fake_rasa
    rasa.delay = 0.3
    replicas = [TestClient(TestServer(create_app(channel_settings(worker_leases="off")), host="127.0.0.1"))
                for _ in range(2)]
    for client in replicas:
        await client.start_server()
    try:
        chat = 700100
        response = await replicas[0].post("/telegram/webhook", json=update_from(chat, 5001, "only once"),
                                          headers=HEADERS)
        assert response.status == 200
        conversation = pseudonym("pseudonym-key-for-tests", "telegram", str(chat))
        replicas[1].server.app[RUNNER].kick(conversation)  # the other replica runs it too
        for _ in range(3):
            for client in replicas:
                await settle(client)
        echoes = [sent["text"] for sent in fake_telegram.sent()
                  if int(sent["chat_id"]) == chat and sent["text"].startswith("echo:")]
        assert len(rasa.received) == 2  # both replicas really ran the turn
        assert echoes == ["echo: only once"]
    finally:
        for client in replicas:
            await client.close()


async def test_two_replicas_answer_every_message_once_and_in_order(
    channel_settings: Any, fake_rasa, fake_telegram
) -> None:
    """Each update is delivered to both replicas (a platform retry landing on the other one)."""
    rasa, _ = fake_rasa
    rasa.delay = 0.3  # turns overlap the next messages
    replicas = [
        TestClient(TestServer(create_app(channel_settings(worker_leases="on")), host="127.0.0.1")) for _ in range(2)
    ]
    for client in replicas:
        await client.start_server()
    try:
        users, turns = 6, 4
        statuses: List[int] = []

        async def converse(user: int) -> None:  # users in parallel; each one's messages in order
            for turn in range(turns):
                update = update_from(700000 + user, 1000 * user + turn + 1, f"u{user} m{turn}")
                first, second = replicas[(user + turn) % 2], replicas[(user + turn + 1) % 2]
                both = [client.post("/telegram/webhook", json=update, headers=HEADERS) for client in (first, second)]
                statuses.extend(response.status for response in await asyncio.gather(*both))

        await asyncio.gather(*(converse(user) for user in range(users)))
        assert statuses == [200] * users * turns * 2
        for _ in range(3):
            for client in replicas:
                await settle(client)
        by_chat: Dict[int, List[str]] = {}
        for sent in fake_telegram.sent():
            by_chat.setdefault(int(sent["chat_id"]), []).append(sent["text"])
        for user in range(users):
            echoes = [text for text in by_chat[700000 + user] if text.startswith("echo:")]
            assert echoes == [f"echo: u{user} m{turn}" for turn in range(turns)]  # once each, in order
        assert rasa.most_in_flight_per_sender == 1  # never two turns of one conversation at once
    finally:
        for client in replicas:
            await client.close()


async def test_a_console_on_one_replica_hears_a_change_made_on_another() -> None:
    redis = pytest.importorskip("redis.asyncio")
    try:
        probe = redis.from_url(REDIS_URL)
        await probe.ping()
        await probe.aclose()
    except Exception:
        pytest.skip(f"no Redis at {REDIS_URL}")
    channel = f"test-signals-{uuid.uuid4().hex}"
    here, there = Hub(), Hub()
    fanouts = [RedisFanout(REDIS_URL, here, channel), RedisFanout(REDIS_URL, there, channel)]
    for fanout in fanouts:
        await fanout.start()
    try:
        for fanout in fanouts:
            await asyncio.wait_for(fanout.subscribed.wait(), 5)
        counselor = there.connect(user_id=7, agency_id="agency-a", role="counselor")
        other_agency = there.connect(user_id=8, agency_id="agency-b", role="supervisor")
        local = here.connect(user_id=9, agency_id="agency-a", role="counselor")
        here.publish({"agency-a"}, {42: "agency-a"}, [])
        heard = [await asyncio.wait_for(counselor.queue.get(), 5) for _ in range(2)]
        assert heard == [{"type": "queue"}, {"type": "chat", "handoff_id": 42}]
        assert local.queue.qsize() == 2  # its own replica's consoles hear it once, not twice
        await asyncio.sleep(0.2)
        assert local.queue.qsize() == 2 and other_agency.queue.empty()  # and other agencies not at all
    finally:
        for fanout in fanouts:
            await fanout.stop()


async def test_metrics_count_messages_and_are_not_served_through_a_proxy(
    channels: TestClient, fake_telegram
) -> None:
    async def count(name: str) -> float:
        text = await (await channels.get("/metrics")).text()
        lines = [line for line in text.splitlines() if line.startswith(name + "{") and 'channel="telegram"' in line]
        return sum(float(line.rsplit(" ", 1)[1]) for line in lines)

    before = await count("safepassage_messages_in_total")
    assert (await channels.post("/telegram/webhook", json=update_from(7100, 1, "hello"), headers=HEADERS)).status == 200
    await settle(channels)
    assert await count("safepassage_messages_in_total") == before + 1
    page = await (await channels.get("/metrics")).text()
    assert "safepassage_turn_seconds_bucket" in page and "safepassage_outbox_pending" in page
    # no text, no user ids: not in any metric's name or labels (a sample's value, such as a CPU-seconds
    # counter at 84.71000000000001, may hold the digits by chance)
    series = [line.rsplit(" ", 1)[0] for line in page.splitlines() if line and not line.startswith("#")]
    assert not [s for s in series if "hello" in s or "7100" in s]
    assert "hello" not in page
    forwarded = await channels.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert forwarded.status == 404


async def test_a_user_waiting_behind_turns_stuck_on_a_hung_rasa_still_gets_the_holding_message(
    channel_settings: Any, fake_rasa, fake_telegram
) -> None:
    from bot.channels import notes

    rasa, _ = fake_rasa
    rasa.delay = 4.0  # a hung Rasa server (or one waiting on a dead server's conversation lock)
    client = TestClient(TestServer(create_app(channel_settings(max_concurrent_turns=1, rasa_timeout_seconds=0.5)),
                                   host="127.0.0.1"))
    await client.start_server()
    try:
        for user in (7201, 7202):  # the second user's turn waits for the one slot
            response = await client.post("/telegram/webhook", json=update_from(user, user, "hello"), headers=HEADERS)
            assert response.status == 200
        started = asyncio.get_running_loop().time()
        while asyncio.get_running_loop().time() - started < 3.0:
            holding = [s for s in fake_telegram.sent() if int(s["chat_id"]) == 7202 and s["text"] == notes.HOLDING]
            if holding:
                break
            await asyncio.sleep(0.05)
        assert holding, "the waiting user heard nothing"
        assert asyncio.get_running_loop().time() - started < 2.0
        await settle(client)
        replies = [s["text"] for s in fake_telegram.sent() if int(s["chat_id"]) == 7202]
        assert replies.count(notes.HOLDING) == 1 and "echo: hello" in replies  # told once, then answered
    finally:
        await client.close()


async def test_a_message_waiting_behind_the_users_own_slow_turn_gets_its_holding_message_in_time(
    channel_settings: Any, fake_rasa, fake_telegram
) -> None:
    from bot.channels import notes

    rasa, _ = fake_rasa
    rasa.delay = 3.0  # e.g. Rasa waiting on the conversation lock of a server that was killed
    client = TestClient(TestServer(create_app(channel_settings(rasa_timeout_seconds=0.5)), host="127.0.0.1"))
    await client.start_server()

    def said() -> List[str]:
        return [s["text"] for s in fake_telegram.sent() if int(s["chat_id"]) == 7301
                and (s["text"] == notes.HOLDING or s["text"].startswith("echo:"))]

    try:
        first = update_from(7301, 1, "hello")
        assert (await client.post("/telegram/webhook", json=first, headers=HEADERS)).status == 200
        for _ in range(40):
            if said():
                break
            await asyncio.sleep(0.05)
        assert said() == [notes.HOLDING]  # the first message is slow: the user is told
        # The user writes again; this message waits behind the first one's turn.
        second = update_from(7301, 2, "are you there")
        assert (await client.post("/telegram/webhook", json=second, headers=HEADERS)).status == 200
        await settle(client)
        # Told about the second message's delay too, without waiting for the first answer.
        assert said() == [notes.HOLDING, notes.HOLDING, "echo: hello", "echo: are you there"]
    finally:
        await client.close()


async def test_a_counselor_on_one_replica_follows_a_chat_arriving_at_another_and_a_dropped_socket_requeues_it(
    fake_rasa: Any, settings_factory: Any
) -> None:
    from aiohttp import DummyCookieJar

    from tests.gateway.casework_support import SERVICE
    from tests.gateway.console_support import PASSWORD, cookie_header, post_login, seed_console, session_cookie

    redis = pytest.importorskip("redis.asyncio")
    try:
        probe = redis.from_url(REDIS_URL)
        await probe.ping()
        await probe.aclose()
    except Exception:
        pytest.skip(f"no Redis at {REDIS_URL}")
    rasa, url = fake_rasa
    settings = settings_factory(url, redis_url=REDIS_URL, worker_leases="on", counselor_reconnect_seconds=1.0)
    await seed_console(settings.database_url)
    here, there = (TestClient(TestServer(create_app(settings), host="127.0.0.1"), cookie_jar=DummyCookieJar())
                   for _ in range(2))

    async def request_human(sender: str) -> List[Dict[str, Any]]:
        body = {"conversation_id": sender, "reason": "request_human", "country": "KE"}
        response = await there.post("/api/v1/handoffs", json=body, headers=SERVICE)
        return [{"text": (await response.json())["text"]}]

    rasa.actions["talk to a person"] = request_human
    for client in (here, there):
        await client.start_server()
    try:
        token = session_cookie(await post_login(here, "wanjiru", PASSWORD))
        assert token
        headers = {**cookie_header(token), "Accept": "application/json"}
        page = await (await here.get("/console", headers=headers)).text()
        csrf = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
        socket = await here.ws_connect("/console/ws", headers=cookie_header(token))
        assert (await socket.receive_json(timeout=5))["type"] == "hello"

        async def next_signal(kind: str) -> Dict[str, Any]:
            while True:
                signal: Dict[str, Any] = await socket.receive_json(timeout=5)
                if signal["type"] == kind:
                    return signal

        async def drain() -> None:  # signals this replica sent itself (its own connect, the claim)
            while True:
                try:
                    await socket.receive_json(timeout=0.5)
                except asyncio.TimeoutError:
                    return

        chat = {"session_id": "user-ke"}
        await drain()
        assert (await there.post("/webchat/messages", json={**chat, "text": "talk to a person"})).status == 200
        await next_signal("queue")  # the request reached the other replica; this console hears of it
        queue = (await (await here.get("/console/api/queue", headers=headers)).json())["queue"]
        handoff_id = queue[0]["id"]
        claim = await here.post(f"/console/api/conversations/{handoff_id}/claim",
                                headers={**headers, "X-CSRF-Token": csrf})
        assert claim.status == 200
        await drain()
        assert (await there.post("/webchat/messages", json={**chat, "text": "are you there?"})).status == 200
        assert (await next_signal("chat"))["handoff_id"] == handoff_id  # the user's line, live
        await socket.close()  # the counselor's connection drops mid-chat
        told = False
        for _ in range(60):
            lines = await (await there.get("/webchat/messages", params=chat)).json()
            told = any("lost their connection" in m.get("text", "") for m in lines.get("messages", []))
            if told:
                break
            await asyncio.sleep(0.25)
        assert told  # the user is told, and the chat is back at the front of the queue
        queue = (await (await here.get("/console/api/queue", headers=headers)).json())["queue"]
        assert [entry["id"] for entry in queue] == [handoff_id]
    finally:
        for client in (here, there):
            await client.close()
