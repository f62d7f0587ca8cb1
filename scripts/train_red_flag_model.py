"""Train the red-flag second opinion (nlu/red_flag_model.py) on the labelled development adverts.

Writes nlu/patterns/red_flags_model.json: for the advert model and the claim model, the vocabulary,
IDF weights and one logistic regression per flag, with the digests of the files it learned from (a
test checks they still match). The advert model learns from each advert's `flags`; the claim model
from the sentences of the adverts (English, Spanish, French), a sentence being an example of a flag
when it overlaps a phrase of the advert's `evidence` for that flag (adverts without `evidence` give no
claims, unless they have no flags at all). Trained only on tests/job_offers/dev*.yml, never on the
held-out sets. Deterministic: the same files give the same
model. Run in the Rasa environment (scikit-learn comes with Rasa):

    .venv/rasa/bin/python scripts/train_red_flag_model.py        # or: make red-flag-model
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

import spacy
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.job_offer.scoring import RED_FLAGS  # noqa: E402
from nlu.red_flag_model import MODEL_FILE, TOKEN  # noqa: E402
from nlu.red_flag_scanner import claim_spans  # noqa: E402

# Chosen on blind predictions (docs/job-offer-check.md, "Second opinion"): never on the held-out sets.
SETTINGS: Dict[str, Any] = {
    "languages": ["en", "es", "fr"],
    "min_chars": 200,
    "veto_below": {"en": 0.15, "es": 0.10, "fr": 0.10},
    "add_from": 0.4,
    "claim_from": 0.6,
}
C = 16.0


def training_files() -> List[Path]:
    return sorted((ROOT / "tests" / "job_offers").glob("dev*.yml"))


def digests(files: List[Path]) -> Dict[str, str]:
    return {f.relative_to(ROOT).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def load_ads(files: List[Path]) -> List[Dict[str, Any]]:
    return [ad for f in files for ad in yaml.safe_load(f.read_text(encoding="utf-8"))["ads"]]


def new_vectorizer() -> Any:
    """The features nlu/red_flag_model.py reproduces: word unigrams and bigrams, sublinear TF-IDF."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(token_pattern=TOKEN.pattern, ngram_range=(1, 2), min_df=2, sublinear_tf=True)


def new_classifier(c: float = C) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, class_weight="balanced", max_iter=5000)


@functools.lru_cache(maxsize=1)
def english() -> Any:
    return spacy.blank("en")


def claims_of(text: str) -> List[Tuple[int, int]]:
    """The sentences the scanner hands the claim model (the pipeline tokenizes every language as English)."""
    return claim_spans(english()(text))


def claim_examples(ads: List[Dict[str, Any]]) -> Tuple[List[str], List[Set[str]]]:
    """Each sentence of the adverts with evidence (or no flags), and the flags it shows."""
    sentences: List[str] = []
    labels: List[Set[str]] = []
    for ad in ads:
        if ad.get("language", "en") not in SETTINGS["languages"] or (ad.get("flags") and not ad.get("evidence")):
            continue
        text = ad["text"]
        spans = [
            (flag, k, k + len(phrase))
            for flag, phrases in (ad.get("evidence") or {}).items()
            for phrase in phrases
            if (k := text.find(phrase)) >= 0
        ]
        for start, end in claims_of(text):
            sentences.append(text[start:end])
            labels.append({flag for flag, s, e in spans if s < end and e > start})
    return sentences, labels


def fit_models(texts: List[str], labels: List[Set[str]], c: float = C) -> Tuple[Any, Dict[str, Any]]:
    """A fitted vectorizer and one fitted logistic regression per flag (scikit-learn objects)."""
    vectorizer = new_vectorizer()
    x = vectorizer.fit_transform(texts)
    return vectorizer, {flag: new_classifier(c).fit(x, [flag in found for found in labels]) for flag in RED_FLAGS}


def fit(texts: List[str], labels: List[Set[str]], c: float = C) -> Dict[str, Any]:
    """`fit_models` as plain lists for nlu/red_flag_model.py."""
    vectorizer, models = fit_models(texts, labels, c)
    return {
        "vocabulary": vectorizer.get_feature_names_out().tolist(),
        "idf": [round(float(v), 3) for v in vectorizer.idf_],
        "flags": {
            flag: {
                "intercept": round(float(model.intercept_[0]), 3),
                # In thousandths, as integers: the same weights as round(w, 3) in 40 % less text.
                "coef_thousandths": [round(float(w) * 1000) for w in model.coef_[0]],
            }
            for flag, model in models.items()
        },
    }


def train(ads: List[Dict[str, Any]], c: float = C) -> Dict[str, Any]:
    return {
        "advert": fit([ad["text"] for ad in ads], [set(ad.get("flags") or []) for ad in ads], c),
        "claim": fit(*claim_examples(ads), c),
    }


def build(files: Optional[List[Path]] = None) -> Dict[str, Any]:
    files = files or training_files()
    ads = load_ads(files)
    return {
        "about": "Second opinion on the red-flag patterns; see nlu/red_flag_model.py. Generated by "
        "scripts/train_red_flag_model.py: do not edit by hand.",
        **SETTINGS,
        "C": C,
        "trained_on": digests(files),
        "adverts": len(ads),
        **train(ads),
    }


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=MODEL_FILE)
    args = parser.parse_args(argv)
    content = build()
    args.output.write_text(json.dumps(content, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    advert, claim = content["advert"], content["claim"]
    terms = f"{len(advert['vocabulary'])} terms; claim model {len(claim['vocabulary'])} terms"
    print(f"{args.output}: {content['adverts']} adverts, {terms}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
