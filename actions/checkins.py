"""Safe-journey check-ins: the opt-in questions, and pause / resume / stop.

The gateway keeps the plan and sends the check-ins (bot/checkins/); these actions only ask and
pass the answers on through the casework API. Its answers carry the text the person reads.
"""

from __future__ import annotations

import abc
from datetime import date
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import casework_client
from actions.checkin_answers import (
    SKIPPED,
    code_word_ok,
    departure_date,
    schedule_choice,
    skipped,
    trusted_contact,
    window_hours,
)
from actions.handoff import language_of
from actions.job_offer.form import latest_country
from actions.language import asks_for_language
from locales.catalogue import localize

FORM = "checkin_form"
QUESTIONS = [
    "checkin_departure", "checkin_country", "checkin_city", "checkin_schedule", "checkin_window",
    "checkin_contact", "checkin_contact_consent", "checkin_code_word",
]
SCHEDULES = {"all": ["arrival", "day3", "day14", "day30"], "fewer": ["arrival", "day14"]}
# Answers that must not stay in the tracker's slots after the plan is made.
PRIVATE = ["checkin_city", "checkin_contact", "checkin_contact_consent", "checkin_code_word"]
# Asked again with a hint when the answer could not be read.
REPROMPTS: Dict[str, Dict[str, str]] = {
    "checkin_departure": dict(response="utter_checkin_date_not_understood"),
    "checkin_country": dict(response="utter_checkin_country_not_understood"),
    "checkin_schedule": dict(response="utter_checkin_choose_button"),
    "checkin_window": dict(response="utter_checkin_choose_button"),
    "checkin_contact": dict(response="utter_checkin_contact_not_understood"),
    "checkin_contact_consent": dict(response="utter_checkin_choose_button"),
    "checkin_code_word": dict(response="utter_checkin_code_word_too_common"),
}


def interrupted(tracker: Tracker) -> bool:
    """"stop" or an emergency leaves the form (through the rules); a "skip" is an answer.

    A language switch too: the rule confirms it and the form asks again (data/rules/language.yml).
    """
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    text = str(tracker.latest_message.get("text") or "")
    if intent == "change_language":
        return asks_for_language(tracker.latest_message)
    return intent == "emergency" or (intent == "stop" and not skipped(text))


def today() -> date:
    return date.today()


class ValidateCheckinForm(FormValidationAction):
    """Reads each answer; an answer we could not read is asked again with a hint."""

    def name(self) -> str:
        return "validate_checkin_form"

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        # The consent question only follows a contact that was given.
        if isinstance(tracker.get_slot("checkin_contact"), dict):
            return QUESTIONS
        return [q for q in QUESTIONS if q != "checkin_contact_consent"]

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if interrupted(tracker):
            return []
        asked = tracker.get_slot("requested_slot")
        if asked not in QUESTIONS:
            return []
        value = read_answer(asked, tracker)
        return [SlotSet(asked, value)] if value is not None else []

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if interrupted(tracker):
            return []
        asked = tracker.get_slot("requested_slot")
        candidates = tracker.slots_to_validate()
        if asked in REPROMPTS and candidates.get(asked) is None:
            dispatcher.utter_message(**REPROMPTS[asked])
        if asked == "checkin_departure" and candidates.get(asked):
            when = date.fromisoformat(str(candidates[asked]))
            said = date_text(when, language_of(tracker))
            dispatcher.utter_message(response="utter_checkin_date_understood", date=said)
        return [SlotSet(slot, value) for slot, value in candidates.items()]


def date_text(when: date, language: Optional[str]) -> str:
    """"Friday 5 December" in `language` (names from the gateway's `checkins` catalogue section)."""
    weekdays: Dict[str, str] = localize("checkins", "WEEKDAYS", {}, language)
    months: Dict[str, str] = localize("checkins", "MONTHS", {}, language)
    return str(localize(
        "checkins", "DATE", "{weekday} {day} {month}", language,
        weekday=weekdays.get(str(when.weekday())) or f"{when:%A}", day=when.day,
        month=months.get(str(when.month)) or f"{when:%B}",
    ))


