"""Reading the answers to the report questions: pure functions of the user's text."""

from __future__ import annotations

import functools
import re
from typing import Optional, Pattern

from locales.catalogue import with_answer_words

SKIPPED = "skipped"
YES, NO, UNSURE = "yes", "no", "unsure"

# key: (pattern with WORDS where the words go, the English words). Other languages add theirs in
# locales/<lang>/answers.yml under the same key (report_<key>).
_PATTERNS = {
    "skip": (
        r"^\s*(WORDS)\s*[.!]*\s*$",
        r"skip|skip (it|this|that|this one|question)|pass|next|next question|no comment|"
        r"(i'?d )?(rather|prefer) not( to)? (say|answer)|i don'?t want to (say|answer)|don'?t know|dont know|"
        r"i don'?t know|idk|no idea|not sure",
    ),
    "yes": (r"^\s*(WORDS)\b", r"y|yes+|yeah|yep|ya|yah|ok|okay|sure|of course|please do|yes please|i agree|agree"),
    "no": (r"^\s*(WORDS)\b", r"n|no+|nope|nah|no thanks|don'?t|do not|please don'?t|never|i don'?t agree"),
    "unsure": (r"\b(WORDS)\b", r"not sure|unsure|maybe|don'?t know|dont know|idk|no idea"),
}


@functools.cache
def _pattern(key: str) -> Pattern[str]:
    template, english = _PATTERNS[key]
    return re.compile(template.replace("WORDS", with_answer_words(english, f"report_{key}")), re.IGNORECASE)


@functools.cache
def _words(key: str, english: str) -> str:
    return with_answer_words(english, f"report_{key}")


def is_skip(text: str) -> bool:
    """ "skip", "pass", "rather not say", "I don't know" and the like, as the whole answer."""
    return bool(_pattern("skip").match(text))


def yes_no(text: str, intent: Optional[str] = None) -> Optional[str]:
    if _pattern("unsure").search(text):
        return UNSURE
    if intent == "affirm" or _pattern("yes").match(text):
        return YES
    if intent == "deny" or _pattern("no").match(text):
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
        if re.search(_words(f"category_{value}", pattern), lowered):
            return value
    return "trafficking"


# The time buttons; anything else is kept in the user's own words.
_WHEN_BUTTONS = {"it's happening now": "now", "in the last few days": "recent", "weeks or months ago": "earlier"}


def when(text: str) -> str:
    return _WHEN_BUTTONS.get(text.lower().strip(), text.strip())


_NO_CHILDREN = r"no (children|child|kids?|minors?)|only adults|adults only|all adults|none"
_CHILD = (r"child|children|kids?|girls?|boys?|teens?|teenagers?|minors?|baby|babies|daughter|son|"
          r"niece|nephew|students?|pupils?|\d{1,2}\s*(years?|yrs?|y/?o)|under 18|aged? \d{1,2}")


def children_at_risk(text: str) -> Optional[bool]:
    """True when the answer names children, False for "no children", None when it does not say."""
    if re.search(rf"\b({_words('no_children', _NO_CHILDREN)})\b", text, re.I):
        return False
    if re.search(rf"\b({_words('child', _CHILD)})\b", text, re.I) or re.search(r"\b\d{1,2}\b", text):
        return True
    return None


def contact_method(text: str) -> Optional[str]:
    lowered = text.lower()
    anonymous = r"anonym|don'?t contact|do not contact|no contact|no,? stay|no thanks|^\s*no\b|nobody|no one"
    if re.search(_words("anonymous", anonymous), lowered):
        return "anonymous"
    if re.search(_words("phone", r"phone|call|number|ring|sms|text me"), lowered):
        return "phone"
    if re.search(_words("chat", r"chat|here|this app|message|write"), lowered):
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
