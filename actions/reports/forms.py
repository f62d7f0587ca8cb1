"""The report and missing-child forms: one short question at a time, skip always possible.

A turn whose intent is `stop` or `emergency` fills nothing, so Rasa's form rejects it and the
rules in data/rules/reports.yml take over (stop ends the form; an emergency gives the numbers and
then the form asks its question again). A whole-answer "skip" is read as skipping even when the
classifier took it for `stop`.
"""

from __future__ import annotations

import abc
from typing import Any, Callable, Dict, List, Optional

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import casework_client
from actions.handoff import language_of
from actions.language import asks_for_language
from actions.numbers_message import emergency_text
from actions.reports import answers
from locales.catalogue import localize

INTERRUPTIONS = {"stop", "emergency"}
REPROMPT = "Sorry, I didn't catch that. Tap one of the buttons, type \"skip\", or type \"stop\" to end."
# Free text answers: anything the user writes is kept as written (a skip is recorded as skipped).
Reader = Callable[[str, Optional[str]], Optional[str]]


def _free_text(text: str, _intent: Optional[str]) -> Optional[str]:
    return text.strip() or None


def _yes_no(text: str, intent: Optional[str]) -> Optional[str]:
    return answers.yes_no(text, intent)


def _consent(text: str, intent: Optional[str]) -> Optional[str]:
    # Only a clear yes is consent; "not sure" is treated as no.
    value = answers.yes_no(text, intent)
    return None if value is None else ("yes" if value == answers.YES else "no")


def _contact(text: str, _intent: Optional[str]) -> Optional[str]:
    return answers.contact_method(text)


def _phone(text: str, _intent: Optional[str]) -> Optional[str]:
    return answers.phone_number(text)


def _category(text: str, _intent: Optional[str]) -> Optional[str]:
    return answers.category(text)


def _when(text: str, _intent: Optional[str]) -> Optional[str]:
    return answers.when(text) or None


def _age(text: str, _intent: Optional[str]) -> Optional[str]:
    return answers.child_age(text) or (text.strip() or None)


