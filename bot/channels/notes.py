"""What the gateway itself says (not Rasa): channel notes, the holding message, quick exit.

The English texts are here; their translations are the `gateway` section of
`locales/<lang>/messages.yml` under the same names. `say(name, language)` picks one.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from locales.catalogue import languages, localize

HOLDING = (
    "Sorry, I can't answer right now because of a technical problem. "
    "I have kept your message and will answer it as soon as I can. "
    "If you are in danger, call your local emergency number now "
    "(112 in Europe and many countries, 911 in the Americas)."
)

MEDIA_KIND = {
    "image": "photo",
    "photo": "photo",
    "audio": "voice message",
    "voice": "voice message",
    "video": "video",
    "video_note": "video",
    "animation": "video",
    "document": "file",
    "sticker": "sticker",
}


MEDIA = (
    "I can only read text, so I can't see or hear your {what}, and I have not saved it. "
    "Please type your question or what happened in a message."
)


def media(kind: str, language: Optional[str] = None) -> str:
    words: Dict[str, str] = localize("gateway", "MEDIA_KIND", MEDIA_KIND, language)
    return say("MEDIA", language, what=words.get(kind, words["document"]))


CONTACTS = (
    "I can't use shared contacts, and I have not saved them. If you want to tell me about "
    "someone, you can type what happened, without names if you prefer."
)

UNSUPPORTED = "I can't read this kind of message. Please send it as text."

EDITED = (
    "I only see new messages, not changes to earlier ones. If you changed something "
    "important, please send it again as a new message."
)

LOCATION_UNKNOWN = (
    "Thanks for sharing your location. I couldn't tell which country it is in: "
    "please type the country's name."
)

STOPPED = (
    "I have cleared this conversation with me. To hide it on this phone too, delete this "
    "chat: press and hold it in your chat list, then choose Delete. "
    "If you are in danger, call your local emergency number (112 or 911)."
)

LANGUAGES = "Which language would you like me to use?"

NUMBERED_CHOICE = "Reply with the number of your choice."

OUTSIDE_WINDOW = (
    "not sent: WhatsApp allows free messages only within 24 hours of the user's last "
    "message"
)

CHOICE_EXPIRED = "That choice is no longer available. Please type your answer instead."

# Erasure (bot/erasure.py): after the user pressed "Yes, erase my data" or "No, keep it".
ERASING = (
    "Your data is being erased now: your messages, what I remembered of this chat, any numbers "
    "or e-mail addresses you typed and the link to your account. Reports you sent stay with the "
    "agencies only without your words or contact details. To hide this chat on your phone, delete "
    "it from your chat list. You can start again at any time."
)
ERASE_KEPT = "OK, I have not erased anything."

# Abuse (bot/router.py): a blocked sender gets only this neutral reply; a flood gets one slow-down.
BLOCKED = "Thank you for your message."
SLOW_DOWN = (
    "You are sending messages very fast, so I will wait a minute before answering. "
    "If you are in danger, call your local emergency number now (112 or 911)."
)

def say(name: str, language: Optional[str] = None, **values: Any) -> str:
    """The text called `name` in this module, in `language` (English when it has no translation)."""
    return str(localize("gateway", name, globals()[name], language, **values))


def language_buttons() -> List[Dict[str, str]]:
    """One button per language, each in its own name; the payload switches and confirms."""
    return [
        {"title": language.name, "payload": f'/change_language{{"language":"{language.code}"}}'}
        for language in languages().by_code.values()
    ]
