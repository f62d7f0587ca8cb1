"""Stopping check-ins removes the opt-in's answers from Rasa's tracker store, and only those."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, Dict, List

from bot.checkins.forget import checkin_event_ids, forget_in_tracker


def user(text: str, intent: str = "inform") -> Dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"text": text, "intent": {"name": intent}}}


def bot(text: str) -> Dict[str, Any]:
    return {"event": "bot", "text": text}


def action(name: str) -> Dict[str, Any]:
    return {"event": "action", "name": name}


def slot(name: str, value: Any) -> Dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def loop(name: Any) -> Dict[str, Any]:
    return {"event": "active_loop", "name": name}


def answer(text: str, slot_name: str, value: Any, next_slot: Any) -> List[Dict[str, Any]]:
    return [user(text), slot(slot_name, value), action("checkin_form"), slot("requested_slot", next_slot),
            bot("next question"), action("action_listen")]


# A conversation: a greeting, a country named in an emergency, the opt-in with a code word,
# a language switch, then "stop check-ins".
BEFORE = [
    action("action_session_start"), {"event": "session_started"}, action("action_listen"),
    user("hi", "greet"), action("utter_greet"), bot("Hi, I'm an automated assistant"), action("action_listen"),
    user("help, I'm in Nairobi", "emergency"), slot("country", "KE"), action("action_emergency"),
    bot("🚨 Call 999 now"), action("action_listen"),
]
OPT_IN = [
    user("I'm leaving soon", "plan_checkins"), action("action_offer_checkins"), bot("Check-ins intro"),
    slot("checkin_available", True), action("checkin_form"), loop("checkin_form"),
    slot("requested_slot", "checkin_departure"), bot("When do you leave?"), action("action_listen"),
    *answer("in 5 days", "checkin_departure", "2026-12-05", "checkin_country"),
    # A counselor's hold in the middle is the gateway's, and stays.
    {"event": "pause"}, {"event": "resume"},
    *answer("Qatar", "checkin_country", "QA", "checkin_city"),
    *answer("Doha", "checkin_city", "Doha", "checkin_contact"),
    *answer("[phone] whatsapp", "checkin_contact", {"kind": "whatsapp", "value": "[phone]"}, "checkin_code_word"),
    user("bluepelican"), slot("checkin_code_word", "bluepelican"), action("checkin_form"), loop(None),
    slot("requested_slot", None), action("action_submit_checkins"), bot("Your check-ins are set"),
    slot("checkin_code_word", None), action("action_listen"),
]
AFTER = [
    user("/change_language", "change_language"), slot("language", "fr"), action("utter_language_changed"),
    bot("je te parle en français"), action("action_listen"),
    user("stop check-ins", "stop_checkins"), action("action_stop_checkins"), bot("Check-ins are stopped"),
    action("action_listen"),
]
PRIVATE = ("Doha", "bluepelican", "[phone]", "2026-12-05", "in 5 days")


def kept(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    numbered = list(enumerate(events, start=1))
    doomed = set(checkin_event_ids(numbered))
    return [event for number, event in numbered if number not in doomed]


def test_the_opt_in_turns_go_and_everything_else_stays() -> None:
    left = kept(BEFORE + OPT_IN + AFTER)
    said = json.dumps(left)
    assert not any(word in said for word in PRIVATE)
    assert not any(str(e.get("name", "")).startswith("checkin_") for e in left)
    # The rest of the conversation is as it was: the country for emergency numbers, the language,
    # the session start Rasa needs, the counselor's pause and resume, the stop turn.
    assert left[: len(BEFORE)] == BEFORE
    assert {"event": "pause"} in left and {"event": "resume"} in left
    assert left[-len(AFTER):] == AFTER


def test_a_form_left_half_way_and_a_session_carry_over_are_forgotten_too() -> None:
    stopped = [
        user("stop", "stop"), action("action_deactivate_loop"), loop(None), slot("requested_slot", None),
        action("utter_checkins_form_stopped"), bot("OK, I stopped the check-in questions"), action("action_listen"),
    ]
    carried = [action("action_session_start"), {"event": "session_started"}, slot("checkin_city", "Doha"),
               action("action_listen")]
    events = BEFORE + OPT_IN[:27] + stopped + carried + AFTER
    left = kept(events)
    assert "Doha" not in json.dumps(left) and "in 5 days" not in json.dumps(left)
    assert [e for e in left if e.get("name") == "action_session_start"] == [BEFORE[0], carried[0]]
    assert left[-len(AFTER):] == AFTER


def test_a_conversation_without_check_ins_loses_nothing() -> None:
    assert checkin_event_ids(enumerate(BEFORE + AFTER[:5])) == []


async def test_the_tracker_store_rows_are_deleted_for_that_conversation_only(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), type_name VARCHAR(255),"
            " timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
        )
        for sender in ("stopper", "someone-else"):
            for event in BEFORE + OPT_IN + AFTER:
                db.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, 0, ?)",
                           (sender, event["event"], json.dumps(event)))
    removed = await forget_in_tracker(f"sqlite:///{path}", "stopper")
    with sqlite3.connect(path) as db:
        rows = {sender: [json.loads(data) for (data,) in db.execute(
            "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,))]
            for sender in ("stopper", "someone-else")}
    assert removed == len(OPT_IN) - 2  # all of the opt-in but the pause and resume
    assert rows["stopper"] == kept(BEFORE + OPT_IN + AFTER)
    assert rows["someone-else"] == BEFORE + OPT_IN + AFTER
    assert b"bluepelican" in path.read_bytes()  # someone else's, untouched
    assert await forget_in_tracker("", "stopper") == 0
