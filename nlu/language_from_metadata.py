"""Rasa component that passes the gateway's language choice on as a `language` entity.

The gateway decides each conversation's language (bot/language.py) and sends it in the message
metadata. As an entity it fills the `language` slot through the domain's slot mapping, which
Rasa applies before it predicts anything: every response of the turn is chosen in that language.
The mapping only applies with no form active, so a form never changes language half-way
(an explicit `change_language` still does, and the form asks its question again).
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message

from nlu.config_only_component import ConfigOnlyComponent

LANGUAGE = "language"


def metadata_language(metadata: Any) -> str:
    """The gateway's language code in message metadata ("es-AR" -> "es"), or "" when there is none."""
    if not isinstance(metadata, dict):
        return ""
    return str(metadata.get(LANGUAGE) or "").split("-")[0].lower()


def language_entity(metadata: Any, supported: List[str]) -> Dict[str, Any] | None:
    """The entity for a supported `metadata["language"]`, or None."""
    value = metadata_language(metadata)
    if value not in supported:
        return None
    return {"entity": LANGUAGE, "value": value, "start": 0, "end": 0, "extractor": "LanguageFromMetadata"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageFromMetadata(ConfigOnlyComponent):
    """Adds the metadata's language as an entity (messages without one are left alone)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"languages": ["en"]}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entity = language_entity(message.get("metadata"), self._config["languages"])
            if entity is None:
                continue
            entities = [e for e in message.get(ENTITIES, []) if e.get("entity") != LANGUAGE]
            message.set(ENTITIES, entities + [entity], add_to_output=True)
        return messages
