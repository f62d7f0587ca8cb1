"""Score the red-flag scanner and the verdict on a labelled set of job adverts. Prints tables.

`make eval-offers` runs it on tests/job_offers/holdout.yml (never tuned on), then on the
development sets the patterns were tuned on. An ad with a `language` field (es, fr) is scanned with
that language's tokenizer and patterns; the others with `--language`. `--rules en,es,fr` loads the
patterns of all those languages for every ad, as the pipeline in config.yml does (code-mixed adverts
then meet the Spanish and French patterns too). Run in the Rasa environment.
"""

from __future__ import annotations

import argparse
import collections
import functools
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

import spacy
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from actions.job_offer.scoring import RED_FLAGS, score_offer  # noqa: E402
from nlu.red_flag_model import load_model  # noqa: E402
from nlu.red_flag_scanner import FlagRule, load_rules, scan_with_model  # noqa: E402


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="+")
    parser.add_argument("--language", default="en")
    parser.add_argument("--rules", help="languages whose patterns scan every ad, e.g. en,es,fr")
    parser.add_argument("--patterns-only", action="store_true", help="without the learned second opinion")
    parser.add_argument("--show-errors", action="store_true", help="print each ad's missed and extra flags")
    args = parser.parse_args(argv)
    for path in args.files:
        ads = yaml.safe_load(Path(path).read_text(encoding="utf-8"))["ads"]
        evaluate(path, ads, args.language, args.show_errors, args.rules, not args.patterns_only)
    return 0


@functools.cache
def scanner_for(language: str, rules: Optional[str] = None) -> Tuple[Any, List[FlagRule]]:
    """A blank spaCy tokenizer of one language and the red-flag rules of it (or of `rules`)."""
    return spacy.blank(language), load_rules(rules.split(",") if rules else [language])


def evaluate(
    path: str,
    ads: List[Dict],
    default_language: str,
    show_errors: bool,
    rules: Optional[str] = None,
    model: bool = True,
) -> None:
    tp: Dict[str, int] = collections.Counter()
    fp: Dict[str, int] = collections.Counter()
    fn: Dict[str, int] = collections.Counter()
    verdicts = collections.Counter()
    correct_risk = 0
    for ad in ads:
        gold: Set[str] = set(ad.get("flags") or [])
        language = ad.get("language", default_language)
        nlp, flag_rules = scanner_for(language, rules)
        second_opinion = load_model() if model else None
        found = {e["value"] for e in scan_with_model(nlp(ad["text"]), flag_rules, language, second_opinion)}
        for flag in RED_FLAGS:
            tp[flag] += flag in gold and flag in found
            fp[flag] += flag not in gold and flag in found
            fn[flag] += flag in gold and flag not in found
        risk = score_offer(found).risk
        verdicts[(ad["label"], risk)] += 1
        correct_risk += risk == ad["expected_risk"]
        if show_errors and (gold != found):
            print(f"  {ad['id']} ({ad['label']}, {risk}): missed {sorted(gold - found)} extra {sorted(found - gold)}")

    print(f"\n## {path}: {len(ads)} adverts ({'patterns and learned second opinion' if model else 'patterns only'})\n")
    print("| flag | precision | recall | F1 | gold |")
    print("|---|---:|---:|---:|---:|")
    for flag in RED_FLAGS:
        p = tp[flag] / (tp[flag] + fp[flag]) if tp[flag] + fp[flag] else 0.0
        r = tp[flag] / (tp[flag] + fn[flag]) if tp[flag] + fn[flag] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"| {flag} | {p:.2f} | {r:.2f} | {f1:.2f} | {tp[flag] + fn[flag]} |")
    all_tp, all_fp, all_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    micro_p = all_tp / (all_tp + all_fp) if all_tp + all_fp else 0.0
    micro_r = all_tp / (all_tp + all_fn) if all_tp + all_fn else 0.0
    micro_f1 = 2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0
    legit = sum(v for (label, _), v in verdicts.items() if label == "legitimate")
    bad = sum(v for (label, _), v in verdicts.items() if label == "exploitative")
    bad_flagged = verdicts[("exploitative", "medium")] + verdicts[("exploitative", "high")]
    print()
    print("| summary | value | target |")
    print("|---|---:|---:|")
    print(f"| flag micro-precision | {micro_p:.3f} | |")
    print(f"| flag micro-recall | {micro_r:.3f} | |")
    print(f"| flag micro-F1 | {micro_f1:.3f} ({all_tp} found, {all_fp} wrong, {all_fn} missed) | ≥ 0.85 |")
    print(f"| verdict accuracy (expected risk) | {correct_risk / len(ads):.3f} | |")
    print(f"| legitimate ads rated high | {verdicts[('legitimate', 'high')]}/{legit} | 0 |")
    print(f"| exploitative ads rated medium or high | {bad_flagged}/{bad} ({bad_flagged / max(bad, 1):.3f}) | ≥ 0.95 |")
    print("\n| label | low | medium | high |")
    print("|---|---:|---:|---:|")
    for label in ("legitimate", "exploitative"):
        row = " | ".join(str(verdicts[(label, risk)]) for risk in ("low", "medium", "high"))
        print(f"| {label} | {row} |")


if __name__ == "__main__":
    sys.exit(main())
