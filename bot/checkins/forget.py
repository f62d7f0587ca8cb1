"""Stopping check-ins removes the check-in answers from Rasa's tracker store too.

The opt-in questions run in Rasa, so the answers (date, destination, city, trusted contact, code
word) are in its tracker as the user's messages, the bot's echoes and `checkin_*` slot events.
After the turn that stopped check-ins, the turn runner deletes those events (Rasa 3.6 has no
endpoint for it, so the gateway deletes rows of the SQL tracker store, as erasure does). It runs
between two turns of the conversation (one worker per conversation), never while Rasa holds the
tracker: Rasa appends to the store by counting the rows it already has.

What goes: every turn of the opt-in (from the message that asked for check-ins to the one that
finished or left the form: user and bot messages, actions, the form's loop events) and every
`checkin_*` slot event. What stays: everything else, and in those turns the session starts, pause
and resume (a counselor's hold) and the other slots (the language, the country the person is in).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, Iterable, List, Optional, Tuple

from sqlalchemy import bindparam, text

from bot.erasure import tracker_events

logger = logging.getLogger(__name__)

FORM = "checkin_form"
# Actions that only run for the opt-in; a turn with one of them is a check-in turn.
ACTIONS = {"action_offer_checkins", FORM, "action_submit_checkins", "validate_checkin_form"}
# In a check-in turn these events go; the rest (session starts, pause, resume, restarts) stays.
TURN_EVENTS = {"user", "bot", "action", "active_loop", "loop_interrupted", "user_featurization",
               "action_execution_rejected", "followup"}
KEPT_ACTIONS = {"action_session_start"}  # Rasa finds the current session by it
FORM_SLOTS = {"requested_slot"}


def is_checkin_slot(name: Optional[str]) -> bool:
    return bool(name) and str(name).startswith("checkin_")


def checkin_event_ids(events: Iterable[Tuple[int, Dict[str, Any]]]) -> List[int]:
    """The ids of the check-in events among a conversation's (id, event) pairs, oldest first."""
    turns: List[List[Tuple[int, Dict[str, Any]]]] = [[]]
    for item in events:
        if item[1].get("event") == "user":
            turns.append([])
        turns[-1].append(item)
    loop: Optional[str] = None
    doomed: List[int] = []
    for turn in turns:
        in_checkins = loop == FORM
        for _, event in turn:
            kind, name = event.get("event"), event.get("name")
            if kind == "action" and name in ACTIONS:
                in_checkins = True
            elif kind == "active_loop":
                loop = name
                in_checkins = in_checkins or name == FORM
            elif kind in ("restart", "session_started"):
                loop = None
        for event_id, event in turn:
            kind, name = event.get("event"), event.get("name")
            if kind == "slot" and is_checkin_slot(name):
                doomed.append(event_id)
            elif in_checkins and (
                (kind in TURN_EVENTS and not (kind == "action" and name in KEPT_ACTIONS))
                or (kind == "slot" and name in FORM_SLOTS)
            ):
                doomed.append(event_id)
    return doomed


async def forget_in_tracker(tracker_url: str, conversation_id: str) -> int:
    """Delete the check-in events of one conversation from Rasa's SQL tracker store; how many."""
    async with tracker_events(tracker_url) as connection:
        if connection is None:
            return 0
        rows = (
            await connection.execute(
                text("SELECT id, data FROM events WHERE sender_id = :sender ORDER BY id"),
                {"sender": conversation_id},
            )
        ).all()
        doomed = checkin_event_ids((int(row.id), _event(row.data)) for row in rows)
        statement = text("DELETE FROM events WHERE sender_id = :sender AND id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        )
        for start in range(0, len(doomed), 500):
            await connection.execute(statement, {"sender": conversation_id, "ids": doomed[start : start + 500]})
    if doomed:
        logger.info("removed %d check-in event(s) from a tracker", len(doomed))
    return len(doomed)


def _event(data: Any) -> Dict[str, Any]:
    try:
        event = json.loads(data) if isinstance(data, (str, bytes)) else {}
    except ValueError:
        return {}
    return event if isinstance(event, dict) else {}