def read_answer(slot: str, tracker: Tracker) -> Optional[Any]:
    """The slot value for the answer to `slot`, or None when it could not be read."""
    text = str(tracker.latest_message.get("text") or "").strip()
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if slot == "checkin_departure":
        when = departure_date(text, today())
        return when.isoformat() if when else None
    if slot == "checkin_country":
        country = latest_country(tracker)
        return country if country and len(country) == 2 else None
    if slot == "checkin_city":
        return SKIPPED if skipped(text) else (text[:80] or None)
    if slot == "checkin_schedule":
        return schedule_choice(text)
    if slot == "checkin_window":
        return window_hours(text)
    if slot == "checkin_contact":
        if skipped(text):
            return SKIPPED
        return trusted_contact(text)
    if slot == "checkin_contact_consent":
        if intent == "affirm" or text.lower().startswith(("yes", "ok", "sure", "yeah")):
            return True
        if intent == "deny" or text.lower().startswith(("no", "nope", "don")):
            return False
        return None
    if slot == "checkin_code_word":
        if skipped(text):
            return SKIPPED
        return text[:40] if code_word_ok(text) else None
    return None


def plan_request(tracker: Tracker) -> Dict[str, Any]:
    """The body of `POST /api/v1/checkins` from the form's answers."""
    slot = tracker.get_slot
    contact = slot("checkin_contact")
    consent = slot("checkin_contact_consent") is True and isinstance(contact, dict)
    job = slot("last_job_check") if isinstance(slot("last_job_check"), dict) else {}
    return {
        "conversation_id": tracker.sender_id,
        "departure": slot("checkin_departure"),
        "country": slot("checkin_country"),
        "origin": slot("country") if isinstance(slot("country"), str) and len(slot("country")) == 2 else None,
        "city": None if slot("checkin_city") in (None, SKIPPED) else slot("checkin_city"),
        "schedule": SCHEDULES.get(str(slot("checkin_schedule")), SCHEDULES["all"]),
        "window_hours": int(slot("checkin_window") or 24),
        "language": language_of(tracker),
        "recruiter": slot("recruiter_name") or job.get("recruiter") or None,
        "contact": contact if consent else None,
        "contact_consent": consent,
        "code_word": None if slot("checkin_code_word") in (None, SKIPPED) else slot("checkin_code_word"),
    }


class ActionOfferCheckins(Action):
    """Before any question: check-ins run only where the gateway can write first."""

    def name(self) -> str:
        return "action_offer_checkins"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        status, body = await casework_client.call(
            "GET", "checkins/availability", params={"conversation_id": tracker.sender_id}
        )
        if status != 200:
            dispatcher.utter_message(response="utter_checkins_not_reached")
            return [SlotSet("checkin_available", False)]
        if not body.get("available"):
            dispatcher.utter_message(text=str(body.get("text")))
            return [SlotSet("checkin_available", False)]
        dispatcher.utter_message(response="utter_checkins_intro")
        return [SlotSet("checkin_available", True), *[SlotSet(q, None) for q in QUESTIONS]]


class ActionSubmitCheckins(Action):
    """The answers go to the gateway, which plans the check-ins and words the confirmation."""

    def name(self) -> str:
        return "action_submit_checkins"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        status, body = await casework_client.call("POST", "checkins", json=plan_request(tracker))
        if status is not None and body.get("text"):
            dispatcher.utter_message(text=str(body["text"]))
        else:
            dispatcher.utter_message(response="utter_checkins_not_reached")
        return [SlotSet(slot, None) for slot in PRIVATE]


class _PlanCommand(Action, metaclass=abc.ABCMeta):
    """Pause, resume or stop: one call to the gateway, whose answer is said as is (abstract, so
    rasa-sdk does not register it)."""

    method = "POST"
    path = ""

    @abc.abstractmethod
    def name(self) -> str: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        status, body = await casework_client.call(self.method, self.path.format(tracker.sender_id))
        if status is not None and body.get("text"):
            dispatcher.utter_message(text=str(body["text"]))
        else:
            dispatcher.utter_message(response="utter_checkins_not_reached")
        return []


class ActionStopCheckins(_PlanCommand):
    method, path = "DELETE", "checkins/{}"

    def name(self) -> str:
        return "action_stop_checkins"


class ActionPauseCheckins(_PlanCommand):
    path = "checkins/{}/pause"

    def name(self) -> str:
        return "action_pause_checkins"


class ActionResumeCheckins(_PlanCommand):
    path = "checkins/{}/resume"

    def name(self) -> str:
        return "action_resume_checkins"
