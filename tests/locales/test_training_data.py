"""Spanish and French training data cover every intent of the domain, and the words the bot tells
people to type are trained on the intent they should reach (issue 7)."""

from __future__ import annotations

import collections
import re
from pathlib import Path
from typing import Counter, Dict, Set

import pytest
import yaml

DATA = Path("data/nlu")
LANGUAGES = ["es", "fr"]
INTENT_MINIMUM = 20
FAQ_MINIMUM = 10


def intents_in_domain() -> Set[str]:
    domain = yaml.safe_load(Path("domain.yml").read_text(encoding="utf-8"))
    names = {next(iter(i)) if isinstance(i, dict) else i for i in domain["intents"]}
    faq_topics = set()
    for path in Path("data/responses").glob("*.yml"):
        for name in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}:
            if name.startswith("utter_faq/"):
                faq_topics.add("faq/" + name.removeprefix("utter_faq/"))
    return (names - {"faq"}) | faq_topics


def examples_by_intent(language: str) -> Dict[str, Set[str]]:
    found: Dict[str, Set[str]] = collections.defaultdict(set)
    for path in sorted((DATA / language).glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line.strip()[2:])  # [Qatar](country)
                    found[block["intent"]].add(text.strip().lower())
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_intent_and_faq_topic_has_enough_examples(language: str) -> None:
    counts: Counter[str] = collections.Counter({k: len(v) for k, v in examples_by_intent(language).items()})
    short = {
        intent: counts[intent]
        for intent in sorted(intents_in_domain())
        if counts[intent] < (FAQ_MINIMUM if intent.startswith("faq/") else INTENT_MINIMUM)
    }
    assert not short, f"{language}: too few distinct training examples (intent: count): {short}"


# What locales/<lang>/*.yml tell people to type, and the intent that must understand it.
TOLD_TO_TYPE = {
    "es": {
        "ayuda ahora": "emergency",
        "línea de ayuda": "ask_helpline",
        "idioma": "change_language",
        "revisar mi oferta de trabajo": "check_job_offer",
        "estado": "check_report_status",
        "me voy pronto": "plan_checkins",
        "cambiar mis fechas": "plan_checkins",
        "pausar el seguimiento": "pause_checkins",
        "reanudar el seguimiento": "resume_checkins",
        "parar el seguimiento": "stop_checkins",
        "parar": "stop",
    },
    "fr": {
        "aide maintenant": "emergency",
        "numéro d'aide": "ask_helpline",
        "langue": "change_language",
        "vérifier mon offre d'emploi": "check_job_offer",
        "statut": "check_report_status",
        "parler à une personne": "request_human",
        "je pars bientôt": "plan_checkins",
        "changer mes dates": "plan_checkins",
        "mettre le suivi en pause": "pause_checkins",
        "reprendre le suivi": "resume_checkins",
        "arrêter le suivi": "stop_checkins",
        "stop": "stop",
    },
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_words_the_bot_tells_people_to_type_are_trained(language: str) -> None:
    examples = examples_by_intent(language)
    untrained = {phrase: intent for phrase, intent in TOLD_TO_TYPE[language].items() if phrase not in examples[intent]}
    assert not untrained, f"{language}: phrases the bot asks for are not training examples of their intent: {untrained}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_phrases_checked_are_the_ones_the_bot_uses(language: str) -> None:
    texts = " ".join(p.read_text(encoding="utf-8").lower() for p in Path("locales", language).glob("*.yml"))
    missing = [phrase for phrase in TOLD_TO_TYPE[language] if f'"{phrase}' not in texts.replace('\\"', '"')]
    assert not missing, f"{language}: no longer asked for in locales/{language}/ (update TOLD_TO_TYPE): {missing}"
