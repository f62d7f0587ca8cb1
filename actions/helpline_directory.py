"""Helpline and emergency numbers by country, read from reference/helplines.yml."""

from __future__ import annotations

import functools
import gettext
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "reference" / "helplines.yml"


@dataclass(frozen=True)
class Line:
    name: str
    number: str
    kind: str
    verified: bool
    source: str
    text: Optional[str] = None
    note: Optional[str] = None

    def render(self) -> str:
        sms = f" (text {self.text})" if self.text else ""
        return f"• {self.name}: {self.number}{sms}"


@dataclass(frozen=True)
class CountryNumbers:
    emergency: List[str]
    lines: List[Line]


def _line(raw: Dict[str, Any]) -> Line:
    return Line(
        name=str(raw["name"]),
        number=str(raw["number"]),
        kind=str(raw.get("kind", "")),
        verified=bool(raw.get("verified", False)),
        source=str(raw.get("source", "")),
        text=str(raw["text"]) if raw.get("text") else None,
        note=raw.get("note"),
    )


@functools.lru_cache(maxsize=4)
def load_directory(path: str = "") -> Dict[str, Any]:
    """Parse the helpline file once per process (path from HELPLINES_FILE or the repo default)."""
    file = Path(path or os.environ.get("HELPLINES_FILE") or DEFAULT_PATH)
    return yaml.safe_load(file.read_text(encoding="utf-8"))


def fallback_lines() -> List[Line]:
    return [_line(raw) for raw in load_directory().get("fallback", [])]


def numbers_for(country: Optional[str]) -> Optional[CountryNumbers]:
    """Numbers for an ISO alpha-2 country, or None when the table has nothing for it."""
    if not country:
        return None
    entry = load_directory().get("countries", {}).get(country.upper())
    if not entry:
        return None
    emergency = entry.get("emergency") or {}
    return CountryNumbers(
        emergency=[str(n) for n in emergency.get("numbers", [])],
        lines=[_line(raw) for raw in entry.get("lines") or []],
    )


# Country names read with "the" in a sentence ("in the Philippines", "in the United States").
_WITH_ARTICLE = {"AE", "BS", "CD", "CF", "CG", "CZ", "DO", "GB", "GM", "KM", "MH", "MV", "NL", "PH", "SB", "US", "VA"}


def country_in_sentence(code: Optional[str], language: Optional[str] = None) -> str:
    """The country's name as it reads mid-sentence ("the United Arab Emirates", "Qatar").

    In other languages the bare translated name: the texts are worded so that no article or
    preposition depends on the country ("Números para: Emiratos Árabes Unidos").
    """
    name = country_name(code, language)
    english = language in (None, "en")
    return f"the {name}" if english and code and code.upper() in _WITH_ARTICLE else name


def country_name(code: Optional[str], language: Optional[str] = None) -> str:
    """Display name of an ISO alpha-2 code ("AE" -> "United Arab Emirates", in `language`)."""
    if not code:
        return ""
    import pycountry

    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code
    name = str(getattr(country, "common_name", None) or country.name)
    if language in (None, "en"):
        return name
    return _translator(language).gettext(name)


@functools.lru_cache(maxsize=8)
def _translator(language: str) -> gettext.NullTranslations:
    """pycountry's country-name catalogue for a language (shipped in its wheel)."""
    import pycountry

    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return gettext.NullTranslations()
