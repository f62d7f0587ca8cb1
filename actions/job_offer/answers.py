"""Reading the user's answers to the job-offer questions: pure functions, table-tested."""

from __future__ import annotations

import functools
import re
from typing import Optional, Pattern

from locales.catalogue import with_answer_words

YES, NO, UNSURE = "yes", "no", "unsure"

# key: (pattern with WORDS where the words go, the English words). Other languages add theirs in
# locales/<lang>/answers.yml under the same key (job_offer_<key>).
_PATTERNS = {
    "unsure": (
        r"\b(WORDS)\b|^\s*\?+\s*$",
        r"not sure|unsure|don.?t know|dont know|do not know|idk|no idea|maybe|not certain|skip|rather not|can.?t say",
    ),
    "yes": (r"^\s*(WORDS)\b", r"yes|yeah|yep|yup|ya|yah|y|sure|correct|right|true|they do|it is|i do|ok|okay"),
    "no": (r"^\s*(WORDS)\b", r"no|nope|nah|n|not really|never|none|they don.?t|i don.?t|it isn.?t|not at all"),
}


@functools.cache
def _pattern(key: str) -> Pattern[str]:
    template, english = _PATTERNS[key]
    return re.compile(template.replace("WORDS", with_answer_words(english, f"job_offer_{key}")), re.IGNORECASE)


@functools.cache
def _words(key: str, english: str) -> str:
    return with_answer_words(english, f"job_offer_{key}")


def yes_no_unsure(text: str, intent: Optional[str] = None) -> Optional[str]:
    """'yes', 'no' or 'unsure' for a Yes / No / Not sure question; None when the text is something else."""
    if _pattern("unsure").search(text):
        return UNSURE
    if intent == "affirm" or _pattern("yes").search(text):
        return YES
    if intent == "deny" or _pattern("no").search(text):
        return NO
    return None


# Kinds of work, matched by keyword; the value is a sector id.
_SECTORS = [
    ("domestic_work", r"house ?(work|maid|keeper|help)|maid|domestic|nanny|cleaner|cleaning|caregiver|care ?giver|babysit|cook|helper"),
    ("au_pair", r"au ?pair"),
    ("construction", r"construct|building site|mason|carpent|welder|labou?rer|scaffold|plumb|electrician"),
    ("agriculture", r"farm|agricult|harvest|picking|fruit|plantation|greenhouse|strawberr|palm oil"),
    ("fishing", r"fish|boat|vessel|trawler|seafood|crew"),
    ("hospitality", r"hotel|restaurant|waiter|waitress|bar|cafe|kitchen|chef|housekeeping|hospitality|tourism|resort"),
    ("factory", r"factory|manufactur|assembly|packing|packer|warehouse|garment|textile|production line"),
    ("modelling_entertainment", r"model|dancer|dancing|singer|entertain|hostess|massage|spa|club|karaoke|actress|influencer"),
    ("it_call_centre", r"call ?cent|it job|\bit\b|computer|typing|data entry|customer service|online|crypto|sales|marketing|casino"),
    ("nursing", r"nurs|hospital|medical|doctor|elderly care|care home"),
    ("driving", r"driv|delivery|truck"),
    ("security", r"security|guard"),
]


def job_sector(text: str) -> Optional[str]:
    """The sector a description of work belongs to, 'other' for a description we cannot place."""
    if _pattern("unsure").search(text):
        return "unknown"
    lowered = text.lower()
    for sector, pattern in _SECTORS:
        if re.search(_words(f"sector_{sector}", pattern), lowered):
            return sector
    return "other" if lowered.strip() else None


_AGE = re.compile(r"\b(\d{1,2})\s*(y/?o|yrs?|years?( old)?)?\b", re.IGNORECASE)


def age_group(text: str) -> Optional[str]:
    """'minor', 'adult' or 'unknown' from "16", "I'm 17", "Under 18", "18 or older", "rather not say"."""
    lowered = text.lower()
    if re.search(_words("minor", r"under ?-?18|minor|below 18|not 18|younger than 18|teen"), lowered):
        return "minor"
    if re.search(_words("adult", r"18 or (older|over|above)|over 18|adult|18\+"), lowered):
        return "adult"
    if _pattern("unsure").search(text) or "not say" in lowered or "prefer not" in lowered:
        return "unknown"
    match = _AGE.search(lowered)
    if match:
        age = int(match.group(1))
        if 5 <= age <= 99:
            return "minor" if age < 18 else "adult"
    return None


def offer_source(text: str) -> Optional[str]:
    """'online', 'stranger', 'agency', 'personal' or 'unknown' from how the user got the offer."""
    lowered = text.lower()
    online = r"online|facebook|\bfb\b|insta|\big\b|tiktok|telegram|whatsapp|wechat|snap|dating|tinder|social media|internet|app\b"
    if re.search(_words("online", online), lowered):
        return "online"
    if re.search(_words("stranger", r"stranger|don.?t know (him|her|them)|someone i don.?t know|unknown|random"), lowered):
        return "stranger"
    if _pattern("unsure").search(text):
        return "unknown"
    if re.search(_words("agency", r"agenc|recruit|company|licensed|employer|job fair|office"), lowered):
        return "agency"
    personal = r"friend|relative|family|cousin|uncle|aunt|neighbou?r|brother|sister|mother|father|teacher|church"
    if re.search(_words("personal", personal), lowered):
        return "personal"
    return None


def visa_answer(text: str) -> Optional[str]:
    """'work', 'wrong' (tourist, visit, student, fixed later, none) or 'unsure'."""
    lowered = text.lower()
    if re.search(_words("visa_wrong", r"tourist|visit|student|holiday|later|fix|no visa|without (a )?visa|transit|business"), lowered):
        return "wrong"
    if _pattern("unsure").search(text):
        return UNSURE
    if re.search(_words("visa_work", r"work|employment|job visa|permit"), lowered):
        return "work"
    return None
