"""`POST /webchat/messages` and the /chat page, against a fake Rasa."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from bot.channels.webchat import HOLDING_MESSAGE


async def test_a_turn_returns_the_bot_replies_with_buttons(gateway: TestClient, fake_rasa) -> None:
    response = await gateway.post("/webchat/messages", json={"session_id": "abc", "text": "  hello  "})
    assert response.status == 200
    assert await response.json() == {
        "messages": [
            {"text": "echo: hello", "buttons": []},
            {
                "text": "Here is what I can help with:",
                "buttons": [{"title": "Find a helpline", "payload": "/ask_helpline"}],
            },
        ]
    }


async def test_rasa_sees_a_stable_pseudonym_never_the_session_id(gateway: TestClient, fake_rasa) -> None:
    fake, _ = fake_rasa
    for session_id in ("session-one", "session-one", "session-two"):
        await gateway.post("/webchat/messages", json={"session_id": session_id, "text": "hi"})
    senders = [body["sender"] for body in fake.received]
    assert senders[0] == senders[1] != senders[2]
    assert all("session" not in sender for sender in senders)
    assert fake.received[0]["metadata"] == {"channel": "webchat"}


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


async def test_rasa_down_gives_an_honest_holding_message(gateway: TestClient, fake_rasa) -> None:
    fake, _ = fake_rasa
    fake.up = False
    response = await gateway.post("/webchat/messages", json={"session_id": "abc", "text": "hello"})
    assert response.status == 200
    assert await response.json() == {"messages": [{"text": HOLDING_MESSAGE, "buttons": []}]}
    assert "112" in HOLDING_MESSAGE and "again" in HOLDING_MESSAGE


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
