"""Rasa's response generator, in the conversation's language (endpoints.yml `nlg:`).

English responses are the domain's (data/responses/*.yml). Each other language has the same
responses in `locales/<lang>/responses.yml`, with the same structure: the same conditional
variations (on `country`, `handoff_state` ...), the same buttons and payloads, other words.
The `language` slot picks the set; a response a language lacks falls back to English (and
tests/locales/test_completeness.py fails, so that never ships).

Why not conditional variations on a `language` slot inside data/responses: Rasa's conditions
only test equality, and a conditional variation always beats an unconditioned one, so a
response that already has an "otherwise" variation (utter_ask_country: "country is null" or
anything else) cannot be given a per-language "otherwise". One file per language also lets a
translator work on one file without touching the English.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from locales.catalogue import LOCALES_DIR, languages

Responses = Dict[str, List[Dict[str, Any]]]


def load_responses(language: str, directory: Path = LOCALES_DIR) -> Responses:
    """One language's translated responses (empty for English, which lives in the domain)."""
    path = directory / language / "responses.yml"
    if not path.exists():
        return {}
    content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return dict(content.get("responses") or {})


class LocalizedNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    """Chooses each response from the `language` slot's set, English when it has none.

    A TemplatedNaturalLanguageGenerator so that Rasa hands it the domain's responses when the
    model is loaded (the server creates the generator before it has a domain).
    """

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None) -> None:
        directory = Path(str((endpoint_config.kwargs if endpoint_config else {}).get("directory") or LOCALES_DIR))
        self.default = languages(directory).default
        self.translations = {code: load_responses(code, directory) for code in languages(directory).codes}
        self.generators: Dict[str, TemplatedNaturalLanguageGenerator] = {}
        super().__init__(dict(domain.responses) if domain is not None else {})

    @property  # type: ignore[override]
    def responses(self) -> Responses:
        return self._english

    @responses.setter
    def responses(self, english: Responses) -> None:
        self._english = dict(english)
        self.generators = {
            code: TemplatedNaturalLanguageGenerator({**self._english, **translated})
            for code, translated in self.translations.items()
        }

    def for_language(self, language: Optional[str]) -> TemplatedNaturalLanguageGenerator:
        return self.generators.get(str(language or self.default), self.generators[self.default])

    async def generate(
        self, utter_action: str, tracker: DialogueStateTracker, output_channel: str, **kwargs: Any
    ) -> Optional[Dict[str, Any]]:
        generator = self.for_language(tracker.get_slot("language"))
        return await generator.generate(utter_action, tracker, output_channel, **kwargs)
