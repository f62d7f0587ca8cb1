"""Helpline numbers for the user's country, or international fallbacks and a question."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import language_of
from actions.numbers_message import helpline_text


class ActionGiveHelpline(Action):
    """Gives the numbers for a known country, otherwise the international fallbacks."""

    def name(self) -> str:
        return "action_give_helpline"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(text=helpline_text(tracker.get_slot("country"), language_of(tracker)))
        # The rule then asks (or checks) where the user is; a bare country answer gets its numbers.
        return [SlotSet("pending_country_question", "helpline")]
