"""Rasa component that marks `red_flag` entities in a pasted job advert or recruiter message.

Patterns live in `patterns/red_flags_<lang>.yml`, one file per language: for each flag, `match`
expressions that signal it within one sentence and `unless` expressions that, in the same sentence,
mean it is not a flag ("the employer pays all visa fees", "you keep your passport").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Pattern, Tuple

import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.tokens import Doc, Token

from nlu.config_only_component import ConfigOnlyComponent
from nlu.language_from_metadata import metadata_language
from nlu.red_flag_model import RedFlagModel, load_model

PATTERN_DIR = Path(__file__).parent / "patterns"
ENTITY = "red_flag"
SPACY_DOC = "text_spacy_doc"
MAX_CHARS = 4000


@dataclass(frozen=True)
class FlagRule:
    flag: str
    match: Tuple[Pattern[str], ...]
    unless: Tuple[Pattern[str], ...]


def load_rules(languages: List[str], directory: Path = PATTERN_DIR) -> List[FlagRule]:
    rules: List[FlagRule] = []
    for lang in languages:
        path = directory / f"red_flags_{lang}.yml"
        if not path.exists():
            continue
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        words = content.get("words") or {}
        for flag, spec in (content.get("flags") or {}).items():
            rules.append(
                FlagRule(
                    flag=flag,
                    match=_compile(spec.get("match", []), words),
                    unless=_compile(spec.get("unless", []), words),
                )
            )
    return rules


def _compile(patterns: List[str], words: Dict[str, str]) -> Tuple[Pattern[str], ...]:
    """Compile patterns; <<name>> stands for the `words:` entry of that name (currencies, bosses...).

    A `words:` entry may itself use other entries (an amount is a number next to a currency).
    """

    def expand(match: re.Match[str]) -> str:
        return f"(?:{words[match.group(1)]})"

    def expand_all(pattern: str) -> str:
        for _ in range(len(words) + 1):
            expanded = re.sub(r"<<(\w+)>>", expand, pattern)
            if expanded == pattern:
                return pattern
            pattern = expanded
        raise ValueError(f"words refer to each other in a loop: {pattern[:80]}")

    return tuple(re.compile(expand_all(p), re.IGNORECASE) for p in patterns)


_CLAUSE_END = {".", "!", "?", ";", "•", "✅", "✔", "✔️", "➡️", "👉", "🔥", "📌", "⭐", "⏰", "📍", "🚨"}
_BULLET_START = re.compile(r"^\s*([-*•–]|\d+[.)]|[^\w\s\"'(])")
# A pasted chat: each turn starts with its speaker ("me:", "him:", "Recruiter:", "Ate Joy:").
_SPEAKER_START = re.compile(r"^\s*[\w'’.-]+( [\w'’.-]+){0,2}\s?:\s")


def _hard_line_break(text: str, newline_at: int) -> bool:
    """A line break ends a claim unless it only wraps a long sentence onto the next line.

    A next line that starts with a bullet or a speaker's name ("me: ...") always starts a new claim.
    """
    line_start = text.rfind("\n", 0, newline_at) + 1
    line = text[line_start:newline_at].rstrip()
    following = text[newline_at + 1 :].lstrip(" \t")
    if not line or not following or following.startswith("\n"):
        return True
    return bool(
        line[-1] in ".!?:;" or len(line) < 60 or _BULLET_START.match(following) or _SPEAKER_START.match(following)
    )


def _is_topic_question(doc: Doc, start: int, mark: Token) -> bool:
    """A one- or two-word question on the same line as its answer heads it: "Contract? no need"."""
    if mark.text != "?" or "\n" in mark.whitespace_ or mark.i + 1 >= len(doc):
        return False
    if "\n" in doc[mark.i + 1].text:
        return False
    words = [t for t in doc[: mark.i] if t.idx >= start and not (t.is_space or t.is_punct)]
    return 0 < len(words) <= 2


def split_sentences(doc: Doc) -> List[Tuple[int, int]]:
    """Claims of an advert from spaCy tokens: sentence ends, bullets and line breaks (not soft wraps)."""
    text = doc.text
    spans: List[Tuple[int, int]] = []
    start: Optional[int] = None
    for token in doc:
        newline_here = token.is_space and "\n" in token.text
        if newline_here and not _hard_line_break(text, token.idx + token.text.index("\n")):
            continue
        if newline_here or token.text in _CLAUSE_END:
            if start is not None and not newline_here and _is_topic_question(doc, start, token):
                continue
            if start is not None:
                spans.append((start, token.idx if newline_here else token.idx + len(token.text)))
                start = None
            continue
        if start is None:
            start = token.idx
        newline_after = token.idx + len(token.text) + token.whitespace_.find("\n")
        if "\n" in token.whitespace_ and _hard_line_break(text, newline_after):
            spans.append((start, token.idx + len(token.text)))
            start = None
    if start is not None:
        spans.append((start, len(text)))
    return spans


def scan(doc: Doc, rules: List[FlagRule]) -> List[Dict[str, Any]]:
    """Return one entity dict per (flag, sentence) found, with character offsets."""
    text = doc.text[:MAX_CHARS]
    found: List[Dict[str, Any]] = []
    sentences = [(s, min(e, len(text))) for s, e in split_sentences(doc) if s < len(text)]
    for rule in rules:
        for start, end in sentences:
            sentence = text[start:end]
            hit = _first_match(sentence, rule.match)
            if hit is None or any(p.search(sentence) for p in rule.unless):
                continue
            found.append(
                {
                    "entity": ENTITY,
                    "value": rule.flag,
                    "start": start + hit[0],
                    "end": start + hit[1],
                    "confidence_entity": 1.0,
                }
            )
    found.sort(key=lambda e: (e["start"], e["value"]))
    return found


def scan_with_model(
    doc: Doc, rules: List[FlagRule], language: str, model: Optional[RedFlagModel]
) -> List[Dict[str, Any]]:
    """`scan`, then the learned second opinion for a pasted English advert (nlu/red_flag_model.py)."""
    found = scan(doc, rules)
    return found if model is None else blend(doc, language, found, model)


def blend(doc: Doc, language: str, found: List[Dict[str, Any]], model: RedFlagModel) -> List[Dict[str, Any]]:
    """The patterns' entities `found` in `doc` after the model's veto and additions."""
    return model.blend(doc.text[:MAX_CHARS], language, found, claim_spans(doc))


def claim_spans(doc: Doc) -> List[Tuple[int, int]]:
    """The sentences of `doc` in its first MAX_CHARS characters: what the claim model reads one at a time."""
    length = min(len(doc.text), MAX_CHARS)
    return [(s, min(e, length)) for s, e in split_sentences(doc) if s < length]


def _first_match(sentence: str, patterns: Tuple[Pattern[str], ...]) -> Optional[Tuple[int, int]]:
    for pattern in patterns:
        match = pattern.search(sentence)
        if match:
            return match.start(), match.end()
    return None


# Intents a pasted advert is often mistaken for. A short general question keeps its faq
# intent; a long text or one with several flags is an advert or a described offer.
REROUTE_FROM = ("nlu_fallback", "out_of_scope", "inform")
ADVERT_CHARS = 200


def reads_as_job_check(intent: Optional[str], flags: List[Dict[str, Any]], text: str) -> bool:
    """Whether a message with red flags should be treated as `check_job_offer` instead of `intent`."""
    if not flags:
        return False
    several = len({f["value"] for f in flags}) >= 2 or len(text) > ADVERT_CHARS
    return intent in REROUTE_FROM or (intent == "faq" and several)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class RedFlagScanner(ConfigOnlyComponent, EntityExtractorMixin):
    """Finds job-offer red flags; a message with flags that the classifier could not place is a job check."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"languages": ["en"], "model": True}

    def __init__(self, config: Dict[str, Any]) -> None:
        super().__init__(config)
        self._rules: Optional[List[FlagRule]] = None

    @property
    def rules(self) -> List[FlagRule]:
        if self._rules is None:
            self._rules = load_rules(self._config["languages"])
        return self._rules

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            doc = message.get(SPACY_DOC)
            if doc is None:
                continue
            language = metadata_language(message.get("metadata")) or "en"
            model = load_model() if self._config.get("model", True) else None
            found = scan(doc, self.rules)
            flags = found if model is None else blend(doc, language, found, model)
            if flags:
                message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(flags), add_to_output=True)
            # An advert stays a job check when the second opinion drops every flag the patterns saw in it:
            # its questions then ask what the flags would have answered.
            intent = message.get(INTENT) or {}
            if reads_as_job_check(intent.get("name"), flags or found, message.get(TEXT) or ""):
                message.set(
                    INTENT, {"name": "check_job_offer", "confidence": intent.get("confidence", 0.0)}, add_to_output=True
                )
        return messages
