"""What the user reads about the hand-off to a human (the gateway's own words).

Plain words for a 14-year-old; never a promise nobody keeps: a position in line, opening hours
from the directory, and the fact that the request and the messages are kept are all true.
The English texts are here; translations are the `handoff_gateway` section of
locales/<lang>/messages.yml. Every reply takes the handoff's language (its conversation's).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, Dict, List, Optional

from bot.rasa_client import BotReply
from locales.catalogue import languages, localize, messages

CANCEL_PAYLOAD = "/handoff_cancel"
STOP_WAITING_TITLE = "Stop waiting"
# Typed words that stop waiting (a whole message, not a word inside a sentence); other languages'
# words are the CANCEL_WORDS lists in locales/<lang>/messages.yml.
CANCEL_WORDS = {"cancel", "stop waiting", "cancel request", "stop", "/cancel"}
KEPT = "A counselor will see what you told me here, so you won't have to repeat your story."
NEXT_IN_LINE = "You are next in line."
NUMBER_IN_LINE = "You are number {position} in line."
ASKED = "I've asked for a counselor from {agency}. {line}"
ASKED_URGENT = "I've asked for a counselor from {agency} as urgent. {line}"
HOURS_AGAIN = " Their hours start again {when}."
OPENING = "{day} {time} ({zone} time)"
DAYS = {
    "Monday": "Monday", "Tuesday": "Tuesday", "Wednesday": "Wednesday", "Thursday": "Thursday",
    "Friday": "Friday", "Saturday": "Saturday", "Sunday": "Sunday",
}
OFF_DUTY = "Nobody from {agency} is on duty right now.{hours} Your request is kept until then."
SOONER = "If you need to talk to someone sooner:"
WAITED = "Lately people have waited about {minutes} minutes. Your request is kept while you wait."
KEPT_WHILE_WAITING = "Your request is kept while you wait."
TYPING_GOES_TO_COUNSELOR = (
    'Anything you type now goes to the counselor, not to me. To stop waiting, type "cancel".'
)
ALREADY_WAITING = "You're already waiting for a counselor. {line} Your request is kept."
ALREADY_WITH_COUNSELOR = "You're already talking with a counselor. Just type your message."
STILL_WAITING = 'Your message is kept for the counselor. {line} To stop waiting, type "cancel".'
JOINED = "A counselor from {agency} has joined. You are now talking with a person, not the assistant."
REQUEUED = (
    "Your counselor lost their connection. You are back at the front of the line, and your messages are kept."
)
NEW_COUNSELOR = "Another counselor from {agency} is taking over this chat. Your messages are kept."
REFERRED = (
    "Your counselor has passed your request to {agency}. You are in their line now; "
    "a counselor there will see your messages when they join."
)
ESCALATED = "It's taking longer than usual to find a counselor, sorry. Your request is still kept."
TALK_NOW = "If you need to talk to someone now:"
BACK_WITH_BOT = (
    "You're back with the SafePassage assistant, an automated program. Type \"menu\" to see what I can do, "
    "or \"talk to a person\" to ask for a counselor again."
)
CLOSED = "The counselor has ended this chat."
CANCELLED = "Okay, I've stopped your request for a counselor."
LEFT = "Okay, you've left the chat with the counselor."
NOTHING_TO_CANCEL = 'You\'re not waiting for a counselor right now. Type "talk to a person" if you want one.'
URGENT_NOW = "I've told the counselors this is urgent. Keep typing here if you can."


def say(text_name: str, language: Optional[str] = None, **values: Any) -> str:
    return str(localize("handoff_gateway", text_name, globals()[text_name], language, **values))


def stop_waiting(language: Optional[str] = None) -> Dict[str, str]:
    return {"title": say("STOP_WAITING_TITLE", language), "payload": CANCEL_PAYLOAD}



@cache
def cancel_words() -> frozenset[str]:
    """The typed words that stop waiting, in every language."""
    words = set(CANCEL_WORDS)
    for code in languages().codes:
        words |= {str(w).lower() for w in messages(code).get("handoff_gateway", {}).get("CANCEL_WORDS") or []}
    return frozenset(words)


def opening(moment: datetime, language: Optional[str] = None) -> str:
    """"Monday 09:00 (Africa/Nairobi time)" (bot/handoff/hours.py `describe`), in `language`."""
    days: Dict[str, str] = localize("handoff_gateway", "DAYS", DAYS, language)
    zone = getattr(moment.tzinfo, "key", None) or "UTC"
    day = moment.strftime("%A")
    return say("OPENING", language, day=days.get(day, day), time=moment.strftime("%H:%M"), zone=zone)


def _line(position: int, language: Optional[str]) -> str:
    return say("NEXT_IN_LINE", language) if position == 1 else say("NUMBER_IN_LINE", language, position=position)


def queued(
    agency: str,
    position: int,
    wait_minutes: Optional[int],
    on_duty: Optional[bool],
    next_opening: Optional[datetime],
    helplines: str,
    urgent: bool,
    language: Optional[str] = None,
) -> BotReply:
    lines: List[str] = []
    lines.append(say("ASKED_URGENT" if urgent else "ASKED", language, agency=agency, line=_line(position, language)))
    if on_duty is False:
        hours = say("HOURS_AGAIN", language, when=opening(next_opening, language)) if next_opening else ""
        lines.append(say("OFF_DUTY", language, agency=agency, hours=hours))
        lines.append(say("SOONER", language) + "\n" + helplines)
    elif wait_minutes is not None:
        lines.append(say("WAITED", language, minutes=wait_minutes))
    else:
        lines.append(say("KEPT_WHILE_WAITING", language))
    lines.append(say("KEPT", language))
    lines.append(say("TYPING_GOES_TO_COUNSELOR", language))
    return BotReply("\n".join(lines), [stop_waiting(language)])


def already_waiting(position: int, language: Optional[str] = None) -> BotReply:
    return BotReply(say("ALREADY_WAITING", language, line=_line(position, language)), [stop_waiting(language)])


def already_with_counselor(language: Optional[str] = None) -> BotReply:
    return BotReply(say("ALREADY_WITH_COUNSELOR", language))


def still_waiting(position: int, language: Optional[str] = None) -> BotReply:
    return BotReply(say("STILL_WAITING", language, line=_line(position, language)), [stop_waiting(language)])


def joined(agency: str, language: Optional[str] = None) -> BotReply:
    return BotReply(say("JOINED", language, agency=agency))


def requeued(language: Optional[str] = None) -> BotReply:
    return BotReply(say("REQUEUED", language), [stop_waiting(language)])


def new_counselor(agency: str, language: Optional[str] = None) -> BotReply:
    return BotReply(say("NEW_COUNSELOR", language, agency=agency))


def referred(agency: str, language: Optional[str] = None) -> BotReply:
    return BotReply(say("REFERRED", language, agency=agency), [stop_waiting(language)])


def escalated(helplines: str, language: Optional[str] = None) -> BotReply:
    return BotReply(say("ESCALATED", language) + "\n" + say("TALK_NOW", language) + "\n" + helplines)


def closed(language: Optional[str] = None) -> BotReply:
    return BotReply(say("CLOSED", language) + " " + say("BACK_WITH_BOT", language))


def cancelled(language: Optional[str] = None) -> BotReply:
    return BotReply(say("CANCELLED", language) + " " + say("BACK_WITH_BOT", language))


def left(language: Optional[str] = None) -> BotReply:
    return BotReply(say("LEFT", language) + " " + say("BACK_WITH_BOT", language))


def nothing_to_cancel(language: Optional[str] = None) -> BotReply:
    return BotReply(say("NOTHING_TO_CANCEL", language))


def urgent_now(numbers: str, language: Optional[str] = None) -> BotReply:
    return BotReply(numbers + "\n" + say("URGENT_NOW", language))
