"""The words people use for dates ("tomorrow", "pasado mañana", "lundi prochain"), in every language.

English is here; other languages are data (`locales/<lang>/dates.yml`), so a new language adds a
file, not code. Words are compared by `plain()`: lower case, no accents, hyphens as spaces.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Dict, Iterable, List

from locales.catalogue import LOCALES_DIR, language_files

ENGLISH: Dict[str, Any] = {
    "months": {1: ["jan", "january"], 2: ["feb", "february"], 3: ["mar", "march"], 4: ["apr", "april"],
               5: ["may"], 6: ["jun", "june"], 7: ["jul", "july"], 8: ["aug", "august"],
               9: ["sep", "sept", "september"], 10: ["oct", "october"], 11: ["nov", "november"],
               12: ["dec", "december"]},
    "weekdays": {0: ["mon", "monday"], 1: ["tue", "tues", "tuesday"], 2: ["wed", "wednesday"],
                 3: ["thu", "thur", "thurs", "thursday"], 4: ["fri", "friday"], 5: ["sat", "saturday"],
                 6: ["sun", "sunday"]},
    "today": ["today", "tonight"],
    "tomorrow": ["tomorrow", "tmrw", "tmr", "tomoro"],
    "day_after_tomorrow": ["day after tomorrow", "the day after tomorrow"],
    "ignore": [],
    "next_week": ["next week"],
    "in": ["in"],
    "days": ["day", "days"],
    "weeks": ["week", "weeks"],
    "next": ["next"],
    "of": ["of"],
    "ordinals": ["st", "nd", "rd", "th"],
    "numbers": {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "a couple of": 2, "couple of": 2, "few": 3, "a few": 3},
}


def plain(text: str) -> str:
    """Lower case without accents, with typographic apostrophes straightened and hyphens between
    letters as spaces: "Après-demain" → "apres demain", "mañana" → "manana"."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("’", "'"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"(?<=[a-z])-(?=[a-z])", " ", stripped)


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _phrases(words: Iterable[str]) -> re.Pattern[str]:
    alternation = _alternation(words)
    return re.compile(rf"(?<![\w'])(?:{alternation})(?![\w'])" if alternation else r"(?!x)x")


@dataclass(frozen=True)
class DateWords:
    months: Dict[str, int]
    weekdays: Dict[str, int]
    numbers: Dict[str, int]
    today: re.Pattern[str]
    tomorrow: re.Pattern[str]
    day_after_tomorrow: re.Pattern[str]
    ignore: re.Pattern[str]
    next_week: re.Pattern[str]
    weeks: re.Pattern[str]
    in_days_or_weeks: re.Pattern[str]
    day_month: re.Pattern[str]
    month_day: re.Pattern[str]
    weekday: re.Pattern[str]


def _merged(tables: List[Dict[str, Any]], key: str) -> List[str]:
    return [plain(str(word)) for table in tables for word in table.get(key) or []]


def _numbered(tables: List[Dict[str, Any]], key: str) -> Dict[str, int]:
    """{word: number} from {number: [words]} tables (months, weekdays); the first language wins."""
    found: Dict[str, int] = {}
    for table in tables:
        for number, words in (table.get(key) or {}).items():
            for word in words:
                found.setdefault(plain(str(word)), int(number))
    return found


@cache
def date_words(directory: Path = LOCALES_DIR) -> DateWords:
    """English and every language's `dates.yml`, merged: a date is read whatever the language."""
    tables = [ENGLISH, *language_files("dates.yml", directory).values()]
    months, weekdays = _numbered(tables, "months"), _numbered(tables, "weekdays")
    numbers: Dict[str, int] = {}
    for table in tables:
        for word, number in (table.get("numbers") or {}).items():
            numbers.setdefault(plain(str(word)), int(number))
    month = _alternation(months)
    ordinal = rf"(?:{_alternation(_merged(tables, 'ordinals'))})?"
    of = _alternation(_merged(tables, "of"))
    of_part = rf"(?: (?:{of}))?" if of else ""
    nxt = _alternation(_merged(tables, "next"))
    units = _alternation(_merged(tables, "days") + _merged(tables, "weeks"))
    return DateWords(
        months=months,
        weekdays=weekdays,
        numbers=numbers,
        today=_phrases(_merged(tables, "today")),
        tomorrow=_phrases(_merged(tables, "tomorrow")),
        day_after_tomorrow=_phrases(_merged(tables, "day_after_tomorrow")),
        ignore=_phrases(_merged(tables, "ignore")),
        next_week=_phrases(_merged(tables, "next_week")),
        weeks=re.compile(_alternation(_merged(tables, "weeks"))),
        in_days_or_weeks=re.compile(
            rf"(?<![\w'])(?:{_alternation(_merged(tables, 'in'))}) "
            rf"(?P<amount>\d{{1,3}}|{_alternation(numbers)}) (?P<unit>{units})\b"),
        day_month=re.compile(rf"\b(?P<day>\d{{1,2}}){ordinal}{of_part} (?P<month>{month})\b"),
        month_day=re.compile(rf"\b(?P<month>{month}) (?P<day>\d{{1,2}}){ordinal}\b"),
        weekday=re.compile(
            rf"\b(?:(?P<before>{nxt}) )?(?P<weekday>{_alternation(weekdays)})\b(?: (?P<after>{nxt})\b)?"),
    )
