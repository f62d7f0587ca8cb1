"""Emergency and helpline actions: numbers first, country-specific when known, never presented as checked."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import casework_client
from actions.country_answer import ActionHandleCountry
from actions.emergency import ActionEmergency
from actions.helplines import ActionGiveHelpline
from actions.numbers_message import UNVERIFIED


def tracker(
    slots: Optional[Dict[str, Any]] = None, entities: Optional[List[Dict[str, Any]]] = None
) -> Tracker:
    return Tracker(
        sender_id="we-0123456789abcdef",
        slots=slots or {},
        latest_message={"text": "...", "intent": {"name": "inform"}, "entities": entities or []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> List[Dict[str, Any]]:
    calls: List[Dict[str, Any]] = []

    async def fake_call(method: str, path: str, **kwargs: Any) -> Tuple[Optional[int], Dict[str, Any]]:
        calls.append({"path": path, **kwargs["json"]})
        return 201, {"id": 1, "text": "I've asked for a counselor as urgent.", "on_duty": True}

    monkeypatch.setattr(casework_client, "call", fake_call)
    return calls


async def test_emergency_with_known_country_gives_its_number_first(recorded: list) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionEmergency().run(dispatcher, tracker({"country": "QA"}), {})
    first = dispatcher.messages[0]["text"]
    assert first == "🚨 Call 999 now. That is the emergency number in Qatar."
    assert recorded == [
        {"path": "handoffs", "conversation_id": "we-0123456789abcdef", "reason": "emergency", "country": "QA",
         "language": "en", "context": {}}
    ]
    assert SlotSet("pending_country_question", "emergency") in events
    assert SlotSet("handoff_state", "queued") in events


async def test_emergency_numbers_come_even_when_the_counselor_queue_is_unreachable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def unreachable(method: str, path: str, **kwargs: Any) -> Tuple[Optional[int], Dict[str, Any]]:
        return None, {}

    monkeypatch.setattr(casework_client, "call", unreachable)
    dispatcher = CollectingDispatcher()
    events = await ActionEmergency().run(dispatcher, tracker({"country": "QA"}), {})
    assert dispatcher.messages[0]["text"].startswith("🚨 Call 999 now")
    assert SlotSet("handoff_state", "failed") in events


async def test_an_emergency_during_a_report_records_it_and_lets_the_report_go_on(recorded: list) -> None:
    dispatcher = CollectingDispatcher()
    in_report = tracker({"country": "KE"})
    in_report.active_loop = {"name": "report_form"}
    events = await ActionEmergency().run(dispatcher, in_report, {})
    assert dispatcher.messages[0]["text"].startswith("🚨 Call 999 or 112 now")
    assert recorded == [{"path": "urgent-requests", "conversation_id": "we-0123456789abcdef", "reason": "emergency",
                         "country": "KE"}]
    assert SlotSet("handoff_state", "in_report") in events


async def test_emergency_without_country_gives_the_fallbacks(recorded: list) -> None:
    dispatcher = CollectingDispatcher()
    await ActionEmergency().run(dispatcher, tracker(), {})
    first = dispatcher.messages[0]["text"]
    assert "112" in first and "911" in first
    assert recorded[0]["country"] is None


async def test_emergency_lines_from_public_lists_carry_the_caveat(recorded: list) -> None:
    dispatcher = CollectingDispatcher()
    await ActionEmergency().run(dispatcher, tracker({"country": "US"}), {})
    first = dispatcher.messages[0]["text"]
    assert first.startswith("🚨 Call 911 now. That is the emergency number in the United States.")
    assert "1-888-373-7888" in first and UNVERIFIED in first


@pytest.mark.parametrize(
    "country, expected",
    [
        ("US", ["1-888-373-7888", "233733", "911"]),
        ("TH", ["1-800-010-180"]),
        ("DE", ["116 111", "116 000", "112"]),
    ],
)
async def test_helpline_lists_the_country_lines(country: str, expected: List[str]) -> None:
    dispatcher = CollectingDispatcher()
    await ActionGiveHelpline().run(dispatcher, tracker({"country": country}), {})
    text = dispatcher.messages[0]["text"]
    for number in expected:
        assert number in text
    assert UNVERIFIED in text


async def test_helpline_for_a_country_without_entries_says_so_and_gives_fallbacks() -> None:
    dispatcher = CollectingDispatcher()
    await ActionGiveHelpline().run(dispatcher, tracker({"country": "IS"}), {})
    text = dispatcher.messages[0]["text"]
    assert text.startswith("I don't have numbers for Iceland yet")
    assert "116 111" in text


async def test_a_country_answer_after_an_emergency_gives_that_country_emergency_number(recorded: list) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionHandleCountry().run(
        dispatcher,
        tracker({"pending_country_question": "emergency"}, [{"entity": "country", "value": "GB"}]),
        {},
    )
    assert dispatcher.messages[0]["text"].startswith("🚨 Call 999 or 112 now")
    assert SlotSet("pending_country_question", None) in events
    assert SlotSet("country", "GB") in events  # later numbers are for where the user is


async def test_an_unrecognised_place_is_asked_again() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionHandleCountry().run(dispatcher, tracker({"pending_country_question": "helpline"}), {})
    assert "didn't recognise" in dispatcher.messages[0]["text"]
    assert events == []
