"""Asking for a counselor: the gateway queues the conversation and words the answer.

From here on the gateway keeps the user's messages away from the bot until a counselor closes
the chat or the user stops waiting. What the bot collected (the last job-offer check, the last
report's reference) travels with the request, so nobody has to tell their story twice.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import casework_client
from actions.numbers_message import helpline_text
from locales.catalogue import localize

# The bot action just before the user's "talk to a person" tells why they ask.
REASON_AFTER = {
    "action_job_offer_verdict": "job_check",
    "action_submit_report": "report",
    "action_submit_missing_child": "report",
}
NOT_REACHED = (
    "I'm sorry, I couldn't reach the counselors' service just now, so nobody has your request yet. "
    "Please try again in a few minutes, or talk to a person on a helpline:"
)


def handoff_context(tracker: Tracker) -> Dict[str, Any]:
    """What the bot collected that a counselor should see (never free text the user typed)."""
    context: Dict[str, Any] = {}
    job = tracker.get_slot("last_job_check")
    if isinstance(job, dict):
        context["job_check"] = job
    reference = tracker.get_slot("last_report_reference")
    if reference:
        context["report"] = {"reference": reference}
    return context


def reason_for(tracker: Tracker) -> str:
    """Why the user asks: the last bot action before their message (job check, report), else asked."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                break
            seen_user = True
            continue
        if seen_user and event.get("event") == "action":
            name = event.get("name")
            if name in REASON_AFTER:
                return REASON_AFTER[name]
            if name not in ("action_listen", None) and not str(name).startswith("utter_"):
                break
    return "request_human"


def language_of(tracker: Tracker) -> str:
    """The conversation's language (the `language` slot the gateway sets), else the client's hint."""
    slot = str(tracker.get_slot("language") or "")
    if slot.isalpha() and 2 <= len(slot) <= 3:
        return slot.lower()
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    hint = str(metadata.get("language_hint") or "en").split("-")[0].lower()
    return hint if hint.isalpha() and 2 <= len(hint) <= 3 else "en"


async def request_handoff(tracker: Tracker, reason: str) -> Optional[Dict[str, Any]]:
    """Ask the gateway to queue this conversation; its answer, or None when it could not be reached."""
    status, body = await casework_client.call(
        "POST",
        "handoffs",
        json={
            "conversation_id": tracker.sender_id,
            "reason": reason,
            "country": tracker.get_slot("country"),
            "language": language_of(tracker),
            "context": handoff_context(tracker),
        },
    )
    return body if status in (200, 201) and body.get("text") else None


class ActionRequestHuman(Action):
    """The user asked for a person (or accepted one after a job check or a report)."""

    def name(self) -> str:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        answer = await request_handoff(tracker, reason_for(tracker))
        if answer is None:
            language = language_of(tracker)
            not_reached = str(localize("handoff", "NOT_REACHED", NOT_REACHED, language))
            dispatcher.utter_message(text=not_reached + "\n" + helpline_text(tracker.get_slot("country"), language))
            return [SlotSet("handoff_state", "failed")]
        dispatcher.utter_message(text=answer["text"], buttons=answer.get("buttons") or [])
        return [SlotSet("handoff_state", "queued" if answer.get("on_duty") is not False else "off_duty")]
