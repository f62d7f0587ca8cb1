"""Asking for a counselor from the bot: why, what travels with the request, and honest failure."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import casework_client
from actions.handoff import ActionRequestHuman, reason_for

JOB = {"risk": "high", "flags": ["document_retention", "recruitment_fee"], "offer_country": "AE",
       "job_type": "domestic"}


def tracker(events: List[Dict[str, Any]], slots: Optional[Dict[str, Any]] = None) -> Tracker:
    return Tracker(
        sender_id="tg-0123456789abcdef",
        slots=slots or {},
        latest_message={"text": "/request_human", "intent": {"name": "request_human"}, "entities": [],
                        "metadata": {"channel": "telegram", "language_hint": "en-GB"}},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


AFTER_VERDICT = [
    {"event": "user", "text": "done"},
    {"event": "action", "name": "action_job_offer_verdict"},
    {"event": "bot", "text": "High risk"},
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "/request_human"},
]


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> List[Dict[str, Any]]:
    sent: List[Dict[str, Any]] = []

    async def fake_call(method: str, path: str, **kwargs: Any) -> Tuple[Optional[int], Dict[str, Any]]:
        sent.append({"path": path, **kwargs["json"]})
        return 201, {"text": "I've asked for a counselor from X. You are next in line.", "on_duty": False,
                     "buttons": [{"title": "Stop waiting", "payload": "/handoff_cancel"}]}

    monkeypatch.setattr(casework_client, "call", fake_call)
    return sent


def test_the_reason_is_the_job_check_when_the_user_asks_right_after_the_verdict() -> None:
    assert reason_for(tracker(AFTER_VERDICT)) == "job_check"
    later = [*AFTER_VERDICT[:-1], {"event": "user", "text": "hi"}, {"event": "action", "name": "utter_greet"},
             {"event": "action", "name": "action_listen"}, {"event": "user", "text": "/request_human"}]
    assert reason_for(tracker(later)) == "request_human"
    after_report = [{"event": "action", "name": "action_submit_report"}, {"event": "user", "text": "/request_human"}]
    assert reason_for(tracker(after_report)) == "report"


async def test_the_counselor_gets_the_job_check_and_report_code_so_the_user_need_not_repeat_them(
    gateway: List[Dict[str, Any]],
) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionRequestHuman().run(
        dispatcher, tracker(AFTER_VERDICT, {"last_job_check": JOB, "last_report_reference": "SP-7KQ2MX"}), {}
    )
    assert gateway == [{"path": "handoffs", "conversation_id": "tg-0123456789abcdef", "reason": "job_check",
                        "country": None, "language": "en",
                        "context": {"job_check": JOB, "report": {"reference": "SP-7KQ2MX"}}}]
    assert dispatcher.messages[0]["text"].startswith("I've asked for a counselor")
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/handoff_cancel"
    assert SlotSet("handoff_state", "off_duty") in events


async def test_when_the_queue_cannot_be_reached_the_user_is_told_and_gets_helplines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def down(method: str, path: str, **kwargs: Any) -> Tuple[Optional[int], Dict[str, Any]]:
        return None, {}

    monkeypatch.setattr(casework_client, "call", down)
    dispatcher = CollectingDispatcher()
    events = await ActionRequestHuman().run(dispatcher, tracker(AFTER_VERDICT, {"country": "KE"}), {})
    text = dispatcher.messages[0]["text"]
    assert "couldn't reach" in text and "nobody has your request yet" in text and "116" in text
    assert SlotSet("handoff_state", "failed") in events
