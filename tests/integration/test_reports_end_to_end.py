"""A report and a missing-child intake filed through `POST /webchat/messages` with the real Rasa,
actions and gateway; the status checked with the code; the story not readable in the database."""

from __future__ import annotations

import re
import sqlite3

import pytest

from bot.launcher import Stack
from tests.integration.test_conversations import Chat, texts

STORY = "a man in our village takes young girls to work in houses in Mombasa and they never come back"


def test_a_report_is_filed_and_its_status_checked(stack: Stack) -> None:
    chat = Chat(stack)
    intro = texts(chat.say(STORY))
    # The one exception is said before any question, and the long first message is the story.
    assert "There is one exception" in intro and intro.index("one exception") < intro.index("Which is closest")
    chat.say("work with no pay or no way out")
    assert "When did it happen" in texts(chat.say("Mombasa, Kenya"))
    assert "Who is at risk" in texts(chat.say("Weeks or months ago"))
    assert "in danger right now" in texts(chat.say("three girls, about 13 and 14"))
    assert "contact you" in texts(chat.say("no"))
    consent_question = texts(chat.say("no, stay anonymous"))
    assert "child protection" in consent_question
    chat.say("yes")
    chat.say("no")
    filed = texts(chat.say("yes"))
    code = re.search(r"SP-[0-9A-Z]{6}", filed)
    assert code and "Your report is saved" in filed, filed
    assert "SAMPLE Kenya Children's Services Office" in filed and "not yet checked" in filed
    # Labour exploitation in Kenya routes to children's services and a legal-aid NGO (both agreed to).
    assert "SAMPLE Nairobi Legal Aid Clinic" in filed
    assert "stay anonymous" in filed

    status = texts(Chat(stack).say(f"any news on {code.group(0).lower()}?"))
    assert f"Report {code.group(0)}" in status and "Received" in status
    assert "village" not in status  # only the status, never the details
    wrong = texts(Chat(stack).say("status of SP-2222ZZ"))
    assert "couldn't find a report" in wrong

    db_bytes = b"".join(p.read_bytes() for p in stack.var_dir.glob("gateway.db*"))
    assert b"never come back" not in db_bytes and b"about 13" not in db_bytes
    with sqlite3.connect(stack.var_dir / "gateway.db") as db:
        assert db.execute("SELECT category, country, status FROM cases").fetchall()[-1] == (
            "labour_exploitation", "KE", "received")


def test_skip_stop_and_an_emergency_in_the_middle_of_a_report(stack: Stack) -> None:
    chat = Chat(stack)
    chat.say("i want to make a report")
    assert "Which is closest" in texts(chat.say("skip"))
    replies = chat.say("help me now, they locked us in")
    assert replies[0]["text"].startswith("🚨 Call")
    assert "Which is closest" in texts(replies)  # the report goes on after the numbers
    # A tapped button is an answer, even one the classifier reads as an emergency.
    assert "Where is it happening" in texts(chat.say("someone taken or moved"))
    assert "Nothing was sent" in texts(chat.say("stop"))


def missing_child_up_to_the_contact_question(stack: Stack) -> Chat:
    chat = Chat(stack)
    intro = texts(chat.say("my daughter is missing"))
    assert "116 000" in intro and "first name or nickname" in intro
    for answer in ("Amina", "15", "two weeks ago"):
        chat.say(answer)
    # A place the classifier may take for a wish to speak Portuguese: it is the answer all the same.
    assert "Where were they going" in texts(chat.say("in Lisbon, Portugal"))
    chat.say("she went for a hotel job in Spain")
    assert "reach your family" in texts(chat.say("skip"))
    return chat


def test_a_missing_child_intake_points_to_116_000_in_europe(stack: Stack) -> None:
    chat = missing_child_up_to_the_contact_question(stack)
    assert "What number" in texts(chat.say("by phone"))
    chat.say("+351 912 345 678")
    filed = texts(chat.say("no"))
    assert "missing-child report is saved" in filed and re.search(r"SP-[0-9A-Z]{6}", filed)
    assert "116 000" in filed


@pytest.mark.parametrize("typed", ["phone", "call me"])
def test_the_contact_question_takes_a_call_in_the_users_words(stack: Stack, typed: str) -> None:
    chat = missing_child_up_to_the_contact_question(stack)
    assert "What number" in texts(chat.say(typed))


def test_support_services_for_a_town_and_nothing_invented(stack: Stack) -> None:
    chat = Chat(stack)
    found = texts(chat.say("is there a shelter for girls in mombasa"))
    assert "SAMPLE Mombasa Safe House for Girls" in found and "no partner has confirmed" in found
    nothing = texts(Chat(stack).say("i need a lawyer in bangkok"))
    assert "I don't know of any legal help in Thailand" in nothing and "won't guess" in nothing
