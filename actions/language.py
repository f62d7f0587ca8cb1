"""Switching language: a choice (a language button) is confirmed, a request gets the buttons.

The gateway owns the conversation's language (bot/language.py): it reads a language button's
payload, stores the choice and sends it to Rasa, so by the time this action runs the `language`
slot is already the new one and the confirmation is chosen in it.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

CHOICE_PREFIX = "/change_language{"


class ActionChangeLanguage(Action):
    """Confirms a language chosen with a button, or offers the buttons."""

    def name(self) -> str:
        return "action_change_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        text = str((tracker.latest_message or {}).get("text") or "")
        if text.startswith(CHOICE_PREFIX):
            dispatcher.utter_message(response="utter_language_changed")
        else:
            dispatcher.utter_message(response="utter_choose_language")
        return []
