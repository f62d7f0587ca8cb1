"""The languages we speak (`locales/languages.yml`) and the translations of texts built in code."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

LOCALES_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    words: Tuple[str, ...] = ()
    calling_codes: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Languages:
    default: str
    by_code: Dict[str, Language] = field(default_factory=dict)

    @property
    def codes(self) -> List[str]:
        return list(self.by_code)

    def supported(self, code: Optional[str]) -> Optional[str]:
        """"es-MX", "ES", "es_419" → "es"; None for a language we do not speak."""
        if not code:
            return None
        base = code.replace("_", "-").split("-")[0].strip().lower()
        return base if base in self.by_code else None

    def named_in(self, text: str) -> Optional[str]:
        """The language a message asks for by name ("en español por favor" → "es")."""
        words = {word.strip(".,!?¿¡:;\"'()") for word in text.lower().split()}
        for language in self.by_code.values():
            if words & set(language.words):
                return language.code
        return None

    def for_phone(self, number: str) -> Optional[str]:
        """The language hinted by an international phone number's calling code (longest wins)."""
        digits = "".join(ch for ch in number if ch.isdigit())
        best: Tuple[int, Optional[str]] = (0, None)
        for language in self.by_code.values():
            for prefix in language.calling_codes:
                if digits.startswith(prefix) and len(prefix) > best[0]:
                    best = (len(prefix), language.code)
        return best[1]


@cache
def languages(directory: Path = LOCALES_DIR) -> Languages:
    raw = yaml.safe_load((directory / "languages.yml").read_text(encoding="utf-8"))
    by_code = {
        code: Language(
            code=code,
            name=str(entry["name"]),
            words=tuple(str(w).lower() for w in entry.get("words") or ()),
            calling_codes=tuple(str(c) for c in entry.get("calling_codes") or ()),
        )
        for code, entry in (raw.get("languages") or {}).items()
    }
    return Languages(default=str(raw.get("default", "en")), by_code=by_code)


@cache
def messages(language: str, directory: Path = LOCALES_DIR) -> Dict[str, Dict[str, Any]]:
    """One language's catalogue of code texts: {section: {name: text}} (empty when it has none)."""
    path = directory / language / "messages.yml"
    if not path.exists():
        return {}
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def localize(section: str, name: str, english: Any, language: Optional[str] = None, /, **values: Any) -> Any:
    """`english` in `language`: the catalogue's text for section.name, with `{placeholders}` filled.

    English texts stay in the code that uses them (the reference); other languages live in
    `locales/<lang>/messages.yml`. A missing translation falls back to English (and fails
    tests/locales/test_completeness.py). Lists and mappings (button rows, word tables) work too.
    """
    chosen = english
    if language and language != languages().default:
        chosen = messages(language).get(section, {}).get(name, english)
    if isinstance(chosen, str) and values:
        return chosen.format(**values)
    return chosen


@cache
def answer_words(key: str, directory: Path = LOCALES_DIR) -> str:
    """Regex alternatives for typed answers (`key`) from every language's `answers.yml`, "|"-joined.

    The form readers (actions/*/answers.py) add these to their English patterns, so a typed
    "sí", "no sé", "passer" or "je ne sais pas" is read like "yes", "not sure" or "skip".
    """
    parts: List[str] = []
    for code in languages(directory).codes:
        path = directory / code / "answers.yml"
        if path.exists():
            content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            parts += [str(part) for part in content.get(key) or []]
    return "|".join(parts)


def with_answer_words(english: str, key: str) -> str:
    """`english` (a regex alternation) extended with every language's words for `key`."""
    extra = answer_words(key)
    return f"{english}|{extra}" if extra else english


def language_files(name: str, directory: Path = LOCALES_DIR) -> Dict[str, Dict[str, Any]]:
    """Every language's `locales/<lang>/<name>` (e.g. "dates.yml"), parsed: {language: content}."""
    found: Dict[str, Dict[str, Any]] = {}
    for code in languages(directory).codes:
        path = directory / code / name
        if path.exists():
            found[code] = dict(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return found
