"""Check-ins with the real Rasa, actions and gateway: refused in the web chat, planned on Telegram."""

from __future__ import annotations

import sqlite3
import time
from typing import Any, Dict, List

from bot.launcher import Stack
from tests.integration.conftest import Fakes
from tests.integration.test_channels import TelegramUser, joined
from tests.integration.test_conversations import Chat, texts


def test_the_web_chat_offers_check_ins_but_explains_they_need_telegram_or_whatsapp(stack: Stack) -> None:
    chat = Chat(stack)
    menu = chat.say("what can you do?")
    assert "/plan_checkins" in [b["payload"] for m in menu for b in m["buttons"]]
    replies = texts(chat.say("/plan_checkins"))
    assert "Check-ins need Telegram or WhatsApp" in replies
    assert "When do you leave?" not in replies
    typed = texts(chat.say("I'm leaving soon"))
    assert "Check-ins need Telegram or WhatsApp" in typed


def until(user: TelegramUser, before: int, expect: str, timeout: float = 30.0) -> List[Dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = user.replies()[before:]
        if expect in joined(found):
            return found
        time.sleep(0.1)
    raise AssertionError(f"{expect!r} not in {joined(user.replies()[before:])!r}")


def answer(user: TelegramUser, text: str, expect: str) -> List[Dict[str, Any]]:
    before = len(user.replies())
    user.say(text)
    return until(user, before, expect)


def press(user: TelegramUser, reply: Dict[str, Any], title: str, expect: str) -> List[Dict[str, Any]]:
    before = len(user.replies())
    user.press(reply, title)
    return until(user, before, expect)


def test_a_telegram_user_opts_in_then_stops(stack: Stack, fakes: Fakes) -> None:
    user = TelegramUser(stack, fakes, 555000321)
    answer(user, "I'm leaving soon", "When do you leave?")
    answer(user, "in 5 days", "Which country are you going to?")
    city = answer(user, "Qatar", "Which city")
    schedule = press(user, city[-1], "Skip", "When should I check in?")
    window = press(user, schedule[-1], "All 4 (best)", "How long should I wait")
    contact = press(user, window[-1], "24 hours", "someone you trust")
    code = press(user, contact[-1], "Skip", "code word")
    done = joined(press(user, code[-1], "Skip", "stop check-ins"))
    assert "Your check-ins are set (Asia/Qatar time)" in done and done.count("•") == 4
    assert "a counselor at" in done and "where you are going, your dates" in done
    with sqlite3.connect(stack.var_dir / "gateway.db") as db:
        plans = db.execute("SELECT country, zone, window_hours, contact_encrypted FROM checkin_plans").fetchall()
        due = db.execute("SELECT label, status FROM checkins").fetchall()
    assert plans == [("QA", "Asia/Qatar", 24, None)]
    assert sorted(due) == sorted([("arrival", "pending"), ("day3", "pending"), ("day14", "pending"),
                                  ("day30", "pending")])
    answer(user, "stop check-ins", "Check-ins are stopped")
    with sqlite3.connect(stack.var_dir / "gateway.db") as db:
        assert db.execute("SELECT count(*) FROM checkin_plans").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM checkins").fetchone() == (0,)


CODE_WORD = "bluepelican"
CITY = "Wakrah"
CONTACT_DIGITS = "97455501234"


def holding(path_glob: str, stack: Stack, needle: str) -> List[str]:
    """Files under the stack's var/ whose bytes contain `needle`."""
    return [str(path) for path in stack.var_dir.glob(path_glob) if needle.encode() in path.read_bytes()]


def test_stopping_check_ins_deletes_the_answers_everywhere(stack: Stack, fakes: Fakes) -> None:
    user = TelegramUser(stack, fakes, 555000654)
    assert "automated assistant" in joined(user.say("hi"))
    answer(user, "I'm leaving soon", "When do you leave?")
    answer(user, "in 5 days", "Which country are you going to?")
    answer(user, "Qatar", "Which city")
    schedule = answer(user, CITY, "When should I check in?")
    window = press(user, schedule[-1], "Just 2 (arrival, 2 weeks)", "How long should I wait")
    press(user, window[-1], "24 hours", "someone you trust")
    consent = answer(user, "+974 555 01234 WhatsApp", "may I let this person know")
    press(user, consent[-1], "Yes, they can know", "secret code word")
    done = joined(answer(user, CODE_WORD, "stop check-ins"))
    assert "Your check-ins are set (Asia/Qatar time)" in done and done.count("•") == 2
    tracker = stack.var_dir / "rasa" / "tracker.db"
    with sqlite3.connect(tracker) as db:  # the answers were in Rasa's tracker store
        assert db.execute("SELECT count(*) FROM events WHERE data LIKE ?", (f"%{CODE_WORD}%",)).fetchone()[0] > 0

    answer(user, "stop check-ins", "Check-ins are stopped")
    # After the stop turn, nothing of the answers is left in Rasa's tracker store, the gateway's
    # database or any log (the number never reached Rasa: it went there as "[phone]").
    for needle in (CODE_WORD, CITY, CONTACT_DIGITS, "555 01234", "checkin_code_word"):
        with sqlite3.connect(tracker) as db:
            assert db.execute("SELECT count(*) FROM events WHERE data LIKE ?", (f"%{needle}%",)).fetchone() == (0,)
        assert holding("rasa/tracker.db*", stack, needle) == []
        assert holding("gateway.db*", stack, needle) == []
        assert holding("log/*.log", stack, needle) == []
    with sqlite3.connect(stack.var_dir / "gateway.db") as db:
        assert db.execute("SELECT count(*) FROM checkin_plans").fetchone() == (0,)
    # The conversation goes on as before, the rest of the user's safety intact.
    assert "Which country are you in?" in joined(answer(user, "they locked me in, help", "Which country are you in?"))
