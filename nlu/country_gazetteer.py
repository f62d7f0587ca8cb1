"""Rasa component that marks `country` entities (ISO alpha-2 values) from names, aliases, cities and typos.

It is also a featurizer: "this token is a place" is a feature for the intent classifier, so a bare
"KSA" or "we're in Holland" reads as an answer giving a place even for names absent from training.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.country_names import CountryNames, load_country_names, normalise

logger = logging.getLogger(__name__)

SPACY_DOC = "text_spacy_doc"
ENTITY = "country"


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER,
        DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR,
    ],
    is_trainable=False,
)
class CountryGazetteer(SparseFeaturizer, GraphComponent, EntityExtractorMixin):
    """Finds countries in the spaCy tokens of a message; typos matched by edit distance."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            **SparseFeaturizer.get_default_config(),
            "languages": ["en"],
            # A token this common in a configured language is a word, not a typo of a place
            # ("child" is one letter from "chile", "stain" from "spain").
            "common_word_zipf": 2.5,
            "fuzzy_min_length": 5,
        }

    @classmethod
    def required_components(cls) -> List[type]:
        return [SpacyNLP]

    def __init__(self, config: Dict[str, Any]) -> None:
        super().__init__(self.__class__.__name__, config)
        self._names: Optional[CountryNames] = None
        self._fuzzy: Dict[Tuple[str, int], List[str]] = {}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CountryGazetteer:
        return cls(config)

    @property
    def names(self) -> CountryNames:
        if self._names is None:
            self._names = load_country_names(self._config["languages"])
            self._names.fuzzy_min_length = self._config["fuzzy_min_length"]
            self._fuzzy = self._names.fuzzy_candidates()
        return self._names

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        pass

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Features only: annotated training examples keep their own entities.
        for message in training_data.training_examples:
            self._add_features(message, self._find_in(message))
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            found = self._find_in(message)
            self._add_features(message, found)
            if not found:
                continue
            entities = [
                {
                    "entity": ENTITY,
                    "value": code,
                    "start": start,
                    "end": end,
                    "confidence_entity": confidence,
                    "processors": [],
                }
                for start, end, code, confidence in found
            ]
            entities = self.add_extractor_name(entities)
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages

    def _find_in(self, message: Message) -> List[Tuple[int, int, str, float]]:
        doc = message.get(SPACY_DOC)
        if doc is None:
            return []
        return self.find([(t.text, t.idx, any(ch.isalpha() for ch in t.text)) for t in doc])

    def _add_features(self, message: Message, found: List[Tuple[int, int, str, float]]) -> None:
        """Sequence: 1 on tokens inside a place name. Sentence: any place, share of place tokens."""
        tokens = message.get(TOKENS_NAMES[TEXT])
        if not tokens:
            return
        inside = np.array(
            [[float(any(t.start < end and t.end > start for start, end, _, _ in found)), 0.0] for t in tokens]
        )
        share = inside[:, 0].sum() / len(tokens)
        sentence = np.array([[1.0 if found else 0.0, share]])
        self.add_features_to_message(
            scipy.sparse.coo_matrix(inside), scipy.sparse.coo_matrix(sentence), TEXT, message
        )

    def find(self, tokens: Sequence[Tuple[str, int, bool]]) -> List[Tuple[int, int, str, float]]:
        """Return (start, end, code, confidence) for each country mention among (text, offset, is_word) tokens."""
        names = self.names
        found: List[Tuple[int, int, str, float]] = []
        i = 0
        while i < len(tokens):
            match = self._exact_at(tokens, i, names)
            if match is None or match[0] == 1:
                # "saudi arabai": a typo in the second word beats the exact "saudi" alone.
                fuzzy = self._fuzzy_at(tokens, i, min_length=2 if match else 1)
                match = fuzzy or match
            if match is None:
                i += 1
                continue
            length, code, confidence = match
            start = tokens[i][1]
            last = tokens[i + length - 1]
            found.append((start, last[1] + len(last[0]), code, confidence))
            i += length
        return found

    @staticmethod
    def _exact_at(
        tokens: Sequence[Tuple[str, int, bool]], i: int, names: CountryNames
    ) -> Optional[Tuple[int, str, float]]:
        text = tokens[i][0]
        if text in names.case_sensitive:
            return 1, names.case_sensitive[text], 1.0
        for length in range(min(names.max_words, len(tokens) - i), 0, -1):
            span = tokens[i : i + length]
            if not span[0][2] or not span[-1][2]:
                continue
            code = names.exact.get(normalise(" ".join(t[0] for t in span)))
            if code:
                return length, code, 1.0
        return None

    def _fuzzy_at(
        self, tokens: Sequence[Tuple[str, int, bool]], i: int, min_length: int = 1
    ) -> Optional[Tuple[int, str, float]]:
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein

        for length in range(2, min_length - 1, -1):
            span = tokens[i : i + length]
            if len(span) < length or not all(t[2] for t in span):
                continue
            words = [normalise(t[0]) for t in span]
            phrase = " ".join(words)
            if len(phrase.replace(" ", "")) < self._config["fuzzy_min_length"]:
                continue
            if not any(self._is_rare(w) for w in words):
                continue
            max_edits = 1 if len(phrase) <= 8 else 2
            best = process.extractOne(
                phrase,
                self._fuzzy.get((phrase[0], length), []),
                scorer=DamerauLevenshtein.distance,
                score_cutoff=max_edits,
            )
            if best is not None:
                candidate, distance, _ = best
                return length, self.names.exact[candidate], round(1.0 - distance / (len(candidate) + 1), 2)
        return None

    def _is_rare(self, word: str) -> bool:
        from wordfreq import zipf_frequency

        threshold = self._config["common_word_zipf"]
        return all(zipf_frequency(word, lang) < threshold for lang in self._config["languages"])
