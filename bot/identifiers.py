"""Identifiers typed by users (phone numbers, e-mail addresses, passport and ID numbers).

The gateway replaces them with placeholders ("[phone]", "[email]", "[id number]") before a text
goes to Rasa, so Rasa's tracker store, logs and models never hold them; the originals are kept
encrypted in the gateway (`identifiers` table) and put back only where they are needed, such as
a report's contact field. Pure standard library: the NLU benchmark imports it from the Rasa
environment too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, List, Tuple

PHONE = "[phone]"
EMAIL = "[email]"
ID_NUMBER = "[id number]"
PLACEHOLDERS = (PHONE, EMAIL, ID_NUMBER)

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A passport or ID number: a word with letters and at least five digits ("P1234567", "AB-123456"),
# or any 5+ digit number just after the words passport / ID / identity card.
_ID_WORD = re.compile(r"(?<![\w-])[A-Za-z]{1,3}-?\d{5,12}[A-Za-z]?(?![\w-])")
_ID_AFTER_WORD = re.compile(
    r"(?i)\b(passport|id|identity|national id|id card|document)(\s*:?\s*(?:card\s+)?(?:no\.?|number|num|#)?\s*:?\s*)"
    r"([A-Za-z]{0,3}-?\d{5,12})(?![\w-])"
)
# A phone number: 8 to 15 digits, maybe with "+", spaces, dots, dashes or brackets between them.
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d\s().-]{6,20}\d(?![\w])")
_DATE = re.compile(r"^(\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{4}\s*-\s*\d{4})$")


@dataclass(frozen=True)
class Found:
    """One identifier taken out of a text: its placeholder and the original."""

    placeholder: str
    value: str


def _is_phone(candidate: str) -> bool:
    digits = sum(ch.isdigit() for ch in candidate)
    # Seven digits only with a "+" or a trunk "0" in front ("0712 345"), else eight or more.
    fewest = 7 if candidate.strip()[:1] in "+0(" else 8
    if not fewest <= digits <= 15 or _DATE.match(candidate.strip()):
        return False
    # A money amount or a year range ("1,500,000", "2019-2024") is not a phone number.
    return "," not in candidate


def redact(text: str) -> Tuple[str, List[Found]]:
    """The text with identifiers replaced by placeholders, and what was replaced (in order)."""
    found: List[Found] = []

    def take(placeholder: str) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            found.append(Found(placeholder, match.group(0).strip()))
            return placeholder

        return replace

    text = _EMAIL.sub(take(EMAIL), text)

    def id_after_word(match: re.Match[str]) -> str:
        found.append(Found(ID_NUMBER, match.group(3)))
        return match.group(1) + match.group(2) + ID_NUMBER

    text = _ID_AFTER_WORD.sub(id_after_word, text)
    text = _ID_WORD.sub(take(ID_NUMBER), text)

    def phone(match: re.Match[str]) -> str:
        candidate = match.group(0)
        if not _is_phone(candidate):
            return candidate
        # Keep the spaces around a number, drop the number itself.
        lead = candidate[: len(candidate) - len(candidate.lstrip())]
        found.append(Found(PHONE, candidate.strip()))
        return lead + PHONE

    text = _PHONE.sub(phone, text)
    return text, found


def restore(text: str, found: List[Found]) -> str:
    """Put the originals back in place of the placeholders, first placeholder first."""
    for item in found:
        if item.placeholder in text:
            text = text.replace(item.placeholder, item.value, 1)
    return text


def has_placeholder(text: str) -> bool:
    return any(p in text for p in PLACEHOLDERS)
