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


def test_an_emergency_with_a_known_country_goes_to_the_counselor_queue_as_urgent(stack: Stack) -> None:
    chat = Chat(stack)
    replies = chat.say("help me now, my boss is beating me, i am in Doha")
    assert replies[0]["text"].startswith("🚨 Call 999 now")
    said = texts(replies)
    assert "asked a counselor to join this chat as urgent" in said or "as urgent, but nobody" in said
    with sqlite3.connect(stack.var_dir / "gateway.db") as db:
        rows = db.execute("SELECT reason, country, status, priority FROM handoffs").fetchall()
    assert ("emergency", "QA", "queued", 0) in rows


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


def test_rasa_never_sees_the_session_id(stack: Stack) -> None:
    chat = Chat(stack)
    chat.say("hello")
    with sqlite3.connect(stack.var_dir / "rasa" / "tracker.db") as db:
        senders = {row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")}
    assert senders and chat.session_id not in senders
    # Every sender is a pseudonym with its channel's prefix (the session also runs Telegram and
    # WhatsApp conversations, tests/integration/test_channels.py).
    assert all(sender[:3] in ("we-", "te-", "wh-") for sender in senders)
    assert any(sender.startswith("we-") for sender in senders)


AD = (
    "URGENT!!! Waitresses needed for a 5 star hotel in Dubai. Salary 2500 USD, no experience needed. "
    "Processing fee 300 USD before departure. We keep your passport for safety. "
    "Come on a visit visa, the company changes it later. Only 3 places left!"
)


def test_a_pasted_advert_gets_a_verdict_with_its_flags(stack: Stack) -> None:
    chat = Chat(stack)
    first = texts(chat.say(AD))
    # The advert answered the country, the work, the fee, the passport, the visa and the pay questions.
    assert "Let's check this offer together" in first
    assert "How old are you?" in first
    assert "Which country" not in first and "What kind of work" not in first
    assert "Who offered you the job?" in texts(chat.say("18 or older"))
    contract_question = texts(chat.say("someone i met online"))
    assert "written contract" in contract_question  # fee, passport and visa questions were skipped
    verdict = texts(chat.say("no"))
    assert verdict.startswith("⚠️ Risk: HIGH")
    for title in (
        "You are asked to pay a fee", "Someone will keep your passport", "The visa is not a work visa",
        "The pay sounds too good", "Pressure to decide", "No proper contract", "a stranger or an online contact",
    ):
        assert title in verdict, title
    assert "Before you go, in any case" in verdict
    assert "safe" not in verdict.split("\n")[0].lower()


CAREFUL_AD_KEEPING_THE_PASSPORT = (
    "Nanny for a family in Toronto under the Home Child Care Provider pilot. Pay CAD 17.50 per hour, 40 hours a "
    "week, private room. The family will hold your passport for safekeeping during your stay. Contract is in "
    "English, signed before you travel. The employer pays the work permit fee and the flight."
)


def test_a_passport_clause_the_second_opinion_doubts_is_asked_about_and_still_ends_high(stack: Stack) -> None:
    """The learned model drops the passport flag from this otherwise careful English advert (it reads as
    legitimate), so no flag answers the passport question: the form asks it, and "yes" makes the risk high."""
    chat = Chat(stack)
    reply = texts(chat.say(CAREFUL_AD_KEEPING_THE_PASSPORT))
    asked_about_passport = False
    for _ in range(12):
        if reply.startswith("⚠️ Risk") or "Risk:" in reply.split("\n")[0]:
            break
        if "keep your passport or ID?" in reply:
            asked_about_passport = True
            reply = texts(chat.say("yes"))
        elif "How old are you?" in reply:
            reply = texts(chat.say("18 or older"))
        elif "Who offered you the job?" in reply:
            reply = texts(chat.say("an agency"))
        elif "What visa will you travel on?" in reply:
            reply = texts(chat.say("work visa"))
        else:
            reply = texts(chat.say("no"))
    assert asked_about_passport, "the retrained second opinion no longer drops this passport flag: pick another advert"
    assert reply.startswith("⚠️ Risk: HIGH")
    assert "Someone will keep your passport" in reply


def test_an_emergency_interrupts_the_check_and_stop_ends_it(stack: Stack) -> None:
    chat = Chat(stack)
    chat.say("i got a job offer abroad, is it safe?")
    replies = chat.say("help me now, they locked us in")
    assert replies[0]["text"].startswith("🚨 Call")
    other = Chat(stack)
    other.say("can you check my job offer")
    assert "stopped the check" in texts(other.say("stop"))


def test_a_minor_gets_the_child_path(stack: Stack) -> None:
    chat = Chat(stack)
    chat.say("i got an offer to work in a factory in malaysia")
    answer = texts(chat.say("16"))
    # Child helpline numbers for where the user is (unknown here), not for the job's country.
    assert "You told me you are under 18" in answer and "116 111" in answer


def test_recruiter_lookup_finds_a_licensed_agency_despite_a_typo(stack: Stack) -> None:
    chat = Chat(stack)
    assert "Which country is the agency in" in texts(chat.say("is Bayanihan Manpower Servises licensed?"))
    found = texts(chat.say("philippines"))
    assert "SAMPLE-PH-0001" in found and "sample or unverified data" in found
    other = Chat(stack)
    assert "agency's or recruiter's name" in texts(other.say("can you check a recruitment agency for me"))
    other.say("Totally Unknown Movers")
    missing = texts(other.say("philippines"))
    assert "not proof of fraud" in missing and "Department of Migrant Workers" in missing