def intent_of(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


# Questions answered in the user's own words. A story of abuse often reads like an emergency, and
# may contain "stop": there, an emergency is answered at once AND the words are kept as the answer
# (otherwise the same question would come back forever), and only a short message stops the form.
NARRATIVE_SLOTS = {
    "report_what", "report_where", "report_who_at_risk",
    "missing_last_when", "missing_last_where", "missing_destination", "missing_taken_by",
}
SHORT_STOP_WORDS = 6
# In a story, the emergency path runs only when the classifier is fairly sure: "three girls, about
# 13" must not bring up emergency numbers (the report asks about danger right after).
STORY_EMERGENCY_CONFIDENCE = 0.5
# A tapped button is a deliberate answer: it is taken even when the classifier reads it as an
# emergency ("someone taken or moved") or a stop, or the same question would come back forever.
BUTTON_ANSWERS = {
    "report_category": {"work with no pay or no way out", "sex or sexual abuse", "something online",
                        "someone taken or moved", "not sure"},
    "report_when": {"it's happening now", "in the last few days", "weeks or months ago", "not sure"},
    "report_who_at_risk": {"no children", "not sure"},
    "report_danger_now": {"yes", "no", "not sure"},
    "report_contact_method": {"no, stay anonymous", "yes, in this chat", "yes, by phone"},
    "report_consent_child_protection": {"yes", "no"},
    "report_consent_police": {"yes", "no"},
    "report_consent_ngo": {"yes", "no"},
    "missing_age": {"under 12", "12 to 15", "16 or 17"},
    "missing_contact_method": {"by phone", "in this chat", "don't contact me"},
    "missing_consent_ngo": {"yes", "no"},
}


def is_button_answer(slot: Optional[str], text: str) -> bool:
    return text.strip().lower() in BUTTON_ANSWERS.get(slot or "", set())


# "call me" at the contact question: the classifier, tuned to miss no emergency, may give it a weak
# emergency reading. A short answer that says how to be reached, read as an emergency only weakly
# (no danger phrase matched), is the answer; a danger phrase always gives the numbers.
CONTACT_SLOTS = {"report_contact_method", "missing_contact_method"}


def is_contact_answer(tracker: Tracker, slot: Optional[str], text: str) -> bool:
    intent = tracker.latest_message.get("intent") or {}
    return (
        slot in CONTACT_SLOTS
        and len(text.split()) <= SHORT_STOP_WORDS
        and answers.contact_method(text) is not None
        and float(intent.get("confidence") or 0.0) < STORY_EMERGENCY_CONFIDENCE
    )


def interrupted(tracker: Tracker) -> bool:
    """True when the rules must take this turn: stop (unless it is a skip) or an emergency."""
    text = tracker.latest_message.get("text") or ""
    intent = intent_of(tracker)
    asked = tracker.get_slot("requested_slot")
    if answers.is_skip(text) or is_button_answer(asked, text):
        return False
    if intent == "change_language":  # the rule confirms it and the form asks again
        return asks_for_language(tracker.latest_message)
    if intent == "emergency":
        return asked not in NARRATIVE_SLOTS and not is_contact_answer(tracker, asked, text)
    if intent == "stop":
        if answers.is_skip(text):
            return False
        return asked not in NARRATIVE_SLOTS or len(text.split()) <= SHORT_STOP_WORDS
    return False


def emergency_in_story(tracker: Tracker, asked: Optional[str]) -> bool:
    intent = tracker.latest_message.get("intent") or {}
    return (
        asked in NARRATIVE_SLOTS
        and intent.get("name") == "emergency"
        and float(intent.get("confidence") or 0.0) >= STORY_EMERGENCY_CONFIDENCE
    )


async def emergency_path(dispatcher: CollectingDispatcher, tracker: Tracker, country: Optional[str]) -> None:
    """The emergency numbers and advice at once, an urgent request recorded; the form goes on after."""
    dispatcher.utter_message(text=emergency_text(country, language_of(tracker)))
    dispatcher.utter_message(response="utter_emergency_advice")
    dispatcher.utter_message(response="utter_report_continues_after_danger")
    await casework_client.post(
        "urgent-requests", {"conversation_id": tracker.sender_id, "reason": "emergency", "country": country}
    )


def latest_country(tracker: Tracker) -> Optional[str]:
    return next(tracker.get_latest_entity_values("country"), None)


class IntakeForm(FormValidationAction, metaclass=abc.ABCMeta):
    """Shared reading of answers; subclasses give the questions, readers and the phone logic."""

    QUESTIONS: List[str] = []
    READERS: Dict[str, Reader] = {}
    CONTACT_SLOT = ""
    PHONE_SLOT = ""
    COUNTRY_SLOT = ""
    PLACE_SLOT = ""  # the answer whose place names give the country for routing

    @abc.abstractmethod
    def name(self) -> str: ...

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        # The phone number is asked only of someone who chose to be called.
        if tracker.get_slot(self.CONTACT_SLOT) == "phone":
            return self.QUESTIONS
        return [slot for slot in self.QUESTIONS if slot != self.PHONE_SLOT]

    def read(self, slot: str, tracker: Tracker) -> Optional[str]:
        text = (tracker.latest_message.get("text") or "").strip()
        if answers.is_skip(text) or text.lower() in ("skip", "/skip"):
            return self.skipped_value(slot)
        reader = self.READERS.get(slot, _free_text)
        return reader(text, intent_of(tracker))

    def skipped_value(self, slot: str) -> str:
        if slot == self.CONTACT_SLOT:
            return "anonymous"  # the default: nobody contacts the reporter
        if slot.startswith(("report_consent", "missing_consent")):
            return "no"  # no answer is never consent
        return answers.SKIPPED

    def prefill(self, tracker: Tracker) -> List[EventType]:
        """What the message that opened the form already answers (nothing by default)."""
        return []

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if interrupted(tracker):
            return []
        asked = tracker.get_slot("requested_slot")
        if asked is None:
            return self.prefill(tracker)
        events: List[EventType] = [SlotSet(asked, self.read(asked, tracker))]
        if asked == self.PLACE_SLOT and latest_country(tracker):
            events.append(SlotSet(self.COUNTRY_SLOT, latest_country(tracker)))
        if asked == self.PHONE_SLOT and events[0]["value"] == answers.SKIPPED:
            # No number after all: nobody will call.
            events.append(SlotSet(self.CONTACT_SLOT, "anonymous"))
        return events

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if interrupted(tracker):
            return []
        candidates = tracker.slots_to_validate()
        asked = tracker.get_slot("requested_slot")
        if asked in candidates and candidates[asked] is None:
            name = "PHONE_REPROMPT" if asked == self.PHONE_SLOT else "REPROMPT"
            dispatcher.utter_message(text=localize("report_forms", name, globals()[name], language_of(tracker)))
        if emergency_in_story(tracker, asked):
            await emergency_path(dispatcher, tracker, tracker.get_slot("country"))
        await self.after_answer(asked, candidates, dispatcher, tracker)
        return [SlotSet(slot, value) for slot, value in candidates.items()]

    async def after_answer(
        self, asked: Optional[str], values: Dict[str, Any], dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> None:
        """Side effects of an answer (the danger question), before the next question."""


PHONE_REPROMPT = (
    "That doesn't look like a phone number. Type it with the country code, like +254 700 000 000, "
    'or "skip".'
)


class ValidateReportForm(IntakeForm):
    """The report form: what, category, where, when, who is at risk, danger now, contact, consent."""

    QUESTIONS = [
        "report_what", "report_category", "report_where", "report_when", "report_who_at_risk",
        "report_danger_now", "report_contact_method", "report_phone",
        "report_consent_child_protection", "report_consent_police", "report_consent_ngo",
    ]
    READERS = {
        "report_category": _category,
        "report_when": _when,
        "report_danger_now": _yes_no,
        "report_contact_method": _contact,
        "report_phone": _phone,
        "report_consent_child_protection": _consent,
        "report_consent_police": _consent,
        "report_consent_ngo": _consent,
    }
    CONTACT_SLOT = "report_contact_method"
    PHONE_SLOT = "report_phone"
    COUNTRY_SLOT = "report_country"
    PLACE_SLOT = "report_where"
    MIN_WORDS_FOR_STORY = 10

    def name(self) -> str:
        return "validate_report_form"

    def prefill(self, tracker: Tracker) -> List[EventType]:
        # "There's a girl next door who never goes to school…": the opening message is the story.
        text = (tracker.latest_message.get("text") or "").strip()
        if text.startswith("/") or len(text.split()) < self.MIN_WORDS_FOR_STORY:
            return []
        events: List[EventType] = [SlotSet("report_what", text)]
        if latest_country(tracker):
            events.append(SlotSet("report_country", latest_country(tracker)))
        return events

    async def after_answer(
        self, asked: Optional[str], values: Dict[str, Any], dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> None:
        if asked == "report_danger_now" and values.get("report_danger_now") == answers.YES:
            # The emergency path at once; the report goes on after it.
            await emergency_path(dispatcher, tracker, tracker.get_slot("country") or tracker.get_slot("report_country"))


class ValidateMissingChildForm(IntakeForm):
    """The missing-child intake: who, age, last contact, where they were going, who took them, contact."""

    QUESTIONS = [
        "missing_name", "missing_age", "missing_last_when", "missing_last_where", "missing_destination",
        "missing_taken_by", "missing_contact_method", "missing_phone", "missing_consent_ngo",
    ]
    READERS = {
        "missing_age": _age,
        "missing_contact_method": _contact,
        "missing_phone": _phone,
        "missing_consent_ngo": _consent,
    }
    CONTACT_SLOT = "missing_contact_method"
    PHONE_SLOT = "missing_phone"
    COUNTRY_SLOT = "missing_country"
    PLACE_SLOT = "missing_last_where"

    def name(self) -> str:
        return "validate_missing_child_form"
