"""Multi-turn conversations through `POST /webchat/messages` with the real Rasa, actions and gateway."""

from __future__ import annotations

import json
import sqlite3
import urllib.request
import uuid
from typing import Any, Dict, List

from bot.launcher import Stack


class Chat:
    """One web chat user."""

    def __init__(self, stack: Stack) -> None:
        self.url = f"{stack.gateway_url}/webchat/messages"
        self.session_id = str(uuid.uuid4())

    def say(self, text: str) -> List[Dict[str, Any]]:
        body = json.dumps({"session_id": self.session_id, "text": text}).encode()
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return list(json.loads(response.read())["messages"])


def texts(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in messages)


def test_health_is_green_for_all_three_processes(stack: Stack) -> None:
    assert stack.health() == {"gateway": "ok", "database": "ok", "rasa": "ok", "action_server": "ok"}


def test_greeting_then_menu_offers_buttons(stack: Stack) -> None:
    chat = Chat(stack)
    greeting = chat.say("hi")
    assert "automated assistant" in texts(greeting)
    menu = chat.say("what can you do?")
    payloads = [b["payload"] for m in menu for b in m["buttons"]]
    assert "/check_job_offer" in payloads and "/emergency" in payloads


def test_an_emergency_interrupts_the_menu_and_numbers_come_first(stack: Stack) -> None:
    chat = Chat(stack)
    chat.say("what can you do")
    replies = chat.say("they locked us in the room and took our phones, please help")
    assert replies[0]["text"].startswith("🚨 Call your local emergency number now")
    assert "112" in replies[0]["text"] and "911" in replies[0]["text"]
    assert "Which country are you in?" in texts(replies)
    after = chat.say("we are in qatar")
    assert after[0]["text"].startswith("🚨 Call 999 now. That is the emergency number in Qatar.")


def test_an_emergency_with_a_known_country_is_recorded_for_a_counselor(stack: Stack) -> None:
    chat = Chat(stack)
    replies = chat.say("help me now, my boss is beating me, i am in Doha")
    assert replies[0]["text"].startswith("🚨 Call 999 now")
    with sqlite3.connect(stack.var_dir / "gateway.db") as db:
        rows = db.execute("SELECT reason, country, status FROM urgent_requests").fetchall()
    assert ("emergency", "QA", "pending") in rows


def test_a_question_is_answered_with_its_source(stack: Stack) -> None:
    chat = Chat(stack)
    answer = texts(chat.say("can the agency keep my passport?"))
    assert "passport" in answer.lower() and "Source:" in answer


def test_helpline_for_the_country_the_user_names(stack: Stack) -> None:
    chat = Chat(stack)
    first = texts(chat.say("i need a helpline number"))
    assert "116 111" in first and "Which country" in first
    thailand = texts(chat.say("thailand"))
    assert "Numbers for Thailand" in thailand and "1-800-010-180" in thailand


def test_flows_not_built_yet_say_so_honestly(stack: Stack) -> None:
    chat = Chat(stack)
    answer = texts(chat.say("i got a job offer in dubai as a waitress, is it safe?")).lower()
    assert "can't" in answer or "cannot" in answer
    assert "helpline" in answer


def test_rasa_never_sees_the_session_id(stack: Stack) -> None:
    chat = Chat(stack)
    chat.say("hello")
    with sqlite3.connect(stack.var_dir / "rasa" / "tracker.db") as db:
        senders = {row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")}
    assert senders and chat.session_id not in senders
    assert all(sender.startswith("we-") for sender in senders)
