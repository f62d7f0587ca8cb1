"""Every word the gateway says about check-ins, in English, in one place.

Other languages: the `checkins` section of locales/<lang>/messages.yml (`say(name, language)`).
The console's words (TOPIC_*, CONSOLE_ANSWERED) stay English, like the rest of the console.
Check-in messages are deliberately plain: someone else may read the phone's lock screen.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from bot.rasa_client import BotReply
from locales.catalogue import localize

OK_PAYLOAD = "/checkin_ok"
HELP_PAYLOAD = "/checkin_help"

OK_BUTTON = "I'm OK"
HELP_BUTTON = "I need help"
CHECKIN = "Hi 👋 just checking in. How are you doing?"
REMINDER = "Hi again 👋 we haven't heard from you. Please tap a button so we know how you are."
THANKS_NEXT = "Thanks for answering 💙 Next check-in: {when} ({zone} time)."
THANKS_LAST = (
    "Thanks for answering 💙 That was your last check-in. Everything you gave for check-ins will be "
    "deleted after {days} days. Safe travels!"
)
ALREADY_ANSWERED = "Thanks, that check-in was already answered."
NO_PLAN = "You have no check-ins planned right now."
HELP_INTRO = "I'm getting a counselor for you now."
# The code word must not give the person away: the answer looks like any other.
CODE_WORD_ACK = "Got it 👍"

# The API's answers, which the assistant shows the person.
CONFIRM = "Your check-ins are set ({zone} time):\n{times}"
CONFIRM_WINDOW = (
    "If you don't answer within {hours} hours I'll remind you once. If you still don't answer, a "
    "counselor at {agency} will see: where you are going, your dates{extra}."
)
CONFIRM_CONTACT_WHATSAPP = (
    "Your trusted contact will get a WhatsApp message saying you have not answered, and the country you are in."
)
CONFIRM_CONTACT_COUNSELOR = (
    "I can't message your trusted contact on that app, so the counselor will see their details and may contact them."
)
CONFIRM_CODE_WORD = "Your code word is saved. Send it to me at any time and a counselor will get in touch, quietly."
CONFIRM_RECRUITER = " and the recruiter you checked"
PARTNER_AGENCY = "a partner agency"
CONFIRM_STOP = 'You can say "pause check-ins", "change my dates" or "stop check-ins" at any time.'
NONE_LEFT = "All those dates are already past, so no check-in was planned. Please check the departure date."
WEBCHAT_REFUSED = (
    "Check-ins need Telegram or WhatsApp: I can't send messages to this web chat when it is closed. "
    "Open SafePassage on Telegram or WhatsApp and ask for check-ins there."
)
WHATSAPP_REFUSED = (
    "I'm sorry, check-ins on WhatsApp are not available yet (WhatsApp only lets me write to you first "
    "with an approved message, and there isn't one yet). You can use SafePassage on Telegram for check-ins."
)
STOPPED = "Check-ins are stopped, and everything you gave for them is deleted."
PAUSED = 'Check-ins are paused. Say "resume check-ins" when you want them back.'
RESUMED = "Check-ins are back on. Next one: {when} ({zone} time)."
RESUMED_NONE = "Check-ins are back on, but no check-in is left in your plan."

# For counselors (console): topics and the context panel.
TOPIC_MISSED = "Missed check-in"
TOPIC_HELP = "Check-in: asked for help"
TOPIC_CODE_WORD = "Check-in: code word (may not speak freely)"
CONSOLE_ANSWERED = "[Check-in] The person answered: {answer}"

LABELS = {"arrival": "arrival day", "day3": "after 3 days", "day14": "after 2 weeks", "day30": "after a month"}
# Dates in check-in texts ("Friday 5 December, 18:00"), in the person's language.
WEEKDAYS = {"0": "Monday", "1": "Tuesday", "2": "Wednesday", "3": "Thursday", "4": "Friday", "5": "Saturday",
            "6": "Sunday"}
MONTHS = {"1": "January", "2": "February", "3": "March", "4": "April", "5": "May", "6": "June", "7": "July",
          "8": "August", "9": "September", "10": "October", "11": "November", "12": "December"}
DATE = "{weekday} {day} {month}"  # also used by the action server (actions/checkins.py)
DATE_TIME = "{weekday} {day} {month}, {time}"


def say(name: str, language: Optional[str] = None, **values: Any) -> str:
    """The text called `name` in this module, in `language` (English when it has no translation)."""
    return str(localize("checkins", name, globals()[name], language, **values))


def named(table: str, key: int, language: Optional[str] = None) -> str:
    """A weekday (0 = Monday) or a month (1 = January) in `language`."""
    names: Dict[str, str] = localize("checkins", table, globals()[table], language)
    return str(names.get(str(key)) or globals()[table][str(key)])


def checkin_reply(checkin_id: int, text: str = "CHECKIN", language: Optional[str] = None) -> BotReply:
    """A check-in (or its reminder, text="REMINDER") with its two buttons."""
    return BotReply(
        text=say(text, language),
        buttons=[
            {"title": say("OK_BUTTON", language), "payload": f"{OK_PAYLOAD}:{checkin_id}"},
            {"title": say("HELP_BUTTON", language), "payload": f"{HELP_PAYLOAD}:{checkin_id}"},
        ],
    )


def confirmation(
    zone: str, times: List[str], window_hours: int, agency: Optional[str], recruiter: bool,
    contact_kind: Optional[str], contact_by_whatsapp: bool, code_word: bool, language: Optional[str] = None,
) -> str:
    lines = [say("CONFIRM", language, zone=zone, times="\n".join(f"• {t}" for t in times))]
    extra = say("CONFIRM_RECRUITER", language) if recruiter else ""
    lines.append(say("CONFIRM_WINDOW", language, hours=window_hours, agency=agency or say("PARTNER_AGENCY", language),
                     extra=extra))
    if contact_kind:
        lines.append(say("CONFIRM_CONTACT_WHATSAPP" if contact_by_whatsapp else "CONFIRM_CONTACT_COUNSELOR", language))
    if code_word:
        lines.append(say("CONFIRM_CODE_WORD", language))
    lines.append(say("CONFIRM_STOP", language))
    return "\n\n".join(lines)


def template_components(parameters: List[str], buttons: List[Dict[str, str]]) -> List[Dict[str, object]]:
    """A template's body parameters and its quick-reply payloads (WhatsApp Cloud API)."""
    components: List[Dict[str, object]] = []
    if parameters:
        components.append({"type": "body", "parameters": [{"type": "text", "text": p} for p in parameters]})
    for index, button in enumerate(buttons):
        components.append({
            "type": "button", "sub_type": "quick_reply", "index": str(index),
            "parameters": [{"type": "payload", "payload": button["payload"]}],
        })
    return components
