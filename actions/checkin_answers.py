"""Reading the answers to the check-in questions: pure functions, table-tested."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Dict, Optional

from actions.date_words import date_words, plain
from locales.catalogue import with_answer_words

SKIPPED = "skipped"
PHONE_PLACEHOLDER = "[phone]"  # bot/identifiers.py
# Typed "saltar", "no sé", "passer", "je ne sais pas" too (locales/<lang>/answers.yml, report_skip).
_SKIP = re.compile(r"^\s*(" + with_answer_words(
    "skip|no|none|nobody|no one|not sure|don.?t know|dont know|idk|no thanks|rather not", "report_skip") + r")\b",
                   re.IGNORECASE)
MAX_AHEAD_DAYS = 366
# A code word must not be something said every day, or it would raise alarms by accident.
COMMON_WORDS = {"ok", "okay", "yes", "no", "hi", "hello", "hey", "thanks", "thank you", "help", "stop", "skip",
                "fine", "good", "bye", "menu", "start", "cancel", "sos", "im ok", "i am ok",
                # Spanish and French everyday words
                "hola", "si", "sí", "gracias", "ayuda", "vale", "bueno", "bien", "adios", "adiós", "chao", "listo",
                "oui", "non", "merci", "salut", "bonjour", "bonsoir", "aide", "daccord", "ça va", "ca va"}


def skipped(text: str) -> bool:
    return bool(_SKIP.search(text))


def _valid(day: date, today: date) -> Optional[date]:
    return day if today <= day <= today + timedelta(days=MAX_AHEAD_DAYS) else None


def _this_or_next_year(month: int, day: int, today: date) -> Optional[date]:
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate >= today:
            return candidate
    return None


def departure_date(text: str, today: date) -> Optional[date]:
    """The date in "2026-12-05", "5/12", "5 Dec", "tomorrow", "in 3 days", "next friday", "el 5 de
    diciembre", "pasado mañana", "lundi prochain", "dans 3 jours" (words: `date_words()`).

    Numeric dates are read day first (5/12 is 5 December), unless that cannot be a date (12/25).
    Dates in the past or more than a year ahead are not accepted.
    """
    words = date_words()
    lowered = " ".join(plain(text).replace(",", " ").split())
    match = re.search(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", lowered)
    if match:
        try:
            return _valid(date(int(match[1]), int(match[2]), int(match[3])), today)
        except ValueError:
            return None
    lowered = words.ignore.sub(" ", lowered)
    if words.day_after_tomorrow.search(lowered):
        return today + timedelta(days=2)
    if words.today.search(lowered):
        return today
    if words.tomorrow.search(lowered):
        return today + timedelta(days=1)
    match = words.in_days_or_weeks.search(lowered)
    if match:
        amount = int(match["amount"]) if match["amount"].isdigit() else words.numbers[match["amount"]]
        days = amount * (7 if words.weeks.fullmatch(match["unit"]) else 1)
        return _valid(today + timedelta(days=days), today)
    if words.next_week.search(lowered):
        return today + timedelta(days=7)
    match = re.search(r"\b(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2,4}))?\b", lowered)
    if match:
        first, second = int(match[1]), int(match[2])
        day, month = (first, second) if second <= 12 else (second, first)
        if match[3]:
            year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
            try:
                return _valid(date(year, month, day), today)
            except ValueError:
                return None
        return _this_or_next_year(month, day, today)
    match = words.day_month.search(lowered) or words.month_day.search(lowered)
    if match:
        return _this_or_next_year(words.months[match["month"]], int(match["day"]), today)
    match = words.weekday.search(lowered)
    if match:
        ahead = (words.weekdays[match["weekday"]] - today.weekday()) % 7
        if ahead == 0 or (match["before"] or match["after"]) and ahead < 2:
            ahead += 7
        return today + timedelta(days=ahead)
    return None


def schedule_choice(text: str) -> Optional[str]:
    """'all' (arrival, 3 days, 2 weeks, a month) or 'fewer' (arrival, 2 weeks)."""
    lowered = text.lower()
    if re.search(r"\b(fewer|less|two|2|just|only)\b", lowered):
        return "fewer"
    if re.search(r"\b(all|four|4|yes|ok|okay|sure|default|recommended)\b", lowered):
        return "all"
    return None


def window_hours(text: str) -> Optional[int]:
    """6, 12, 24, 48 or 72 hours from "12 hours", "a day", "2 days"."""
    lowered = text.lower()
    match = re.search(r"(\d{1,2})\s*(h|hours?|hrs?)\b", lowered)
    if match and int(match[1]) in (6, 12, 24, 48, 72):
        return int(match[1])
    match = re.search(r"(\d)\s*days?\b", lowered)
    if match and int(match[1]) in (1, 2, 3):
        return 24 * int(match[1])
    if re.search(r"\b(a|one) day\b|\bdefault\b|\bok\b|\bokay\b", lowered):
        return 24
    if re.search(r"\bhalf a day\b", lowered):
        return 12
    return None


def trusted_contact(text: str) -> Optional[Dict[str, str]]:
    """{kind, value}: a Telegram @name, or a phone number (on WhatsApp when the text says so).

    Through the gateway a number arrives as the placeholder "[phone]" (bot/identifiers.py): that is
    the value then, and the gateway puts the number it kept back in when the plan is made.
    """
    kind = "whatsapp" if re.search(r"whats ?app|\bwa\b", text, re.IGNORECASE) else "phone"
    if PHONE_PLACEHOLDER in text:
        return {"kind": kind, "value": PHONE_PLACEHOLDER}
    handle = re.search(r"(?:@|t\.me/)([A-Za-z][A-Za-z0-9_]{4,31})\b", text)
    if handle:
        return {"kind": "telegram", "value": "@" + handle[1]}
    number = re.search(r"\+?\d[\d ()-]{6,20}\d", text)
    if number:
        digits = re.sub(r"[^\d+]", "", number[0])
        return {"kind": kind, "value": digits}
    return None


def code_word_ok(text: str) -> bool:
    """Three letters or more, and not a word said every day."""
    word = " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())
    return len(word.replace(" ", "")) >= 3 and word not in COMMON_WORDS and len(word) <= 40
