"""A bare country or place from the user, answered according to the question it replies to."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import language_of
from actions.helpline_directory import country_in_sentence
from actions.numbers_message import emergency_text, helpline_text
from actions.support_services import ActionFindSupportServices
from locales.catalogue import localize

NOT_RECOGNISED = "Sorry, I didn't recognise that place. Could you type the country's name?"
NOTED = "Thanks, I'll remember you mentioned {country}."


class ActionHandleCountry(Action):
    """Gives emergency or helpline numbers for the country the user just named."""

    def name(self) -> str:
        return "action_handle_country"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        pending: Optional[str] = tracker.get_slot("pending_country_question")
        named = next(tracker.get_latest_entity_values("country"), None)
        language = language_of(tracker)
        if named is None:
            dispatcher.utter_message(text=localize("country_answer", "NOT_RECOGNISED", NOT_RECOGNISED, language))
            return []
        if pending == "services":
            # The user was asked where to look for services: look there now.
            return await ActionFindSupportServices().run(dispatcher, tracker, domain)
        if pending == "emergency":
            dispatcher.utter_message(text=emergency_text(named, language))
        elif pending == "helpline":
            dispatcher.utter_message(text=helpline_text(named, language))
        else:
            noted = localize("country_answer", "NOTED", NOTED, language, country=country_in_sentence(named, language))
            dispatcher.utter_message(text=noted)
            dispatcher.utter_message(response="utter_menu")
        # The user answered where they are: later numbers are for this country.
        return [SlotSet("pending_country_question", None), SlotSet("country", named)]
