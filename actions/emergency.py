"""The emergency path: numbers first (advice, next steps and the country question follow in the rule)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import casework_client
from actions.handoff import language_of, request_handoff
from actions.numbers_message import emergency_text

REPORT_FORMS = ("report_form", "missing_child_form")


class ActionEmergency(Action):
    """Answers an emergency from any state and asks for a counselor as urgent."""

    def name(self) -> str:
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        country = tracker.get_slot("country")
        dispatcher.utter_message(text=emergency_text(country, language_of(tracker)))
        if (tracker.active_loop or {}).get("name") in REPORT_FORMS:
            # A report goes on after the numbers (its answers are not lost): the urgent request is
            # recorded, and the filed report offers a counselor.
            await casework_client.post(
                "urgent-requests", {"conversation_id": tracker.sender_id, "reason": "emergency", "country": country}
            )
            return [SlotSet("pending_country_question", "emergency"), SlotSet("handoff_state", "in_report")]
        # An urgent request for a counselor (no question asked). The numbers are already out: a
        # failure here never delays them; utter_emergency_next_steps says what happened.
        answer = await request_handoff(tracker, "emergency")
        state = "failed" if answer is None else ("queued" if answer.get("on_duty") is not False else "off_duty")
        # The rule goes on with advice, next steps and a question about where the user is.
        return [SlotSet("pending_country_question", "emergency"), SlotSet("handoff_state", state)]
