"""Country names, aliases and cities mapped to ISO 3166-1 alpha-2 codes, with typo-tolerant lookup.

Pure data and functions, no Rasa: the gazetteer component wraps this.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import yaml

GAZETTEER_DIR = Path(__file__).parent / "gazetteer"

# pycountry names carry qualifiers ("Korea, Republic of", "Bolivia (Plurinational State of)")
# that nobody types; the part before them is what people write.
_QUALIFIER = re.compile(r"\s*[,(].*$")


def normalise(text: str) -> str:
    """Lowercase, strip accents and collapse punctuation so "Côte d'Ivoire" == "cote d ivoire"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w]+", " ", text.lower())
    return " ".join(text.split())


@dataclass
class CountryNames:
    """Lookup tables: exact names (case-insensitive), case-sensitive codes, fuzzy candidates."""

    exact: Dict[str, str] = field(default_factory=dict)
    case_sensitive: Dict[str, str] = field(default_factory=dict)
    fuzzy_min_length: int = 5

    def add(self, name: str, code: str) -> None:
        key = normalise(name)
        if key:
            # First writer wins: curated aliases are loaded before pycountry's long names.
            self.exact.setdefault(key, code)

    @property
    def max_words(self) -> int:
        return max((len(k.split()) for k in self.exact), default=1)

    def lookup(self, phrase: str) -> Optional[str]:
        """Exact lookup of a phrase (any case, accents ignored)."""
        return self.exact.get(normalise(phrase))

    def fuzzy_candidates(self) -> Dict[Tuple[str, int], List[str]]:
        """Names long enough to match a typo, by (first letter, number of words): a typo keeps both."""
        buckets: Dict[Tuple[str, int], List[str]] = {}
        for key in self.exact:
            if len(key.replace(" ", "")) >= self.fuzzy_min_length:
                buckets.setdefault((key[0], key.count(" ") + 1), []).append(key)
        return buckets


def _pycountry_names(languages: Iterable[str]) -> List[Tuple[str, str]]:
    import pycountry

    pairs: List[Tuple[str, str]] = []
    translators = []
    for lang in languages:
        if lang == "en":
            continue
        try:
            translators.append(
                gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
            )
        except OSError:
            continue
    for country in pycountry.countries:
        code = country.alpha_2
        names = {getattr(country, attr, None) for attr in ("common_name", "name", "official_name")}
        for name in [n for n in names if n]:
            pairs.append((name, code))
            short = _QUALIFIER.sub("", name)
            if short != name:
                pairs.append((short, code))
            for tr in translators:
                translated = tr.gettext(name)
                if translated != name:
                    pairs.append((translated, code))
                    pairs.append((_QUALIFIER.sub("", translated), code))
    return pairs


def load_country_names(languages: Iterable[str] = ("en",), directory: Path = GAZETTEER_DIR) -> CountryNames:
    """Build the tables from the alias files of each language, cities, and pycountry."""
    languages = list(languages)
    names = CountryNames()
    for lang in languages:
        path = directory / f"aliases_{lang}.yml"
        if path.exists():
            _add_alias_file(names, yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    cities = directory / "cities.yml"
    if cities.exists():
        for code, city_list in (yaml.safe_load(cities.read_text(encoding="utf-8")) or {}).items():
            for city in city_list:
                names.add(city, code)
    for name, code in _pycountry_names(languages):
        names.add(name, code)
    return names


def _add_alias_file(names: CountryNames, content: Dict[str, Any]) -> None:
    for code, aliases in (content.get("aliases") or {}).items():
        for alias in aliases:
            names.add(alias, code)
    for code, aliases in (content.get("case_sensitive") or {}).items():
        for alias in aliases:
            names.case_sensitive[alias] = code
