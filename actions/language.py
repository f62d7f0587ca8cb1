"""Switching language: a choice (a language button) is confirmed, a request gets the buttons.

The gateway owns the conversation's language (bot/language.py): it reads a language button's
payload, stores the choice and sends it to Rasa, so by the time this action runs the `language`
slot is already the new one and the confirmation is chosen in it.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

CHOICE_PREFIX = "/change_language{"
# Words a request for another language has (the names of languages people ask for, and "language",
# "speak" in English, Spanish and French). Without one, a `change_language` guess in the middle of a
# form is a misreading ("in Lisbon, Portugal" read as a wish for Portuguese) and the text is an answer.
_LANGUAGE_WORDS = re.compile(
    r"\b(languages?|idiomas?|lenguas?|langues?|speak\w*|habl\w*|parl\w*|translat\w*|tradu\w*|"
    r"english|ingl[eé]s|anglais|spanish|espa[nñ]ol|espagnol|french|franc[eé]s|fran[cç]ais|"
    r"portugu\w*|arabic|[aá]rabe|amharic|bahasa|bengali|burmese|chinese|german|hindi|italian\w*|khmer|"
    r"nepali|oromo|quechua|russian|sinhala|somali|swahili|kiswahili|tagalog|thai|urdu|portugais|hausa|k'?iche|"
    r"vietnamese|bambara|wolof|yoruba|igbo|tigrinya|pashto|dari|farsi|persian|turkish|ukrainian|tamil|"
    r"punjabi|malay|indonesian|lao|creole|cr[eé]ole|krey[oò]l)\b",
    re.IGNORECASE,
)


def asks_for_language(message: Optional[Dict[str, Any]]) -> bool:
    """True when a message the classifier took for `change_language` really asks for a language:
    the gateway's language choice, or words about a language."""
    message = message or {}
    if (message.get("intent") or {}).get("name") != "change_language":
        return False
    text = str(message.get("text") or "")
    return text.startswith(CHOICE_PREFIX) or bool(_LANGUAGE_WORDS.search(text))


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
