"""Recruiter look-up: the agency's name (and country) against the licensed-recruiter registries."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import casework_client
from actions.handoff import language_of
from actions.helpline_directory import country_in_sentence
from actions.job_offer import answers
from actions.job_offer.form import interrupted
from locales.catalogue import localize

BODIES_FILE = Path(__file__).resolve().parents[2] / "reference" / "licensing_bodies.yml"
NOT_FOUND = "I couldn't find \"{name}\" in the registries I have."
NOT_FOUND_FOR = "I couldn't find \"{name}\" in the registries I have for {country}."
NOT_PROOF = (
    "That is not proof of fraud: my lists are small and may be out of date. "
    "But please check the licence with the official body before you pay or sign anything."
)
BODY = "In {country}: {body}: {how}. (Source: {source})"
ASK_MINISTRY = "Ask your country's labour or foreign-employment ministry how to check a recruitment agency's licence."
MATCH = "• {name}: licence {licence}, status: {status}"
VALID_UNTIL = ", valid until {date}"
MATCH_SOURCE = ". Source: {source}"
SAMPLE_DATA = " ⚠️ This entry is sample or unverified data, not confirmation from a real registry."
NOT_VALID = "A licence that is expired, suspended or cancelled means the agency may not recruit now."
LICENCE_NOT_ENOUGH = (
    "A licence does not make every offer safe: check the contract, fees and passport rules too, "
    "and make sure the person you deal with really works for this agency."
)
FOUND = "Here is what I found:"
SIMILAR = "Similar names in the registry: {names}. Is it one of these?"
NO_COUNTRY = "I didn't recognise a country. Type its name, or \"not sure\"."
UNAVAILABLE = (
    "Sorry, I can't reach the registry right now. Please try again later, and check the "
    "licence with the official body of the agency's country before you pay or sign anything."
)


def say(text_name: str, language: Optional[str] = None, **values: Any) -> str:
    return str(localize("recruiter", text_name, globals()[text_name], language, **values))
_NAMED = [
    re.compile(r"\b(?:called|named|name is|name's)\s+[\"'“]?([^\"'”?.!,\n]{2,80})", re.IGNORECASE),
    re.compile(r"[\"'“]([^\"'”]{2,80})[\"'”]"),
    re.compile(
        r"\b(?:is|check|verify|look ?up|lookup)\s+(?:the\s+)?(?:agency\s+|recruiter\s+|company\s+)?"
        r"([A-Z][\w&.-]*(?:\s+[A-Z0-9][\w&.-]*){1,6})"
    ),
]


def recruiter_name_from(text: str) -> Optional[str]:
    """An agency name the user typed in a sentence ("is Al Safa Manpower licensed?"), or None."""
    for pattern in _NAMED:
        match = pattern.search(text)
        if match:
            name = re.sub(r"\s+(licensed|licenced|legit|legal|real|registered|in\s+\w+)$", "", match.group(1).strip())
            if len(name) >= 3:
                return name
    return None


@functools.lru_cache(maxsize=1)
def licensing_bodies() -> Dict[str, Dict[str, Any]]:
    return dict(yaml.safe_load(BODIES_FILE.read_text(encoding="utf-8"))["bodies"])


def not_found_text(name: str, country: Optional[str], language: Optional[str] = None) -> str:
    where = country_in_sentence(country, language)
    lines = [
        say("NOT_FOUND_FOR", language, name=name, country=where) if country else say("NOT_FOUND", language, name=name),
        say("NOT_PROOF", language),
    ]
    body = licensing_bodies().get(country or "")
    if body:
        # The body's own name and procedure are shown as the registry file gives them.
        lines.append(say("BODY", language, country=where, body=body["name"], how=body["how"], source=body["source"]))
    else:
        lines.append(say("ASK_MINISTRY", language))
    return "\n".join(lines)


def match_text(result: Dict[str, Any], language: Optional[str] = None) -> str:
    """Matches with licence number, status and source; sample data is always labelled as such."""
    lines: List[str] = []
    for match in result.get("matches", []):
        line = (
            say("MATCH", language, name=match["name"], licence=match["licence_number"], status=match["status"])
            + (say("VALID_UNTIL", language, date=match["valid_until"]) if match.get("valid_until") else "")
            + say("MATCH_SOURCE", language, source=match["source"])
        )
        if not match.get("verified"):
            line += say("SAMPLE_DATA", language)
        lines.append(line)
    statuses = {m["status"] for m in result.get("matches", [])}
    if statuses - {"valid"}:
        lines.append(say("NOT_VALID", language))
    lines.append(say("LICENCE_NOT_ENOUGH", language))
    return "\n".join([say("FOUND", language)] + lines)


class ValidateRecruiterForm(FormValidationAction):
    """The agency's name from the first message or the answer; its country if the user knows it."""

    def name(self) -> str:
        return "validate_recruiter_form"

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if interrupted(tracker):
            return []
        text = tracker.latest_message.get("text") or ""
        asked = tracker.get_slot("requested_slot")
        events: List[EventType] = []
        if tracker.get_slot("recruiter_name") is None:
            name = text.strip() if asked == "recruiter_name" else recruiter_name_from(text)
            if name and 2 <= len(name) <= 200:
                events.append(SlotSet("recruiter_name", name))
        if tracker.get_slot("recruiter_country") is None:
            country = next(tracker.get_latest_entity_values("country"), None)
            if country:
                events.append(SlotSet("recruiter_country", country))
            elif asked == "recruiter_country":
                unsure = answers.yes_no_unsure(text) in (answers.UNSURE, answers.NO)
                events.append(SlotSet("recruiter_country", "unknown" if unsure else None))
                if not unsure:
                    dispatcher.utter_message(text=say("NO_COUNTRY", language_of(tracker)))
        return events

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if interrupted(tracker):
            return []
        return [SlotSet(slot, value) for slot, value in tracker.slots_to_validate().items()]


class ActionLookupRecruiter(Action):
    """Looks the agency up through the casework API and explains what the result means."""

    def name(self) -> str:
        return "action_lookup_recruiter"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        name = tracker.get_slot("recruiter_name") or ""
        country = tracker.get_slot("recruiter_country")
        country = None if country in (None, "unknown") else country
        params = {"name": name, **({"country": country} if country else {})}
        result = await casework_client.get("recruiters", params)
        language = language_of(tracker)
        if result is None:
            dispatcher.utter_message(text=say("UNAVAILABLE", language))
        elif result.get("matches"):
            dispatcher.utter_message(text=match_text(result, language))
        else:
            text = not_found_text(name, country, language)
            similar = [m["name"] for m in result.get("similar", [])][:3]
            if similar:
                text += "\n" + say("SIMILAR", language, names="; ".join(similar))
            dispatcher.utter_message(text=text)
        return [SlotSet("recruiter_name", None), SlotSet("recruiter_country", None)]
