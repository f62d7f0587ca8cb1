"""`POST /webchat/messages` and the /chat page, against a fake Rasa."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.channels.webchat import HOLDING_MESSAGE


async def test_a_turn_returns_the_bot_replies_with_buttons(gateway: TestClient, fake_rasa) -> None:
    response = await gateway.post("/webchat/messages", json={"session_id": "abc", "text": "  hello  "})
    assert response.status == 200
    body = await response.json()
    assert [(m["text"], m["buttons"]) for m in body["messages"]] == [
        ("echo: hello", []),
        ("Here is what I can help with:", [{"title": "Find a helpline", "payload": "/ask_helpline"}]),
    ]
    assert body["cursor"] == body["messages"][-1]["id"] and body["pending"] is False
    # Fetched once: nothing new after the cursor.
    later = await gateway.get("/webchat/messages", params={"session_id": "abc", "after": body["cursor"]})
    assert (await later.json())["messages"] == []


async def test_rasa_sees_a_stable_pseudonym_never_the_session_id(gateway: TestClient, fake_rasa) -> None:
    fake, _ = fake_rasa
    for session_id in ("session-one", "session-one", "session-two"):
        await gateway.post("/webchat/messages", json={"session_id": session_id, "text": "hi"})
    senders = [body["sender"] for body in fake.received]
    assert senders[0] == senders[1] != senders[2]
    assert all("session" not in sender for sender in senders)
    assert fake.received[0]["metadata"] == {"channel": "webchat", "language": "en"}


async def test_malformed_requests_get_a_clear_400(gateway: TestClient) -> None:
    cases = [
        (b"{not json", "body must be JSON"),
        (b"[1, 2]", "body must be a JSON object"),
        (b'{"text": "hi"}', "session_id must be a string of 1 to 128 characters"),
        (b'{"session_id": "a", "text": "   "}', "text must be a non-empty string"),
        (b'{"session_id": "a", "text": 5}', "text must be a non-empty string"),
        (b"\xff\xfe", "body must be JSON"),
    ]
    for body, reason in cases:
        response = await gateway.post(
            "/webchat/messages", data=body, headers={"Content-Type": "application/json"}
        )
        assert response.status == 400, body
        assert (await response.json())["error"] == reason


async def test_oversized_bodies_and_texts_are_refused(gateway: TestClient) -> None:
    huge = await gateway.post("/webchat/messages", data=b"x" * 40_000)
    assert huge.status == 413
    long_text = await gateway.post("/webchat/messages", json={"session_id": "a", "text": "x" * 4001})
    assert long_text.status == 400


async def test_rasa_down_gives_an_honest_holding_message_then_the_answer(gateway: TestClient, fake_rasa) -> None:
    fake, _ = fake_rasa
    fake.up = False
    response = await gateway.post("/webchat/messages", json={"session_id": "abc", "text": "hello"})
    assert response.status == 200
    body = await response.json()
    assert [m["text"] for m in body["messages"]] == [HOLDING_MESSAGE]
    assert "112" in HOLDING_MESSAGE and "kept your message" in HOLDING_MESSAGE
    fake.up = True
    texts: list = []
    cursor = body["cursor"]
    for _ in range(60):  # the page polls like this
        await asyncio.sleep(0.2)
        later = await (await gateway.get("/webchat/messages", params={"session_id": "abc", "after": cursor})).json()
        texts += [m["text"] for m in later["messages"]]
        cursor = later["cursor"]
        if texts:
            break
    assert texts == ["echo: hello", "Here is what I can help with:"]
    assert [turn["message"] for turn in fake.received] == ["hello"]


async def test_a_retried_post_is_not_run_twice_and_gets_the_same_replies(gateway: TestClient, fake_rasa) -> None:
    message = {"session_id": "abc", "text": "hello", "client_message_id": "m-1"}
    first = await (await gateway.post("/webchat/messages", json=message)).json()
    again = await (await gateway.post("/webchat/messages", json=message)).json()
    assert [m["text"] for m in again["messages"]] == [m["text"] for m in first["messages"]]
    assert len(fake_rasa[0].received) == 1


async def test_a_slow_turn_returns_the_holding_message_and_the_reply_comes_by_polling(
    fake_rasa, settings_factory
) -> None:
    fake, rasa_url = fake_rasa
    fake.delay = 1.0
    settings = settings_factory(rasa_url, holding_timeout_seconds=0.3)
    client = TestClient(TestServer(create_app(settings), host="127.0.0.1"))
    await client.start_server()
    body = await (await client.post("/webchat/messages", json={"session_id": "s", "text": "slow"})).json()
    assert body["pending"] is True and body["messages"][-1]["text"] == HOLDING_MESSAGE
    await asyncio.sleep(1.5)
    later = await (await client.get("/webchat/messages", params={"session_id": "s", "after": body["cursor"]})).json()
    await client.close()
    assert [m["text"] for m in later["messages"]] == ["echo: slow", "Here is what I can help with:"]


async def test_one_sessions_messages_run_one_at_a_time_and_sessions_in_parallel(
    gateway: TestClient, fake_rasa
) -> None:
    fake_rasa[0].delay = 0.3
    await asyncio.gather(*(
        gateway.post("/webchat/messages", json={"session_id": session, "text": f"{session}{i}"})
        for i in range(3) for session in ("a", "b", "c")
    ))
    received = [turn["message"] for turn in fake_rasa[0].received]
    assert sorted(received) == sorted(f"{s}{i}" for i in range(3) for s in "abc")
    assert fake_rasa[0].most_in_flight_per_sender == 1  # never two turns of one conversation at once
    assert fake_rasa[0].most_in_flight > 1  # but conversations did not wait for each other


async def test_polling_needs_a_session_and_a_numeric_cursor(gateway: TestClient) -> None:
    assert (await gateway.get("/webchat/messages")).status == 400
    assert (await gateway.get("/webchat/messages", params={"session_id": "a", "after": "x"})).status == 400


async def test_chat_page_has_quick_exit_and_a_strict_policy(gateway: TestClient) -> None:
    response = await gateway.get("/chat")
    html = await response.text()
    assert response.status == 200
    assert 'id="quick-exit"' in html
    assert 'data-exit-url="https://www.google.com/search?q=weather"' in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<script>" not in html  # no inline script: the CSP would block it
    script = await gateway.get("/static/chat.js")
    assert script.status == 200


async def test_root_redirects_to_the_chat(gateway: TestClient) -> None:
    response = await gateway.get("/", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == "/chat"
