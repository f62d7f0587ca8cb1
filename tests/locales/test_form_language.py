"""A form never mixes languages: with a form active the gateway's language does not change the
slot, so every question of the form comes in one language; an explicit switch does change it,
and the form asks its current question again in the new language (data/rules/language.yml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from rasa.core.actions.action import ActionExtractSlots
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

DOMAIN = Domain.load(["domain.yml", "data/responses"])


async def language_after(intent: str, language: str, form: Optional[str]) -> Optional[str]:
    events: List[Event] = [ActiveLoop(form)] if form else []
    entities: List[Dict[str, Any]] = [{"entity": "language", "value": language}]
    events.append(UserUttered("…", intent={"name": intent, "confidence": 1.0}, entities=entities))
    tracker = DialogueStateTracker.from_events("t", events, slots=DOMAIN.slots)
    result = await ActionExtractSlots(None).run(
        CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(DOMAIN.responses), tracker, DOMAIN
    )
    values = [e.value for e in result if isinstance(e, SlotSet) and e.key == "language"]
    return values[-1] if values else None


async def test_outside_a_form_the_gateways_language_sets_the_slot() -> None:
    assert await language_after("greet", "es", form=None) == "es"


async def test_inside_a_form_it_does_not() -> None:
    for form in DOMAIN.form_names:
        assert await language_after("inform", "fr", form=form) is None, form


async def test_an_explicit_switch_does() -> None:
    assert await language_after("change_language", "fr", form="report_form") == "fr"


def test_every_form_asks_its_question_again_after_a_switch() -> None:
    rules = yaml.safe_load(Path("data/rules/language.yml").read_text(encoding="utf-8"))["rules"]
    asked_again = {
        rule["condition"][0]["active_loop"]
        for rule in rules
        if rule.get("condition") and {"action": "action_change_language"} in rule["steps"]
        and {"action": rule["condition"][0]["active_loop"]} in rule["steps"]
    }
    assert asked_again == set(DOMAIN.form_names)
