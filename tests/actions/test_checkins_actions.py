"""The check-in opt-in: answers read from what people type, skipped questions, and what is sent."""

from __future__ import annotations

from datetime import date
from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import casework_client, checkins
from actions.checkin_answers import code_word_ok, departure_date, schedule_choice, trusted_contact, window_hours
from actions.checkins import QUESTIONS, ActionOfferCheckins, ActionSubmitCheckins, ValidateCheckinForm

MONDAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-12-05", date(2026, 12, 5)),
        ("5/12", date(2026, 12, 5)),
        ("12/25", date(2026, 12, 25)),
        ("on 5.12.2026", date(2026, 12, 5)),
        ("tomorrow", date(2026, 12, 1)),
        ("i leave tmrw morning", date(2026, 12, 1)),
        ("in 3 days", date(2026, 12, 3)),
        ("in two weeks", date(2026, 12, 14)),
        ("next friday", date(2026, 12, 4)),
        ("Monday", date(2026, 12, 7)),
        ("5 Dec", date(2026, 12, 5)),
        ("December 5th", date(2026, 12, 5)),
        ("the 3rd of january", date(2027, 1, 3)),
        ("soon", None),
        ("2020-01-01", None),  # past
        ("2030-01-01", None),  # more than a year ahead
        ("31/2", None),
    ],
)
def test_departure_dates_in_the_ways_people_write_them(text: str, expected: Optional[date]) -> None:
    assert departure_date(text, MONDAY) == expected


def test_other_answers() -> None:
    assert schedule_choice("all four") == "all" and schedule_choice("just two") == "fewer"
    assert window_hours("12 hours") == 12 and window_hours("2 days") == 48 and window_hours("soon") is None
    assert trusted_contact("+254 711 000 999 whatsapp") == {"kind": "whatsapp", "value": "+254711000999"}
    assert trusted_contact("my mum 0711 000 999") == {"kind": "phone", "value": "0711000999"}
    assert trusted_contact("@auntie_grace") == {"kind": "telegram", "value": "@auntie_grace"}
    assert trusted_contact("my mum") is None
    # Through the gateway a number arrives as its placeholder; the gateway puts the number back.
    assert trusted_contact("my sister [phone] on WhatsApp") == {"kind": "whatsapp", "value": "[phone]"}
    assert code_word_ok("mango") and not code_word_ok("ok") and not code_word_ok("hi") and not code_word_ok("yes")


def tracker(text: str, slots: Optional[Dict[str, Any]] = None, intent: str = "inform",
            entities: Optional[List[Dict[str, Any]]] = None) -> Tracker:
    message = {"text": text, "intent": {"name": intent}, "entities": entities or [],
               "metadata": {"channel": "telegram", "language_hint": "en"}}
    return Tracker(
        sender_id="tg-0123456789abcdef",
        slots={**{s: None for s in [*QUESTIONS, "requested_slot", "last_job_check", "recruiter_name", "country"]},
               **(slots or {})},
        latest_message=message,
        events=[{"event": "user", "text": text, "parse_data": message}],
        paused=False, followup_action=None, active_loop={"name": "checkin_form"}, latest_action_name="action_listen",
    )


DOMAIN: Dict[str, Any] = {
    "forms": {"checkin_form": {"required_slots": QUESTIONS}},
    "slots": {slot: {"type": "any", "mappings": [{"type": "custom"}]} for slot in QUESTIONS},
}


