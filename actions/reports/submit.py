"""Filing a completed report with the gateway: stored before the code is shown, never lost.

The submission carries an idempotency key made once per report. The action retries a few times
within the turn; if the gateway still cannot store it, the user is told so plainly, the payload
stays in the conversation (slot `pending_report`) and a background task on the action server keeps
retrying with the same key. The next status check retries too, and shows the code once stored.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import uuid
from typing import Any, Dict, List, Optional, Set

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import casework_client
from actions.handoff import language_of
from actions.reports import answers
from actions.reports.forms import ValidateMissingChildForm, ValidateReportForm
from actions.reports.messages import counselor_button, filed_text, not_saved_text

logger = logging.getLogger(__name__)

IN_TURN_DELAYS = (0.5, 1.0, 2.0)  # seconds between the in-turn attempts (4 attempts, about 4 s)
BACKGROUND_DELAYS = (15.0, 30.0, 60.0, 120.0, 300.0, 600.0)  # then every 10 minutes
BACKGROUND_GIVE_UP_SECONDS = 7 * 24 * 3600  # the payload also stays in the tracker for the next check
_background: Set[asyncio.Task[None]] = set()
_in_flight: Set[str] = set()


def _value(tracker: Tracker, slot: str) -> Optional[str]:
    value = tracker.get_slot(slot)
    return None if value in (None, answers.SKIPPED) else str(value)


def _contact(tracker: Tracker, method_slot: str, phone_slot: str) -> Dict[str, Any]:
    method = tracker.get_slot(method_slot) or "anonymous"
    phone = _value(tracker, phone_slot)
    if method == "phone" and not phone:
        method = "anonymous"
    return {"method": method, "phone": phone if method == "phone" else None}


def _category(tracker: Tracker) -> str:
    category = tracker.get_slot("report_category")
    return "trafficking" if category in (None, answers.SKIPPED) else str(category)


def report_payload(tracker: Tracker, key: str) -> Dict[str, Any]:
    """The casework API body for a finished report form."""
    who = _value(tracker, "report_who_at_risk")
    details = {
        "what_happened": _value(tracker, "report_what"),
        "where": _value(tracker, "report_where"),
        "when": _value(tracker, "report_when"),
        "who_at_risk": who,
    }
    return {
        "idempotency_key": key,
        "conversation_id": tracker.sender_id,
        "kind": "report",
        # "Not sure" (a button) and a skip are recorded as skipped: the catch-all category then.
        "category": _category(tracker),
        "country": tracker.get_slot("report_country"),
        "language": language_of(tracker),
        "danger_now": tracker.get_slot("report_danger_now") == answers.YES,
        # Only when the answer names children: a skipped answer is not taken as a yes.
        "child_at_risk": bool(who and answers.children_at_risk(who)),
        "consent": {
            "child_protection": tracker.get_slot("report_consent_child_protection") == "yes",
            "police": tracker.get_slot("report_consent_police") == "yes",
            "ngo": tracker.get_slot("report_consent_ngo") == "yes",
        },
        "contact": _contact(tracker, "report_contact_method", "report_phone"),
        "details": {k: v for k, v in details.items() if v},
    }


def missing_child_payload(tracker: Tracker, key: str) -> Dict[str, Any]:
    """The casework API body for a finished missing-child intake.

    A missing child is at risk, and the intake says before any question that it goes to child
    protection and the police; NGOs only with the family's yes.
    """
    details = {
        "child_name": _value(tracker, "missing_name"),
        "child_age": _value(tracker, "missing_age"),
        "last_contact_when": _value(tracker, "missing_last_when"),
        "last_contact_where": _value(tracker, "missing_last_where"),
        "destination_and_work": _value(tracker, "missing_destination"),
        "taken_by": _value(tracker, "missing_taken_by"),
    }
    return {
        "idempotency_key": key,
        "conversation_id": tracker.sender_id,
        "kind": "missing_child",
        "category": "missing_child",
        "country": tracker.get_slot("missing_country"),
        "language": language_of(tracker),
        "danger_now": False,
        "child_at_risk": True,
        "consent": {
            "child_protection": True,
            "police": True,
            "ngo": tracker.get_slot("missing_consent_ngo") == "yes",
        },
        "contact": _contact(tracker, "missing_contact_method", "missing_phone"),
        "details": {k: v for k, v in details.items() if v},
    }


async def submit(payload: Dict[str, Any], delays: tuple[float, ...] = IN_TURN_DELAYS) -> Optional[Dict[str, Any]]:
    """POST the report, retrying after each delay; the stored case's answer, or None."""
    for attempt in range(len(delays) + 1):
        status, body = await casework_client.call("POST", "reports", json=payload)
        if status in (200, 201) and body.get("reference"):
            return body
        if status is not None and 400 <= status < 500 and status != 429:
            # The gateway refused the content: retrying the same body cannot help.
            logger.error("the casework API refused a report (%s); kept for a person to look at", status)
            return None
        if attempt < len(delays):
            await asyncio.sleep(delays[attempt])
    return None


