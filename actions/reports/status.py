"""`check_report_status`: the status and the agency's public note for a reference, nothing else."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import casework_client
from actions.handoff import language_of
from actions.reports.messages import filed_text, status_text
from actions.reports.submit import keep_retrying, stored_events, submit
from locales.catalogue import localize

# "SP-7KQ2MX", "sp 7kq2mx", "sp7kq2mx": the gateway normalises it.
REFERENCE = re.compile(r"\bsp[\s\-_.]*[0-9a-z]{6}\b", re.IGNORECASE)

SAVED_NOW = "Good news: your report is saved now."
STILL_NOT_SAVED = (
    "I still couldn't save your report. I'm sorry. I'll keep trying; "
    'send "status" again a bit later. If a child is in danger, type "helpline".'
)
ASK_CODE = ("Please send me your reference code. It looks like SP-7KQ2MX.\n"
            "If you lost it, I can't look a report up another way: that keeps reports safe.")
NOT_FOUND = ("I couldn't find a report with that code. Please check it and send it again. It looks like SP-7KQ2MX "
             "(letters and numbers after SP).")
TOO_MANY = ("You've checked many times in a short while, so I have to pause checks for this chat. "
            "Please try again in an hour.")
UNAVAILABLE = "Sorry, I can't check reports right now because of a technical problem. Please try again later."


def reference_in(text: str) -> Optional[str]:
    match = REFERENCE.search(text or "")
    return match.group(0) if match else None


class ActionCheckReportStatus(Action):
    """Retries an unsaved report first; otherwise looks the reference up (rate-limited by the gateway)."""

    def name(self) -> str:
        return "action_check_report_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        language = language_of(tracker)

        def say(name: str) -> str:
            return str(localize("report_status", name, globals()[name], language))

        pending = tracker.get_slot("pending_report")
        reference = reference_in(tracker.latest_message.get("text") or "")
        if pending and not reference:
            stored = await submit(pending, delays=(0.5,))
            if stored:
                dispatcher.utter_message(text=say("SAVED_NOW"))
                dispatcher.utter_message(text=filed_text(pending, stored, language))
                return stored_events(stored["reference"], [])
            keep_retrying(pending)
            dispatcher.utter_message(text=say("STILL_NOT_SAVED"))
            return []
        reference = reference or tracker.get_slot("last_report_reference")
        if not reference:
            dispatcher.utter_message(text=say("ASK_CODE"))
            return []
        status, body = await casework_client.call(
            "POST", "reports/status", json={"conversation_id": tracker.sender_id, "reference": reference}
        )
        if status == 200:
            dispatcher.utter_message(text=status_text(body, language))
            return [SlotSet("last_report_reference", body.get("reference"))]
        problem = {404: "NOT_FOUND", 400: "NOT_FOUND", 429: "TOO_MANY"}.get(status or 0, "UNAVAILABLE")
        dispatcher.utter_message(text=say(problem))
        return []