async def answer(text: str, asked: str, slots: Optional[Dict[str, Any]] = None, **kwargs: Any
                 ) -> Tuple[List[Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await ValidateCheckinForm().run(dispatcher, tracker(text, {"requested_slot": asked, **(slots or {})},
                                                                 **kwargs), DOMAIN)
    return events, dispatcher


async def test_the_form_reads_a_date_and_says_it_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkins, "today", lambda: MONDAY)
    events, dispatcher = await answer("next friday", "checkin_departure")
    assert SlotSet("checkin_departure", "2026-12-04") in events
    assert dispatcher.messages[0]["response"] == "utter_checkin_date_understood"
    assert dispatcher.messages[0]["date"] == "Friday 4 December"
    events, dispatcher = await answer("whenever", "checkin_departure")
    assert dispatcher.messages[0]["response"] == "utter_checkin_date_not_understood"
    assert SlotSet("checkin_departure", None) in events or not any(
        isinstance(e, dict) and e.get("value") for e in events if e.get("name") == "checkin_departure")


async def test_the_consent_question_is_asked_only_after_a_contact() -> None:
    earlier = {"checkin_departure": "2026-12-05", "checkin_country": "KE", "checkin_city": "skipped",
               "checkin_schedule": "all", "checkin_window": 24.0}
    events, _ = await answer("skip", "checkin_contact", earlier)
    assert SlotSet("checkin_contact", "skipped") in events
    assert SlotSet("requested_slot", "checkin_code_word") in events
    events, _ = await answer("+254711000999 whatsapp", "checkin_contact", earlier)
    # Every question applies: Rasa asks the next one in the domain's order, the consent question.
    assert not any(e.get("name") == "requested_slot" for e in events)
    form = ValidateCheckinForm()
    with_contact = tracker("x", {**earlier, "checkin_contact": {"kind": "phone", "value": "0711000999"}})
    assert "checkin_contact_consent" in await form.required_slots(QUESTIONS, CollectingDispatcher(), with_contact, {})


async def test_a_common_word_is_not_taken_as_a_code_word() -> None:
    _, dispatcher = await answer("ok", "checkin_code_word")
    assert dispatcher.messages[0]["response"] == "utter_checkin_code_word_too_common"


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> List[Dict[str, Any]]:
    calls: List[Dict[str, Any]] = []
    answers: Dict[str, Tuple[Optional[int], Dict[str, Any]]] = {}

    async def fake_call(method: str, path: str, **kwargs: Any) -> Tuple[Optional[int], Dict[str, Any]]:
        calls.append({"method": method, "path": path, **kwargs})
        return answers.get(path, (201, {"text": "Your check-ins are set"}))

    monkeypatch.setattr(casework_client, "call", fake_call)
    calls.append({"answers": answers})
    return calls


async def test_the_web_chat_is_told_why_and_no_question_follows(gateway: List[Dict[str, Any]]) -> None:
    gateway[0]["answers"]["checkins/availability"] = (200, {"available": False, "text": "Check-ins need Telegram"})
    dispatcher = CollectingDispatcher()
    events = await ActionOfferCheckins().run(dispatcher, tracker("/plan_checkins"), {})
    assert dispatcher.messages[0]["text"] == "Check-ins need Telegram"
    assert events == [SlotSet("checkin_available", False)]


async def test_without_consent_the_contact_is_not_sent_and_private_answers_are_cleared(
    gateway: List[Dict[str, Any]]
) -> None:
    slots = {
        "checkin_departure": "2026-12-05", "checkin_country": "KE", "checkin_city": "skipped",
        "checkin_schedule": "fewer", "checkin_window": 12.0,
        "checkin_contact": {"kind": "whatsapp", "value": "+254711000999"}, "checkin_contact_consent": False,
        "checkin_code_word": "mango", "recruiter_name": "Gulf Stars",
    }
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitCheckins().run(dispatcher, tracker("mango", slots), {})
    body = gateway[1]["json"]
    assert body["contact"] is None and body["contact_consent"] is False
    assert body["schedule"] == ["arrival", "day14"] and body["window_hours"] == 12 and body["city"] is None
    assert body["code_word"] == "mango" and body["recruiter"] == "Gulf Stars"
    assert SlotSet("checkin_code_word", None) in events and SlotSet("checkin_contact", None) in events
    assert dispatcher.messages[0]["text"] == "Your check-ins are set"
