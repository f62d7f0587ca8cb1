"""A second opinion on the red-flag patterns for pasted adverts: two sets of logistic regressions.

The patterns (`red_flag_scanner.py`) read one claim at a time; on adverts nobody tuned them on they
miss phrasings and fire on harmless ones. Two learned models give each flag a probability from word
unigrams and bigrams (TF-IDF): the *advert* model reads the whole advert, the *claim* model one
sentence at a time (it learned from the phrases annotators marked as evidence of each flag). For a
text of at least `min_chars` characters (a pasted advert, not a chat answer) in one of `languages`
(English, Spanish, French), `blend` then (by `BlendRule.decide`)

- drops a pattern's flag the advert model gives less than the text's language's `veto_below` (a
  harmless clause that matched): 0.15 in English, 0.10 in Spanish and French, whose models learned
  from fewer adverts (at 0.15 the veto there dropped true flags as well as false ones),
- adds a flag the patterns missed when the advert model gives it `add_from` or more and one claim
  gets `claim_from` or more from the claim model; the flag is marked on that claim.

Shorter texts and other languages keep the patterns' flags unchanged. The weights are in
`patterns/red_flags_model.json`, written by `scripts/train_red_flag_model.py` from the labelled
development adverts in `tests/job_offers/dev*.yml`
(never from the held-out sets); `docs/job-offer-check.md` says how the thresholds were chosen.
Inference is plain Python (no scikit-learn at run time) and reproduces scikit-learn's
`TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)` exactly.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import AbstractSet, Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Sequence, Set, Tuple

MODEL_FILE = Path(__file__).parent / "patterns" / "red_flags_model.json"
TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern


def ngrams(text: str) -> List[str]:
    words = TOKEN.findall(text.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


@dataclass(frozen=True)
class LinearTextModel:
    """TF-IDF of word unigrams and bigrams, then one logistic regression per flag."""

    index: Dict[str, int]
    idf: Tuple[float, ...]
    weights: Dict[str, Tuple[float, Tuple[float, ...]]]  # flag -> (intercept, coefficient of each term)

    def probabilities(self, text: str) -> Dict[str, float]:
        """Probability of each flag for `text`, as scikit-learn's pipeline would give it."""
        counts = Counter(self.index[g] for g in ngrams(text) if g in self.index)
        vector = {i: (1.0 + math.log(n)) * self.idf[i] for i, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        result = {}
        for flag, (intercept, coef) in self.weights.items():
            z = intercept + sum(coef[i] * v for i, v in vector.items()) / norm
            result[flag] = 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0
        return result


@dataclass(frozen=True)
class BlendRule:
    """When and how the second opinion changes the patterns' flags: a pure decision on probabilities.

    The deployed thresholds are in the weight file; `bench/offer_model_blind.py` scores other rules
    with this same decision on blind predictions.
    """

    languages: Tuple[str, ...]
    min_chars: int
    veto_below: Tuple[Tuple[str, float], ...]  # (language, threshold); a language not listed is never vetoed
    add_from: float
    claim_from: float
    never_vetoed: FrozenSet[str] = frozenset()

    def applies_to(self, text: str, language: str) -> bool:
        return language in self.languages and len(text.strip()) >= self.min_chars

    def decide(
        self, language: str, found: AbstractSet[str], advert: Mapping[str, float], best_claim: Callable[[str], float]
    ) -> Tuple[Set[str], Set[str]]:
        """(the patterns' flags kept, the flags added) for a text this rule applies to.

        `advert` is the advert model's probability of each flag; `best_claim(flag)` the highest
        probability the claim model gives the flag on any one sentence (asked only for candidates).
        """
        veto = dict(self.veto_below).get(language, 0.0)
        kept = {f for f in found if advert.get(f, 1.0) >= veto or f in self.never_vetoed}
        added = {
            f for f, p in advert.items() if p >= self.add_from and f not in found and best_claim(f) >= self.claim_from
        }
        return kept, added


@dataclass(frozen=True)
class RedFlagModel:
    rule: BlendRule
    advert: LinearTextModel
    claim: LinearTextModel

    def probabilities(self, text: str) -> Dict[str, float]:
        """The advert model's probability of each flag for the whole of `text`."""
        return self.advert.probabilities(text)

    def blend(
        self, text: str, language: str, entities: List[Dict[str, Any]], claims: Sequence[Tuple[int, int]]
    ) -> List[Dict[str, Any]]:
        """The patterns' `entities` for `text`, less the flags vetoed and plus the flags added."""
        if not self.rule.applies_to(text, language):
            return entities
        by_claim: List[Tuple[Tuple[int, int], Dict[str, float]]] = []

        def best_claim(flag: str) -> float:
            if not by_claim:  # the claim model runs only when the advert model proposes a flag
                by_claim.extend((claim, self.claim.probabilities(text[claim[0] : claim[1]])) for claim in claims)
            return max((probs[flag] for _, probs in by_claim), default=0.0)

        kept_flags, added_flags = self.rule.decide(
            language, {e["value"] for e in entities}, self.probabilities(text), best_claim
        )
        kept = [e for e in entities if e["value"] in kept_flags]
        added = []
        for flag in sorted(added_flags):
            (start, end), claim_probs = max(by_claim, key=lambda item: item[1][flag])
            added.append(
                {
                    "entity": "red_flag",
                    "value": flag,
                    "start": start,
                    "end": end,
                    "confidence_entity": round(claim_probs[flag], 3),
                }
            )
        return sorted(kept + added, key=lambda e: (e["start"], e["value"]))


def rule_from(settings: Mapping[str, Any]) -> BlendRule:
    """The blend rule of a weight file's (or the training script's) settings."""
    return BlendRule(
        languages=tuple(settings["languages"]),
        min_chars=int(settings["min_chars"]),
        veto_below=tuple(sorted((language, float(v)) for language, v in settings["veto_below"].items())),
        add_from=float(settings["add_from"]),
        claim_from=float(settings["claim_from"]),
    )


def linear_from_dict(content: Dict[str, Any]) -> LinearTextModel:
    return LinearTextModel(
        index={term: i for i, term in enumerate(content["vocabulary"])},
        idf=tuple(content["idf"]),
        weights={
            flag: (float(spec["intercept"]), tuple(w / 1000 for w in spec["coef_thousandths"]))
            for flag, spec in content["flags"].items()
        },
    )


def from_dict(content: Dict[str, Any]) -> RedFlagModel:
    return RedFlagModel(
        rule=rule_from(content),
        advert=linear_from_dict(content["advert"]),
        claim=linear_from_dict(content["claim"]),
    )


@functools.lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> Optional[RedFlagModel]:
    """The committed model, or None when the file is absent (the patterns then work alone)."""
    if not path.exists():
        return None
    return from_dict(json.loads(path.read_text(encoding="utf-8")))
