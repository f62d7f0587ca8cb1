"""Whole conversations over Telegram and WhatsApp through the real gateway, Rasa and actions.

The platforms are the fakes in tests/fakes.py; the updates are recorded real-format payloads.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Dict, List

from bot.launcher import Stack
from tests.gateway.conftest import fixture
from tests.integration.conftest import TELEGRAM_SECRET, WA_APP_SECRET, Fakes


def post(url: str, body: bytes, headers: Dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def wait_for(found: Callable[[], List[Any]], count: int = 1, timeout: float = 30.0) -> List[Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = found()
        if len(items) >= count:
            time.sleep(0.3)  # let the rest of the turn's replies arrive
            return found()
        time.sleep(0.1)
    raise AssertionError(f"expected {count} item(s) within {timeout}s, got {found()}")


class TelegramUser:
    def __init__(self, stack: Stack, fakes: Fakes, chat_id: int) -> None:
        self.url = f"{stack.gateway_url}/telegram/webhook"
        self.fakes = fakes
        self.chat_id = chat_id
        self.update_id = chat_id * 100
        self.callback_id = ""

    def replies(self) -> List[Dict[str, Any]]:
        return [m for m in self.fakes.telegram.sent() if m.get("chat_id") == self.chat_id]

    def send(self, update: Dict[str, Any]) -> List[Dict[str, Any]]:
        self.update_id += 1
        update = json.loads(json.dumps(update).replace("555000111", str(self.chat_id)))
        update["update_id"] = self.update_id
        before = len(self.replies())
        status = post(self.url, json.dumps(update).encode(), {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
        assert status == 200
        return wait_for(lambda: self.replies()[before:])

    def say(self, text: str) -> List[Dict[str, Any]]:
        update = fixture("telegram", "text")
        update["message"]["text"] = text
        update["message"]["message_id"] = self.update_id
        return self.send(update)

    def press(self, reply: Dict[str, Any], title: str) -> List[Dict[str, Any]]:
        rows = reply["reply_markup"]["inline_keyboard"]
        data = next(b["callback_data"] for row in rows for b in row if b["text"] == title)
        update = fixture("telegram", "callback_query")
        update["callback_query"]["data"] = data
        # Like Telegram's: the user's id in the upper 32 bits.
        self.callback_id = update["callback_query"]["id"] = str((self.chat_id << 32) | (self.update_id % 2**32))
        return self.send(update)


def joined(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text", "")) for m in messages)


def test_a_telegram_conversation_start_button_country_and_emergency(stack: Stack, fakes: Fakes) -> None:
    user = TelegramUser(stack, fakes, chat_id=610000001)
    greeting = user.send(fixture("telegram", "start"))
    assert "automated assistant" in joined(greeting)
    with_keyboard = next(m for m in greeting if m.get("reply_markup"))
    asked = user.press(with_keyboard, "Find a helpline")
    assert user.callback_id in [str(c["callback_query_id"]) for c in fakes.telegram.sent("answerCallbackQuery")]
    assert "country" in joined(asked).lower()
    numbers = user.say("Kenya")
    assert "116" in joined(numbers)  # Kenya's child helpline
    emergency = user.say("help they locked us in the house")
    assert "112" in joined(emergency) or "999" in joined(emergency)


def test_telegram_stop_clears_the_conversation_and_advises_deleting_the_chat(stack: Stack, fakes: Fakes) -> None:
    user = TelegramUser(stack, fakes, chat_id=610000002)
    user.say("hello")
    stopped = user.send(fixture("telegram", "stop"))
    assert "delete this chat" in joined(stopped)


def signed(payload: Dict[str, Any]) -> tuple[bytes, Dict[str, str]]:
    body = json.dumps(payload).encode()
    digest = hmac.new(WA_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {"X-Hub-Signature-256": f"sha256={digest}"}


class WhatsAppUser:
    def __init__(self, stack: Stack, fakes: Fakes, number: str) -> None:
        self.url = f"{stack.gateway_url}/whatsapp/webhook"
        self.fakes = fakes
        self.number = number
        self.count = 0

    def replies(self) -> List[Dict[str, Any]]:
        return [m for m in self.fakes.graph.messages if m.get("to") == self.number]

    def send(self, name: str, **change: Any) -> List[Dict[str, Any]]:
        self.count += 1
        payload = json.loads(json.dumps(fixture("whatsapp", name)).replace("254700123456", self.number))
        message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
        message["id"] = f"wamid.{self.number}.{self.count}"
        for key, value in change.items():
            message[key] = value
        before = len(self.replies())
        body, headers = signed(payload)
        assert post(self.url, body, headers) == 200
        return wait_for(lambda: self.replies()[before:])

    def say(self, text: str) -> List[Dict[str, Any]]:
        return self.send("text", text={"body": text})


def body_text(message: Dict[str, Any]) -> str:
    if message["type"] == "text":
        return str(message["text"]["body"])
    return str(message["interactive"]["body"]["text"])


def test_a_whatsapp_conversation_menu_list_choice_and_read_receipts(stack: Stack, fakes: Fakes) -> None:
    user = WhatsAppUser(stack, fakes, "254711000001")
    greeting = user.say("hi")
    assert "automated assistant" in " ".join(body_text(m) for m in greeting)
    menu = next(m for m in greeting if m["type"] == "interactive")
    interactive = menu["interactive"]
    if interactive["type"] == "list":
        choices = interactive["action"]["sections"][0]["rows"]
    else:
        choices = [b["reply"] for b in interactive["action"]["buttons"]]
    assert all(len(c["title"]) <= 24 for c in choices)
    helpline = next(c for c in choices if "helpline" in c.get("title", "").lower())
    reply = {"type": "list_reply", "list_reply": {"id": helpline["id"], "title": helpline["title"]}}
    asked = user.send("list_reply", interactive=reply)
    assert "country" in " ".join(body_text(m) for m in asked).lower()
    assert f"wamid.{user.number}.1" in fakes.graph.read_receipts


def test_rasa_never_sees_a_phone_number_or_telegram_id(stack: Stack, fakes: Fakes) -> None:
    WhatsAppUser(stack, fakes, "254711000002").say("is a job in Qatar with a free visa safe?")
    TelegramUser(stack, fakes, chat_id=610000003).say("is a job in Qatar with a free visa safe?")
    tracker = stack.var_dir / "rasa" / "tracker.db"
    with sqlite3.connect(tracker) as db:
        rows = db.execute("SELECT sender_id, data FROM events").fetchall()
    dumped = json.dumps(rows)
    assert "254711000002" not in dumped and "610000003" not in dumped
