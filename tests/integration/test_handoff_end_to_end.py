"""A counselor takes over a web chat from the real Rasa and gives it back.

The user asks for a person; the real action asks the gateway; a demo counselor (make run's
SAMPLE_DATA accounts) claims the chat through the console API and talks to the user; the bot
stays silent, even after Rasa's session would have expired (60 minutes); after the close, the
bot answers again.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.request
from typing import Any, Dict, List

import aiohttp

from bot.console.auth import SECURE_COOKIE
from bot.console.demo_accounts import read_logins
from bot.launcher import Stack
from bot.pseudonym import pseudonym
from tests.integration.test_conversations import Chat, texts

RASA_TOKEN = "integration-rasa-token"


def rasa_tracker(stack: Stack, conversation_id: str) -> Dict[str, Any]:
    url = f"http://127.0.0.1:{stack.rasa_port}/conversations/{conversation_id}/tracker?token={RASA_TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as response:
        tracker: Dict[str, Any] = json.loads(response.read())
    return tracker


def rasa_append(stack: Stack, conversation_id: str, event: Dict[str, Any]) -> None:
    url = f"http://127.0.0.1:{stack.rasa_port}/conversations/{conversation_id}/tracker/events?token={RASA_TOKEN}"
    request = urllib.request.Request(url, data=json.dumps(event).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30):
        pass


def later_replies(stack: Stack, chat: Chat, expect: str, timeout: float = 15.0) -> List[str]:
    seen: List[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        url = f"{stack.gateway_url}/webchat/messages?session_id={chat.session_id}&after=0"
        with urllib.request.urlopen(url, timeout=30) as response:
            seen = [m["text"] for m in json.loads(response.read())["messages"]]
        if any(expect in text for text in seen):
            break
        time.sleep(0.2)
    return seen


class Counselor:
    """The console's JSON API as the page's script uses it (cookie, CSRF header, Origin)."""

    def __init__(self, stack: Stack, username: str) -> None:
        assert stack.demo_logins is not None, "make run's SAMPLE_DATA=1 creates demo console accounts"
        self.stack, self.username = stack, username
        self.password = read_logins(stack.demo_logins)[username]
        self.headers: Dict[str, str] = {}

    async def __aenter__(self) -> Counselor:
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())
        base = self.stack.gateway_url
        async with self.http.post(f"{base}/console/login", data={"username": self.username, "password": self.password},
                                  headers={"Origin": base}, allow_redirects=False) as response:
            assert response.status == 303, await response.text()
            cookie = response.cookies[SECURE_COOKIE].value
        self.headers = {"Cookie": f"{SECURE_COOKIE}={cookie}", "Origin": base, "Accept": "application/json"}
        async with self.http.get(f"{base}/console", headers=self.headers) as response:
            match = re.search(r'<meta name="csrf-token" content="([^"]+)"', await response.text())
        assert match
        self.headers["X-CSRF-Token"] = match.group(1)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.http.close()

    async def get(self, path: str) -> Any:
        async with self.http.get(f"{self.stack.gateway_url}{path}", headers=self.headers) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def post(self, path: str, body: Dict[str, Any]) -> None:
        async with self.http.post(f"{self.stack.gateway_url}{path}", json=body, headers=self.headers) as response:
            assert response.status == 200, await response.text()


def test_the_bot_is_silent_while_a_counselor_has_the_chat_and_answers_again_after(stack: Stack) -> None:
    chat = Chat(stack)
    conversation_id = pseudonym("integration-pseudonym-key", "webchat", chat.session_id)
    chat.say("hi")
    queued = texts(chat.say("i want to talk to a real person"))
    assert "I've asked for a counselor from SAMPLE International Casework Desk" in queued, queued
    assert "type \"cancel\"" in queued
    assert rasa_tracker(stack, conversation_id)["events"][-1]["event"] in ("pause", "action")

    waiting = texts(chat.say("my agent kept my passport"))
    assert "kept for the counselor" in waiting and "automated" not in waiting

    async def counselor_takes_over() -> None:
        async with Counselor(stack, "demo-intl-counselor") as counselor:
            queue = (await counselor.get("/console/api/queue"))["queue"]
            # Other tests of the session also wait in this queue: this chat's request is the newest.
            entry = max((e for e in queue if e["status"] == "queued" and not e["urgent"]), key=lambda e: e["id"])
            assert entry["topic"] == "Asked for a person" and "+" not in json.dumps(entry)
            handoff = entry["id"]
            await counselor.post(f"/console/api/conversations/{handoff}/claim", {})
            lines = await counselor.get(f"/console/api/conversations/{handoff}/lines?after=0")
            # The counselor reads the user's earlier talk with the bot and what they sent since.
            assert "hi" in [line["text"] for line in lines["earlier"] if line["sender"] == "user"]
            assert "my agent kept my passport" in [line["text"] for line in lines["lines"]]
            await counselor.post(f"/console/api/conversations/{handoff}/messages",
                                 {"text": "Hello, I'm a counselor. Are you safe right now?"})
            assert any("Are you safe right now?" in t for t in later_replies(stack, chat, "Are you safe"))

            # Rasa would start a new session (forgetting the pause) on a message after 60 minutes.
            rasa_append(stack, conversation_id, {"event": "user", "text": "an old message",
                                                 "timestamp": time.time() - 2 * 3600,
                                                 "parse_data": {"intent": {"name": "greet", "confidence": 1.0}}})
            events_before = len(rasa_tracker(stack, conversation_id)["events"])
            assert chat.say("yes, I'm at my cousin's house now") == []
            assert chat.say("hi") == []  # even a greeting goes to the counselor, not the bot
            assert len(rasa_tracker(stack, conversation_id)["events"]) == events_before
            lines = await counselor.get(f"/console/api/conversations/{handoff}/lines?after=0")
            assert "yes, I'm at my cousin's house now" in [line["text"] for line in lines["lines"]]

            await counselor.post(f"/console/api/conversations/{handoff}/close", {"outcome": "information_given"})

    asyncio.run(counselor_takes_over())
    assert any("back with the SafePassage assistant" in t for t in later_replies(stack, chat, "back with"))
    again = texts(chat.say("hi"))
    assert "automated assistant" in again, again
    events = rasa_tracker(stack, conversation_id)["events"]
    assert any(e["event"] == "resume" for e in events)
