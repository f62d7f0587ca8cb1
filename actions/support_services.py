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
from actions.handoff import language_of
from actions.helpline_directory import country_in_sentence
from actions.numbers_message import helpline_text
from locales.catalogue import localize, with_answer_words

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
ANY_SERVICES = "support services"
NONE_KNOWN = "I don't know of any {what} in {where} yet, and I won't guess.\nA helpline can tell you what is near you."
NOT_IN_AREA = "I don't know of {what} in {area} itself. These cover all of {where}:"
HERE_IS = "Here is what I know of ({what}, {place}):"
NO_CONTACT = "no contact listed"
REFERRALS = "referrals"
NOT_LISTED = "not listed"
ENTRY = "• {name}: {services}. {reach}. Open: {hours}. Source: {source}."
UNCHECKED = "(From a sample or unchecked list: no partner has confirmed these yet. Call before you go.)"
UNAVAILABLE = "Sorry, I can't look services up right now because of a technical problem."


def say(text_name: str, language: Optional[str] = None, **values: Any) -> Any:
    return localize("support_services", text_name, globals()[text_name], language, **values)


def service_in(text: str) -> Optional[str]:
    lowered = text.lower()
    for service, pattern in SERVICE_WORDS:
        # Other languages' words for each kind of service: locales/<lang>/answers.yml (service_<kind>).
        if re.search(with_answer_words(pattern, f"service_{service}"), lowered):
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


def render(
    found: Dict[str, Any], country: str, area: Optional[str], service: Optional[str], language: Optional[str] = None
) -> str:
    names: Dict[str, str] = say("SERVICE_NAMES", language)
    what = names.get(service or "", say("ANY_SERVICES", language))
    where = country_in_sentence(country, language)
    entries = found.get("entries") or []
    if not entries:
        return f"{say('NONE_KNOWN', language, what=what, where=where)}\n\n{helpline_text(country, language)}"
    lines: List[str] = []
    if area and not found.get("area_matched"):
        lines.append(say("NOT_IN_AREA", language, what=what, area=area, where=where))
    else:
        lines.append(say("HERE_IS", language, what=what, place=area or where))
    for entry in entries[:MAX_SHOWN]:
        contact = entry.get("contact") or {}
        reach = contact.get("phone") or contact.get("website") or contact.get("email") or say("NO_CONTACT", language)
        services = ", ".join(names.get(s, s) for s in entry.get("services") or []) or say("REFERRALS", language)
        hours = entry.get("opening_hours") or say("NOT_LISTED", language)
        lines.append(
            say("ENTRY", language, name=entry["name"], services=services, reach=reach, hours=hours,
                source=entry.get("source"))
        )
    if any(not entry.get("verified") for entry in entries[:MAX_SHOWN]):
        lines.append(say("UNCHECKED", language))
    return "\n".join(str(line) for line in lines)


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
        language = language_of(tracker)
        if found is None:
            dispatcher.utter_message(text=f"{say('UNAVAILABLE', language)}\n{helpline_text(country, language)}")
        else:
            dispatcher.utter_message(text=render(found, country, area, service, language))
        return [SlotSet("pending_country_question", None), SlotSet("service_type", None), SlotSet("country", country)]
