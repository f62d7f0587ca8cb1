"""A new language is data only: a copy of locales/ with one more language works without code."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from locales.catalogue import LOCALES_DIR, languages
from locales.nlg import LocalizedNaturalLanguageGenerator

DOMAIN = Domain.load(["domain.yml", "data/responses"])


def add_language(tmp_path: Path) -> Path:
    directory = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, directory, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    listed = yaml.safe_load((directory / "languages.yml").read_text(encoding="utf-8"))
    listed["languages"]["pt"] = {"name": "Português", "words": ["português"], "calling_codes": ["351", "244"]}
    (directory / "languages.yml").write_text(yaml.safe_dump(listed, allow_unicode=True), encoding="utf-8")
    (directory / "pt").mkdir()
    responses = {"responses": {"utter_goodbye": [{"text": "Cuida-te. Podes voltar quando quiseres."}]}}
    (directory / "pt" / "responses.yml").write_text(yaml.safe_dump(responses, allow_unicode=True), encoding="utf-8")
    return directory


async def test_a_new_language_needs_no_code(tmp_path: Path) -> None:
    directory = add_language(tmp_path)
    assert languages(directory).supported("pt-BR") == "pt"
    assert languages(directory).for_phone("+244 923 000 000") == "pt"
    nlg = LocalizedNaturalLanguageGenerator(EndpointConfig(directory=str(directory)), DOMAIN)
    tracker = DialogueStateTracker.from_events("t", [SlotSet("language", "pt")], slots=DOMAIN.slots)
    answer = await nlg.generate("utter_goodbye", tracker, "rest")
    assert answer is not None and answer["text"].startswith("Cuida-te")
