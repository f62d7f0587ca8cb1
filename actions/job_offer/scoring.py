"""Job-offer risk from red flags: a pure function with its weights in weights.yml beside it."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import yaml

WEIGHTS_FILE = Path(__file__).with_name("weights.yml")
RED_FLAGS = (
    "recruitment_fee", "document_retention", "wrong_visa", "unrealistic_pay", "no_contract",
    "vague_employer", "secrecy", "debt_bondage", "urgency_pressure", "online_stranger",
    "photo_request", "minor_targeted", "movement_restriction", "job_switch",
)


@dataclass(frozen=True)
class FlagInfo:
    weight: int
    critical: bool
    why: str
    todo: str
    source: str


@dataclass(frozen=True)
class Verdict:
    risk: str  # "low", "medium" or "high"
    score: int
    flags: List[str]


@functools.lru_cache(maxsize=1)
def load_weights(path: Path = WEIGHTS_FILE) -> Dict[str, Any]:
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    flags = {name: FlagInfo(**spec) for name, spec in content["flags"].items()}
    missing = set(RED_FLAGS) - set(flags)
    if missing:
        raise ValueError(f"weights.yml has no entry for {sorted(missing)}")
    return {"high": int(content["thresholds"]["high"]), "flags": flags}


def flag_info(flag: str) -> FlagInfo:
    return load_weights()["flags"][flag]


def score_offer(flags: Iterable[str], minor: Optional[bool] = False) -> Verdict:
    """Risk of an offer from its red flags (each counted once) and whether the worker is under 18."""
    weights = load_weights()
    found = [f for f in RED_FLAGS if f in set(flags)]
    if minor and "minor_targeted" not in found:
        found.append("minor_targeted")
    score = sum(weights["flags"][f].weight for f in found)
    if score >= weights["high"] or any(weights["flags"][f].critical for f in found):
        risk = "high"
    elif score > 0:
        risk = "medium"
    else:
        risk = "low"
    return Verdict(risk=risk, score=score, flags=found)
