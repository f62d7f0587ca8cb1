"""The emergency path: numbers first (advice, next steps and the country question follow in the rule)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import casework_client
from actions.numbers_message import emergency_text


class ActionEmergency(Action):
    """Answers an emergency from any state and records an urgent request for a counselor."""

    def name(self) -> str:
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        country = tracker.get_slot("country")
        dispatcher.utter_message(text=emergency_text(country))
        # Recorded for the handoff queue; a failure here must never delay or block the numbers.
        await casework_client.post(
            "urgent-requests",
            {"conversation_id": tracker.sender_id, "reason": "emergency", "country": country},
        )
        # The rule goes on with advice, next steps and a question about where the user is.
        return [SlotSet("pending_country_question", "emergency")]
