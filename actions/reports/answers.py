"""Reading the answers to the report questions: pure functions of the user's text."""

from __future__ import annotations

import re
from typing import Optional

SKIPPED = "skipped"
YES, NO, UNSURE = "yes", "no", "unsure"

_SKIP = re.compile(
    r"^\s*(skip|skip (it|this|that|this one|question)|pass|next|next question|no comment|"
    r"(i'?d )?(rather|prefer) not( to)? (say|answer)|i don'?t want to (say|answer)|don'?t know|dont know|"
    r"i don'?t know|idk|no idea|not sure)\s*[.!]*\s*$",
    re.IGNORECASE,
)
_YES = re.compile(r"^\s*(y|yes+|yeah|yep|ya|yah|ok|okay|sure|of course|please do|yes please|i agree|agree)\b", re.I)
_NO = re.compile(r"^\s*(n|no+|nope|nah|no thanks|don'?t|do not|please don'?t|never|i don'?t agree)\b", re.I)
_UNSURE = re.compile(r"\b(not sure|unsure|maybe|don'?t know|dont know|idk|no idea)\b", re.I)


def is_skip(text: str) -> bool:
    """ "skip", "pass", "rather not say", "I don't know" and the like, as the whole answer."""
    return bool(_SKIP.match(text))


def yes_no(text: str, intent: Optional[str] = None) -> Optional[str]:
    if _UNSURE.search(text):
        return UNSURE
    if intent == "affirm" or _YES.match(text):
        return YES
    if intent == "deny" or _NO.match(text):
        return NO
    return None


# Category buttons and words people use; the first match wins, "trafficking" is the catch-all.
_CATEGORIES = [
    ("online_abuse", r"online|internet|website|web site|social media|facebook|tiktok|instagram|snapchat|"
                     r"whatsapp|telegram|chat app|photos?|video|webcam|cam\b|groom"),
    ("sexual_exploitation", r"\bsex|sexual|brothel|prostitut|pimp|massage|escort|rape|abuse(d)? sexually|"
                            r"older men|clients|karaoke"),
    ("labour_exploitation", r"work|labou?r|job|no pay|not paid|unpaid|wages?|salary|debt|maid|domestic|"
                            r"farm|factory|boat|fishing|kiln|mine|construction|begging|beg\b"),
    ("trafficking", r"taken|moved|sold|traffick|kidnap|smuggl|marri|not sure|something else|other"),
]


def category(text: str) -> str:
    lowered = text.lower()
    for value, pattern in _CATEGORIES:
        if re.search(pattern, lowered):
            return value
    return "trafficking"


# The time buttons; anything else is kept in the user's own words.
_WHEN_BUTTONS = {"it's happening now": "now", "in the last few days": "recent", "weeks or months ago": "earlier"}


def when(text: str) -> str:
    return _WHEN_BUTTONS.get(text.lower().strip(), text.strip())


_NO_CHILDREN = re.compile(r"\b(no (children|child|kids?|minors?)|only adults|adults only|all adults|none)\b", re.I)
_CHILD = re.compile(r"\b(child|children|kids?|girls?|boys?|teens?|teenagers?|minors?|baby|babies|daughter|son|"
                    r"niece|nephew|students?|pupils?|\d{1,2}\s*(years?|yrs?|y/?o)|under 18|aged? \d{1,2})\b", re.I)


def children_at_risk(text: str) -> Optional[bool]:
    """True when the answer names children, False for "no children", None when it does not say."""
    if _NO_CHILDREN.search(text):
        return False
    if _CHILD.search(text) or re.search(r"\b\d{1,2}\b", text):
        return True
    return None


def contact_method(text: str) -> Optional[str]:
    lowered = text.lower()
    if re.search(r"anonym|don'?t contact|do not contact|no contact|no,? stay|no thanks|^\s*no\b|nobody|no one",
                 lowered):
        return "anonymous"
    if re.search(r"phone|call|number|ring|sms|text me", lowered):
        return "phone"
    if re.search(r"chat|here|this app|message|write", lowered):
        return "chat"
    return None


_PHONE = re.compile(r"\+?\d[\d \-().]{5,22}\d")
PHONE_PLACEHOLDER = "[phone]"  # bot/identifiers.py


def phone_number(text: str) -> Optional[str]:
    """The phone number in an answer, digits and '+' only kept in their written form, else None.

    Through the gateway the number arrives as the placeholder "[phone]" (the gateway keeps the
    number and fills it into the report): the placeholder is the answer then.
    """
    if PHONE_PLACEHOLDER in text:
        return PHONE_PLACEHOLDER
    match = _PHONE.search(text)
    if not match:
        return None
    digits = re.sub(r"\D", "", match.group(0))
    return match.group(0).strip() if 7 <= len(digits) <= 15 else None


def child_age(text: str) -> Optional[str]:
    """The age as the family said it ("14", "about 15"), or a band from a button."""
    match = re.search(r"\b(\d{1,2})\b", text)
    if match and 0 < int(match.group(1)) < 30:
        return match.group(1)
    lowered = text.lower()
    for band in ("under 12", "12 to 15", "16 or 17"):
        if band in lowered:
            return band
    return None
