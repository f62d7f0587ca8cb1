"""Emergency wins over any other reading of a message."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from nlu.emergency_priority import load_patterns, promote_emergency

PATTERNS = load_patterns(["en"])


def ranking(*pairs: Any) -> List[Dict[str, Any]]:
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


@pytest.mark.parametrize(
    "text",
    [
        "they locked us in the room",
        "we are being moved tonight in a van",
        "help me now please",
        "SOS",
        "he is beating my sister",
        "they said they will kill me",
        "i cant get out of the house",
        "im being taken across the border",
    ],
)
def test_danger_phrases_win_over_any_prediction(text: str) -> None:
    intent = {"name": "faq", "confidence": 0.9}
    promoted = promote_emergency(text, intent, ranking(("faq", 0.9), ("emergency", 0.01)), PATTERNS, 0.2)
    assert promoted is not None and promoted["name"] == "emergency"


def test_emergency_ranked_above_threshold_wins_over_fallback() -> None:
    intent = {"name": "nlu_fallback", "confidence": 0.45}
    ranks = ranking(("report_trafficking", 0.4), ("emergency", 0.3))
    promoted = promote_emergency("something vague", intent, ranks, PATTERNS, 0.2)
    assert promoted == {"name": "emergency", "confidence": 0.3}


@pytest.mark.parametrize(
    "text",
    [
        "what is trafficking",
        "is it normal to pay a fee for a job in dubai",
        "my son stopped answering his phone three weeks ago",
        "can you help us find a shelter",
    ],
)
def test_ordinary_messages_keep_their_intent(text: str) -> None:
    intent = {"name": "faq", "confidence": 0.8}
    assert promote_emergency(text, intent, ranking(("faq", 0.8), ("emergency", 0.05)), PATTERNS, 0.2) is None
