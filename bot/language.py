"""Which language a conversation is in: hints, detection on longer messages, explicit choice.

The gateway decides once per message and tells Rasa in the message metadata (`language`).
A language is sticky: a message of fewer than `MIN_WORDS` words ("ok", "hi", "👍", "merci")
never changes it, nor does a guess below `MIN_CONFIDENCE`, and a language the user chose
(the `/language` buttons or command) is kept until they choose another.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional, Tuple

from locales.catalogue import languages

MIN_WORDS = 3
MIN_CONFIDENCE = 0.9
# How a conversation's language was set; a stronger source is not overridden by a weaker one.
HINT, DETECTED, CHOSEN = "hint", "detected", "chosen"

_WORD = re.compile(r"[^\W\d_]{2,}")
# A button payload or command that chooses a language: `/change_language{"language":"es"}` or `/language es`.
_CHOICE = re.compile(r'^/change_language(\{.*\})$|^/language(?:@\w+)?\s+([A-Za-z-]{2,8})$', re.DOTALL)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """py3langid's model (in the wheel, about 0.5 s to load), limited to the languages we speak."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_DIR / MODEL_FILE, norm_probs=True)
    identifier.set_languages(languages().codes)
    return identifier


def detect(text: str) -> Optional[Tuple[str, float]]:
    """The language of a message long enough to tell, with its probability; None when too short."""
    if len(_WORD.findall(text)) < MIN_WORDS:
        return None
    code, probability = _identifier().classify(text)
    return str(code), float(probability)


def chosen_language(text: str) -> Optional[str]:
    """The language a button payload or `/language xx` command chooses, if it is one."""
    match = _CHOICE.match(text.strip())
    if not match:
        return None
    if match.group(1):
        try:
            value = json.loads(match.group(1)).get("language")
        except (ValueError, AttributeError):
            return None
        return languages().supported(str(value)) if value else None
    return languages().supported(match.group(2))


@dataclass(frozen=True)
class Decision:
    language: str
    source: Optional[str]
    changed: bool


def decide(
    current: Optional[str], source: Optional[str], text: str = "", hint: Optional[str] = None,
    choice: Optional[str] = None,
) -> Decision:
    """The conversation's language after this message (pure: no I/O besides the cached model)."""
    default = languages().default
    before = current or default
    if choice:
        return Decision(choice, CHOSEN, choice != before)
    if source == CHOSEN and current:
        return Decision(current, CHOSEN, False)
    guess = detect(text) if text else None
    if guess is not None and guess[1] >= MIN_CONFIDENCE:
        return Decision(guess[0], DETECTED, guess[0] != before)
    if current and source == DETECTED:
        return Decision(current, source, False)
    hinted = languages().supported(hint)
    if hinted:
        return Decision(hinted, HINT, hinted != before)
    return Decision(before, source, False)
