"""A second opinion on the red-flag patterns for pasted adverts: two sets of logistic regressions.

The patterns (`red_flag_scanner.py`) read one claim at a time; on adverts nobody tuned them on they
miss phrasings and fire on harmless ones. Two learned models give each flag a probability from word
unigrams and bigrams (TF-IDF): the *advert* model reads the whole advert, the *claim* model one
sentence at a time (it learned from the phrases annotators marked as evidence of each flag). For a
text of at least `min_chars` characters (a pasted advert, not a chat answer) in one of `languages`
(English, Spanish, French), `blend` then

- drops a pattern's flag the advert model gives less than `veto_below` (a harmless clause that matched)
  in a language of `veto_languages` (English: the Spanish and French patterns rarely fire wrongly,
  and vetoing them dropped more true flags than false ones),
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
from typing import Any, Dict, List, Optional, Sequence, Tuple

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
class RedFlagModel:
    languages: Tuple[str, ...]
    min_chars: int
    veto_below: float
    veto_languages: Tuple[str, ...]
    add_from: float
    claim_from: float
    advert: LinearTextModel
    claim: LinearTextModel

    def probabilities(self, text: str) -> Dict[str, float]:
        """The advert model's probability of each flag for the whole of `text`."""
        return self.advert.probabilities(text)

    def applies_to(self, text: str, language: str) -> bool:
        return language in self.languages and len(text.strip()) >= self.min_chars

    def blend(
        self, text: str, language: str, entities: List[Dict[str, Any]], claims: Sequence[Tuple[int, int]]
    ) -> List[Dict[str, Any]]:
        """The patterns' `entities` for `text`, less the flags vetoed and plus the flags added."""
        if not self.applies_to(text, language):
            return entities
        probs = self.probabilities(text)
        veto = self.veto_below if language in self.veto_languages else 0.0
        kept = [e for e in entities if probs.get(e["value"], 1.0) >= veto]
        found = {e["value"] for e in entities}
        to_add = [flag for flag, p in probs.items() if p >= self.add_from and flag not in found]
        if not to_add or not claims:
            return sorted(kept, key=lambda e: (e["start"], e["value"]))
        by_claim = [(claim, self.claim.probabilities(text[claim[0] : claim[1]])) for claim in claims]
        added = []
        for flag in to_add:
            (start, end), claim_probs = max(by_claim, key=lambda item: item[1][flag])
            if claim_probs[flag] >= self.claim_from:
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


def linear_from_dict(content: Dict[str, Any]) -> LinearTextModel:
    return LinearTextModel(
        index={term: i for i, term in enumerate(content["vocabulary"])},
        idf=tuple(content["idf"]),
        weights={
            flag: (float(spec["intercept"]), tuple(float(w) for w in spec["coef"]))
            for flag, spec in content["flags"].items()
        },
    )


def from_dict(content: Dict[str, Any]) -> RedFlagModel:
    return RedFlagModel(
        languages=tuple(content["languages"]),
        min_chars=int(content["min_chars"]),
        veto_below=float(content["veto_below"]),
        veto_languages=tuple(content["veto_languages"]),
        add_from=float(content["add_from"]),
        claim_from=float(content["claim_from"]),
        advert=linear_from_dict(content["advert"]),
        claim=linear_from_dict(content["claim"]),
    )


@functools.lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> Optional[RedFlagModel]:
    """The committed model, or None when the file is absent (the patterns then work alone)."""
    if not path.exists():
        return None
    return from_dict(json.loads(path.read_text(encoding="utf-8")))