async def _retry_in_background(payload: Dict[str, Any]) -> None:
    key = payload["idempotency_key"]
    waited = 0.0
    try:
        for attempt in range(10_000):
            delay = BACKGROUND_DELAYS[min(attempt, len(BACKGROUND_DELAYS) - 1)]
            await asyncio.sleep(delay)
            waited += delay
            if await submit(payload, delays=()):
                logger.info("a report that could not be saved earlier is now stored")
                return
            if waited > BACKGROUND_GIVE_UP_SECONDS:
                logger.error("a report is still not stored after a week; it stays in the conversation")
                return
    finally:
        _in_flight.discard(key)


def keep_retrying(payload: Dict[str, Any]) -> None:
    """Start (once per idempotency key) a background task that retries until the report is stored."""
    key = payload["idempotency_key"]
    if key in _in_flight:
        return
    _in_flight.add(key)
    task = asyncio.get_running_loop().create_task(_retry_in_background(payload))
    _background.add(task)  # keep a reference: the loop holds tasks only weakly
    task.add_done_callback(_background.discard)


def stored_events(reference: str, form_slots: List[str]) -> List[EventType]:
    """Forget the answers once stored (they live in the casework database now); keep the code."""
    return [SlotSet(slot, None) for slot in form_slots] + [
        SlotSet("pending_report", None), SlotSet("last_report_reference", reference)
    ]




class SubmitIntake(Action, metaclass=abc.ABCMeta):
    """Builds the payload from the form, stores it, and shows the code only once it is stored."""

    FORM_SLOTS: List[str] = []
    EXTRA_SLOTS: List[str] = []

    @abc.abstractmethod
    def name(self) -> str: ...

    @abc.abstractmethod
    def payload(self, tracker: Tracker, key: str) -> Dict[str, Any]: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        payload = self.payload(tracker, uuid.uuid4().hex)
        slots = self.FORM_SLOTS + self.EXTRA_SLOTS
        stored = await submit(payload)
        if stored:
            language = payload.get("language")
            dispatcher.utter_message(text=filed_text(payload, stored, language), buttons=[counselor_button(language)])
            return stored_events(stored["reference"], slots)
        dispatcher.utter_message(text=not_saved_text(payload["kind"], payload.get("language")))
        keep_retrying(payload)
        return [SlotSet(slot, None) for slot in slots] + [SlotSet("pending_report", payload)]


class ActionSubmitReport(SubmitIntake):
    FORM_SLOTS = ValidateReportForm.QUESTIONS
    EXTRA_SLOTS = ["report_country"]

    def name(self) -> str:
        return "action_submit_report"

    def payload(self, tracker: Tracker, key: str) -> Dict[str, Any]:
        return report_payload(tracker, key)


class ActionSubmitMissingChild(SubmitIntake):
    FORM_SLOTS = ValidateMissingChildForm.QUESTIONS
    EXTRA_SLOTS = ["missing_country"]

    def name(self) -> str:
        return "action_submit_missing_child"

    def payload(self, tracker: Tracker, key: str) -> Dict[str, Any]:
        return missing_child_payload(tracker, key)
