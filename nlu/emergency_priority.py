"""Rasa component that makes `emergency` win over any other reading of a message.

Runs after the classifiers (and the fallback classifier): a message becomes `emergency` when a
danger phrase matches, or when the classifier ranks `emergency` above a low threshold.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Pattern

import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.config_only_component import ConfigOnlyComponent

PATTERN_DIR = Path(__file__).parent / "patterns"
EMERGENCY = "emergency"


def load_patterns(languages: List[str], directory: Path = PATTERN_DIR) -> List[Pattern[str]]:
    """Compile the danger phrases of each language's `emergency_<lang>.yml`."""
    compiled: List[Pattern[str]] = []
    for lang in languages:
        path = directory / f"emergency_{lang}.yml"
        if path.exists():
            content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            compiled.extend(re.compile(p, re.IGNORECASE) for p in content.get("patterns", []))
    return compiled


def promote_emergency(
    text: str,
    intent: Optional[Dict[str, Any]],
    ranking: List[Dict[str, Any]],
    patterns: List[Pattern[str]],
    threshold: float,
) -> Optional[Dict[str, Any]]:
    """Return the emergency intent to use instead of `intent`, or None to keep it."""
    if intent and intent.get("name") == EMERGENCY:
        return None
    if any(p.search(text) for p in patterns):
        # A rule match is certain by construction, whatever the classifier's score.
        return {"name": EMERGENCY, "confidence": 1.0}
    for entry in ranking:
        if entry["name"] == EMERGENCY and entry["confidence"] >= threshold:
            return {"name": EMERGENCY, "confidence": entry["confidence"]}
    return None


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class EmergencyPriority(ConfigOnlyComponent):
    """Overrides the predicted intent with `emergency` when danger is likely."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"languages": ["en"], "threshold": 0.2}

    def __init__(self, config: Dict[str, Any]) -> None:
        super().__init__(config)
        self._patterns: Optional[List[Pattern[str]]] = None

    @property
    def patterns(self) -> List[Pattern[str]]:
        if self._patterns is None:
            self._patterns = load_patterns(self._config["languages"])
        return self._patterns

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            ranking = message.get(INTENT_RANKING_KEY) or []
            new_intent = promote_emergency(
                text, message.get(INTENT), ranking, self.patterns, self._config["threshold"]
            )
            if new_intent is None:
                continue
            message.set(INTENT, new_intent, add_to_output=True)
            reordered = [new_intent] + [r for r in ranking if r["name"] != EMERGENCY]
            message.set(INTENT_RANKING_KEY, reordered, add_to_output=True)
        return messages
