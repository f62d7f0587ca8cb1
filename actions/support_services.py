"""`find_support_services`: shelters, legal aid, clinics … from the agency directory, by country,
area and kind of service; says plainly when nothing is known instead of guessing."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import casework_client
from actions.helpline_directory import country_in_sentence
from actions.numbers_message import helpline_text

CITIES_FILE = Path(__file__).resolve().parent.parent / "nlu" / "gazetteer" / "cities.yml"

# Words people use → the directory's service ids; first match wins.
SERVICE_WORDS = [
    ("shelter", r"shelter|safe ?house|somewhere to (sleep|stay)|place to (sleep|stay)|nowhere to (sleep|stay|go)|"
                r"housing|sleep tonight|refuge"),
    ("legal_aid", r"lawyer|legal|law|court|unpaid (wages|salary)|documents?|papers|immigration|visa"),
    ("medical", r"doctor|clinic|medical|hospital|health|nurse|injur|pregnan"),
    ("psychosocial", r"counsel|psycholog|therap|mental|support group|talk to someone|trauma|isn'?t ok|not ok"),
    ("helpline", r"helpline|hotline|phone line"),
    ("repatriation", r"go home|get home|return home|repatriat|fly home|back home|ticket home"),
    ("family_tracing_reintegration", r"find (my )?family|trac(e|ing)|reunit|reintegrat|returnees?|came back|come back"),
    ("education_vocational", r"school|education|training|skills|vocational|job training|learn"),
]
SERVICE_NAMES = {
    "shelter": "shelters", "legal_aid": "legal help", "medical": "medical help",
    "psychosocial": "counselling and support", "helpline": "helplines", "repatriation": "help to go home",
    "family_tracing_reintegration": "family tracing and support after return",
    "education_vocational": "school and job training",
}
MAX_SHOWN = 4


def service_in(text: str) -> Optional[str]:
    lowered = text.lower()
    for service, pattern in SERVICE_WORDS:
        if re.search(pattern, lowered):
            return service
    return None


@functools.lru_cache(maxsize=1)
def _cities() -> Dict[str, str]:
    data = yaml.safe_load(CITIES_FILE.read_text(encoding="utf-8")) or {}
    return {city.lower(): code for code, cities in data.items() for city in cities}


def area_in(tracker: Tracker) -> Optional[str]:
    """The town the user named ("Mombasa"), when the place they gave is a city and not a country."""
    text = tracker.latest_message.get("text") or ""
    for entity in tracker.latest_message.get("entities", []):
        if entity.get("entity") != "country" or "start" not in entity:
            continue
        span = text[entity["start"]:entity["end"]].strip()
        if span.lower() in _cities():
            return span.title()
    return None


def render(found: Dict[str, Any], country: str, area: Optional[str], service: Optional[str]) -> str:
    what = SERVICE_NAMES.get(service or "", "support services")
    where = country_in_sentence(country)
    entries = found.get("entries") or []
    if not entries:
        return (f"I don't know of any {what} in {where} yet, and I won't guess.\n"
                f"A helpline can tell you what is near you.\n\n{helpline_text(country)}")
    lines: List[str] = []
    if area and not found.get("area_matched"):
        lines.append(f"I don't know of {what} in {area} itself. These cover all of {where}:")
    else:
        lines.append(f"Here is what I know of ({what}, {area or where}):")
    for entry in entries[:MAX_SHOWN]:
        contact = entry.get("contact") or {}
        reach = contact.get("phone") or contact.get("website") or contact.get("email") or "no contact listed"
        services = ", ".join(SERVICE_NAMES.get(s, s) for s in entry.get("services") or []) or "referrals"
        lines.append(f"• {entry['name']}: {services}. {reach}. Open: {entry.get('opening_hours') or 'not listed'}. "
                     f"Source: {entry.get('source')}.")
    if any(not entry.get("verified") for entry in entries[:MAX_SHOWN]):
        lines.append("(From a sample or unchecked list: no partner has confirmed these yet. Call before you go.)")
    return "\n".join(lines)


class ActionFindSupportServices(Action):
    """Looks services up in the directory for the user's country (asks for it when unknown)."""

    def name(self) -> str:
        return "action_find_support_services"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        service = service_in(text) or tracker.get_slot("service_type")
        named = next(tracker.get_latest_entity_values("country"), None)
        country = named or tracker.get_slot("country")
        if not country:
            dispatcher.utter_message(response="utter_ask_services_country")
            return [SlotSet("pending_country_question", "services"), SlotSet("service_type", service)]
        area = area_in(tracker)
        query = {"country": country, **({"area": area} if area else {}), **({"service": service} if service else {})}
        found = await casework_client.get("directory", query)
        if found is None:
            dispatcher.utter_message(text="Sorry, I can't look services up right now because of a technical problem.\n"
                                          f"{helpline_text(country)}")
        else:
            dispatcher.utter_message(text=render(found, country, area, service))
        return [SlotSet("pending_country_question", None), SlotSet("service_type", None), SlotSet("country", country)]
