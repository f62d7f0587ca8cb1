"""The guided job-offer check: asks only what the user's words or pasted advert did not already answer."""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Optional

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import language_of
from actions.job_offer import answers
from actions.language import asks_for_language
from locales.catalogue import localize

FORM = "job_offer_form"
# Most important first (the order the issue and the counsellors asked for).
QUESTIONS = [
    "offer_country", "job_type", "worker_age_group", "offer_source",
    "pays_fee", "keeps_documents", "visa_type", "has_contract", "pay_unusual",
]
# A red flag found in the user's words answers its question without asking it.
PREFILLED_BY_FLAG = {
    "recruitment_fee": ("pays_fee", answers.YES),
    "document_retention": ("keeps_documents", answers.YES),
    "wrong_visa": ("visa_type", "wrong"),
    "no_contract": ("has_contract", answers.NO),
    "unrealistic_pay": ("pay_unusual", answers.YES),
    "online_stranger": ("offer_source", "online"),
}
PARSERS: Dict[str, Callable[[str], Optional[str]]] = {
    "job_type": answers.job_sector,
    "worker_age_group": answers.age_group,
    "offer_source": answers.offer_source,
    "visa_type": answers.visa_answer,
}
REPROMPT = "Sorry, I didn't catch that. Tap one of the buttons, or type \"stop\" to end the check."
COUNTRY_REPROMPT = "I didn't recognise a country there. Type the country's name, or \"not sure\"."
# "I'm 16", "16 years old", "16 y/o" in a first message: the user's own age, not an advert's age limit.
STATED_AGE = re.compile(r"\b(i.?m|i am|im)\s+(\d{1,2})\b|\b\d{1,2}\s*(y/?o|years? old|yrs? old)\b", re.IGNORECASE)


# Messages the form must not swallow as answers: returning no slot for them makes Rasa's form
# reject the turn, so the rules for stopping and for emergencies take over.
# A language switch too: the rule confirms it and the form asks again (data/rules/language.yml).
INTERRUPTIONS = {"stop", "emergency"}


def interrupted(tracker: Tracker) -> bool:
    if (tracker.latest_message.get("intent") or {}).get("name") == "change_language":
        return asks_for_language(tracker.latest_message)
    return (tracker.latest_message.get("intent") or {}).get("name") in INTERRUPTIONS


def latest_flags(tracker: Tracker) -> List[str]:
    return [e["value"] for e in tracker.latest_message.get("entities", []) if e.get("entity") == "red_flag"]


def latest_country(tracker: Tracker) -> Optional[str]:
    return next(tracker.get_latest_entity_values("country"), None)


class ValidateJobOfferForm(FormValidationAction):
    """Fills the form's slots from answers, from the first message and from pasted adverts."""

    def name(self) -> str:
        return "validate_job_offer_form"

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        # Under 18: the child path answers at once; no more questions.
        if tracker.get_slot("worker_age_group") == "minor":
            return [slot for slot in QUESTIONS[:3] if tracker.get_slot(slot) is None]
        return QUESTIONS

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Red flags of every message in the check accumulate; each question takes its answer or a prefill."""
        if interrupted(tracker):
            return []
        events: List[EventType] = []
        known = list(tracker.get_slot("offer_flags") or [])
        new = [f for f in latest_flags(tracker) if f not in known]
        if new:
            events.append(SlotSet("offer_flags", known + new))
        for slot in await self.required_slots(QUESTIONS, dispatcher, tracker, domain):
            value = self._extract(slot, tracker)
            if value:
                events.append(SlotSet(slot, value[slot]))
                tracker.slots.update(value)
        return events

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """An answer we could not read is asked again, with a hint; nothing else needs checking."""
        if interrupted(tracker):
            return []
        candidates = tracker.slots_to_validate()
        asked = tracker.get_slot("requested_slot")
        if asked in candidates and candidates[asked] is None:
            name = "COUNTRY_REPROMPT" if asked == "offer_country" else "REPROMPT"
            dispatcher.utter_message(text=localize("job_offer_form", name, globals()[name], language_of(tracker)))
        return [SlotSet(slot, value) for slot, value in candidates.items()]

    def _extract(self, slot: str, tracker: Tracker) -> Dict[str, Any]:
        """The answer when `slot` was just asked; otherwise what the latest message already tells."""
        if tracker.get_slot(slot) is not None:
            return {}
        text = tracker.latest_message.get("text") or ""
        asked = tracker.get_slot("requested_slot") == slot
        if slot == "offer_country":
            country = latest_country(tracker)
            if country:
                return {slot: country}
            unsure = answers.yes_no_unsure(text) == answers.UNSURE
            return {slot: "unknown" if unsure else None} if asked else {}
        if asked:
            parse = PARSERS.get(slot)
            if parse is not None:
                return {slot: parse(text)}
            intent = (tracker.latest_message.get("intent") or {}).get("name")
            return {slot: answers.yes_no_unsure(text, intent)}
        for flag in latest_flags(tracker):
            prefilled = PREFILLED_BY_FLAG.get(flag)
            if prefilled and prefilled[0] == slot:
                return {slot: prefilled[1]}
        if slot == "worker_age_group" and STATED_AGE.search(text):
            return {slot: answers.age_group(STATED_AGE.search(text).group(0))}  # type: ignore[union-attr]
        if slot == "job_type" and tracker.get_slot("requested_slot") is None:
            sector = answers.job_sector(text)
            return {slot: sector} if sector not in (None, "other", "unknown") else {}
        return {}
