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
from actions.helpline_directory import country_in_sentence
from actions.job_offer import answers
from actions.job_offer.form import interrupted

BODIES_FILE = Path(__file__).resolve().parents[2] / "reference" / "licensing_bodies.yml"
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


def not_found_text(name: str, country: Optional[str]) -> str:
    lines = [
        f"I couldn't find \"{name}\" in the registries I have"
        + (f" for {country_in_sentence(country)}." if country else "."),
        "That is not proof of fraud: my lists are small and may be out of date. "
        "But please check the licence with the official body before you pay or sign anything.",
    ]
    body = licensing_bodies().get(country or "")
    if body:
        lines.append(f"In {country_in_sentence(country)}: {body['name']}: {body['how']}. (Source: {body['source']})")
    else:
        lines.append(
            "Ask your country's labour or foreign-employment ministry how to check a recruitment agency's licence."
        )
    return "\n".join(lines)


def match_text(result: Dict[str, Any]) -> str:
    """Matches with licence number, status and source; sample data is always labelled as such."""
    lines: List[str] = []
    for match in result.get("matches", []):
        line = (
            f"• {match['name']}: licence {match['licence_number']}, status: {match['status']}"
            + (f", valid until {match['valid_until']}" if match.get("valid_until") else "")
            + f". Source: {match['source']}"
        )
        if not match.get("verified"):
            line += " ⚠️ This entry is sample or unverified data, not confirmation from a real registry."
        lines.append(line)
    statuses = {m["status"] for m in result.get("matches", [])}
    if statuses - {"valid"}:
        lines.append("A licence that is expired, suspended or cancelled means the agency may not recruit now.")
    lines.append(
        "A licence does not make every offer safe: check the contract, fees and passport rules too, "
        "and make sure the person you deal with really works for this agency."
    )
    return "\n".join(["Here is what I found:"] + lines)


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
                    dispatcher.utter_message(text="I didn't recognise a country. Type its name, or \"not sure\".")
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
        if result is None:
            dispatcher.utter_message(
                text="Sorry, I can't reach the registry right now. Please try again later, and check the "
                "licence with the official body of the agency's country before you pay or sign anything."
            )
        elif result.get("matches"):
            dispatcher.utter_message(text=match_text(result))
        else:
            text = not_found_text(name, country)
            similar = [m["name"] for m in result.get("similar", [])][:3]
            if similar:
                text += "\nSimilar names in the registry: " + "; ".join(similar) + ". Is it one of these?"
            dispatcher.utter_message(text=text)
        return [SlotSet("recruiter_name", None), SlotSet("recruiter_country", None)]
