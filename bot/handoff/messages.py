"""What the user reads about the hand-off to a human (the gateway's own words, English).

Plain words for a 14-year-old; never a promise nobody keeps: a position in line, opening hours
from the directory, and the fact that the request and the messages are kept are all true.
"""

from __future__ import annotations

from datetime import datetime
from typing import List, Optional

from bot.handoff.hours import describe
from bot.rasa_client import BotReply

CANCEL_PAYLOAD = "/handoff_cancel"
STOP_WAITING = {"title": "Stop waiting", "payload": CANCEL_PAYLOAD}
# Typed words that stop waiting (a whole message, not a word inside a sentence).
CANCEL_WORDS = {"cancel", "stop waiting", "cancel request", "stop", "/cancel"}
KEPT = "A counselor will see what you told me here, so you won't have to repeat your story."


def _line(position: int) -> str:
    return "You are next in line." if position == 1 else f"You are number {position} in line."


def queued(
    agency: str,
    position: int,
    wait_minutes: Optional[int],
    on_duty: Optional[bool],
    next_opening: Optional[datetime],
    helplines: str,
    urgent: bool,
) -> BotReply:
    lines: List[str] = []
    lines.append(
        f"I've asked for a counselor from {agency}{' as urgent' if urgent else ''}. {_line(position)}"
    )
    if on_duty is False:
        when = f" Their hours start again {describe(next_opening)}." if next_opening else ""
        lines.append(f"Nobody from {agency} is on duty right now.{when} Your request is kept until then.")
        lines.append("If you need to talk to someone sooner:\n" + helplines)
    elif wait_minutes is not None:
        lines.append(f"Lately people have waited about {wait_minutes} minutes. Your request is kept while you wait.")
    else:
        lines.append("Your request is kept while you wait.")
    lines.append(KEPT)
    lines.append("Anything you type now goes to the counselor, not to me. To stop waiting, type \"cancel\".")
    return BotReply("\n".join(lines), [STOP_WAITING])


def already_waiting(position: int) -> BotReply:
    return BotReply(f"You're already waiting for a counselor. {_line(position)} Your request is kept.", [STOP_WAITING])


def already_with_counselor() -> BotReply:
    return BotReply("You're already talking with a counselor. Just type your message.")


def still_waiting(position: int) -> BotReply:
    return BotReply(
        f"Your message is kept for the counselor. {_line(position)} To stop waiting, type \"cancel\".",
        [STOP_WAITING],
    )


def joined(agency: str) -> BotReply:
    return BotReply(f"A counselor from {agency} has joined. You are now talking with a person, not the assistant.")


def requeued() -> BotReply:
    return BotReply(
        "Your counselor lost their connection. You are back at the front of the line, and your messages are kept.",
        [STOP_WAITING],
    )


def new_counselor(agency: str) -> BotReply:
    return BotReply(f"Another counselor from {agency} is taking over this chat. Your messages are kept.")


def referred(agency: str) -> BotReply:
    return BotReply(
        f"Your counselor has passed your request to {agency}. You are in their line now; "
        "a counselor there will see your messages when they join.",
        [STOP_WAITING],
    )


def escalated(helplines: str) -> BotReply:
    return BotReply(
        "It's taking longer than usual to find a counselor, sorry. Your request is still kept.\n"
        "If you need to talk to someone now:\n" + helplines
    )


BACK_WITH_BOT = (
    "You're back with the SafePassage assistant, an automated program. Type \"menu\" to see what I can do, "
    "or \"talk to a person\" to ask for a counselor again."
)


def closed() -> BotReply:
    return BotReply("The counselor has ended this chat. " + BACK_WITH_BOT)


def cancelled() -> BotReply:
    return BotReply("Okay, I've stopped your request for a counselor. " + BACK_WITH_BOT)


def left() -> BotReply:
    return BotReply("Okay, you've left the chat with the counselor. " + BACK_WITH_BOT)


def nothing_to_cancel() -> BotReply:
    return BotReply("You're not waiting for a counselor right now. Type \"talk to a person\" if you want one.")


def urgent_now(numbers: str) -> BotReply:
    return BotReply(numbers + "\nI've told the counselors this is urgent. Keep typing here if you can.")
