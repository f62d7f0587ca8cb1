"""How the red-flag second opinion's thresholds were chosen: on blind predictions, never on held-out sets.

Each development round of issue 6 added adverts in a commit of their own, before the patterns were
tuned on them. Checked out at that commit, the scanner's output on that round's adverts is what the
patterns do on adverts nobody tuned them on. This script

1. runs the scanner of each such commit (from `git archive`) on its round's adverts;
2. gives every development advert the models' probabilities out of fold: advert and claim models
   trained on all the other dev files (scripts/train_red_flag_model.py's features, examples and C);
   for the claim model, the highest probability any of the advert's sentences gets;
3. prints, for a grid of thresholds, flag micro-F1 and verdicts of the patterns alone and blended
   (English, Spanish and French adverts of at least `min_chars` characters), then the Spanish and
   French veto on its own, then each language under a few rules.

Needs the git history (a clone, not an archive). Run in the Rasa environment:

    .venv/rasa/bin/python bench/offer_model_blind.py          # or: make eval-offers-blind
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.job_offer.scoring import score_offer  # noqa: E402
from nlu.red_flag_model import BlendRule, rule_from  # noqa: E402
from scripts.train_red_flag_model import (  # noqa: E402
    SETTINGS,
    C,
    claim_examples,
    claims_of,
    fit_models,
    load_ads,
)

# The commit that added each round's adverts (and nothing else) -> the dev files of that round.
BLIND_ROUNDS = {
    "9f6fd95": ["dev7", "dev8"],
    "ef7e3c5": ["dev9"],
    "54ce697": ["dev10", "dev11", "dev12"],
    "17389b0": ["dev13", "dev14"],
    "eb231a3": ["dev15", "dev16", "dev17"],
    "5cb0bf2": ["dev18", "dev19"],
    "f348f95": ["dev20"],
    "25d249a": ["dev21"],
    "58de260": ["dev22"],
    "7e5450b": ["dev23"],
    "ede3319": ["dev24"],
    "fb58385": ["dev25"],
    "72570a7": ["dev26"],
    "75923f5": ["dev27"],
    "f70fce4": ["dev28"],
    "526e6cc": ["dev29"],
    "89a67e4": ["dev30"],
    "b18df9d": ["dev31"],
    "9798f11": ["dev32"],
    "f4dc6a3": ["dev33", "dev34"],
}
CRITICAL = frozenset({"document_retention", "secrecy", "minor_targeted", "movement_restriction"})
NONE: frozenset = frozenset()
DEPLOYED = rule_from(SETTINGS)
PATTERNS_ALONE = replace(DEPLOYED, languages=())


def veto(english: float, spanish_french: float = dict(DEPLOYED.veto_below)["es"]) -> Tuple[Tuple[str, float], ...]:
    """Veto thresholds: English, and Spanish and French (0 = never vetoed; by default as deployed)."""
    return (("en", english), ("es", spanish_french), ("fr", spanish_french))


# Rules scored besides the deployed one (the English veto varies; Spanish and French as deployed):
# claim_from 0 is the advert model alone (the fifth session's second opinion: veto 0.15, add 0.6);
# never_vetoed keeps the 4 critical flags.
GRID = [PATTERNS_ALONE] + [
    replace(DEPLOYED, veto_below=veto(v), add_from=add, claim_from=claim, never_vetoed=keep)
    for v, add, claim, keep in [(0.15, 0.6, 0.0, NONE), (0.15, 0.7, 0.0, NONE), (0.15, 0.7, 0.0, CRITICAL)]
    + [(0.15, x, y, NONE) for x in (0.3, 0.4, 0.5) for y in (0.5, 0.6, 0.7)]
    + [(0.1, 0.4, 0.6, NONE), (0.2, 0.4, 0.6, NONE), (0.15, 0.4, 0.6, CRITICAL)]
]
ALL = ("en", "es", "fr")

# Run by a fresh interpreter with one commit's code first on sys.path.
SNAPSHOT_SCAN = """
import json, sys
from pathlib import Path
import spacy, yaml
sys.path.insert(0, sys.argv[1])
from nlu.red_flag_scanner import load_rules, scan
langs = [p.stem.split("_")[-1] for p in Path(sys.argv[1], "nlu/patterns").glob("red_flags_*.yml")]
rules, nlps, out = load_rules(langs), {}, {}
for f in sys.argv[2:]:
    for ad in yaml.safe_load(Path(f).read_text(encoding="utf-8"))["ads"]:
        lang = ad.get("language", "en")
        nlp = nlps.setdefault(lang, spacy.blank(lang))
        out[ad["id"]] = sorted({e["value"] for e in scan(nlp(ad["text"]), rules)})
print(json.dumps(out))
"""


def blind_pattern_flags() -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for commit, names in BLIND_ROUNDS.items():
            snapshot = Path(tmp) / commit
            snapshot.mkdir()
            git, tar = shutil.which("git") or "git", shutil.which("tar") or "tar"
            # noqa below: fixed commands and commits of this file, no user input.
            archive = subprocess.run([git, "archive", commit, "nlu"], cwd=ROOT, check=True, capture_output=True)  # noqa: S603
            subprocess.run([tar, "-x", "-C", str(snapshot)], input=archive.stdout, check=True)  # noqa: S603
            files = [str(ROOT / "tests" / "job_offers" / f"{name}.yml") for name in names]
            run = subprocess.run(  # noqa: S603
                [sys.executable, "-c", SNAPSHOT_SCAN, str(snapshot), *files],
                check=True,
                capture_output=True,
                text=True,
            )
            found.update(json.loads(run.stdout))
            print(f"  scanned {', '.join(names)} with the patterns of {commit}", file=sys.stderr)
    return found


Probabilities = Dict[str, Dict[str, float]]  # advert id -> flag -> probability


def out_of_fold_probabilities(c: float) -> Tuple[Probabilities, Probabilities, Dict[str, Dict[str, Any]]]:
    """The advert model's probabilities and the claim model's best sentence, each from the other files."""
    files = sorted((ROOT / "tests" / "job_offers").glob("dev*.yml"))
    by_file = {f.stem: load_ads([f]) for f in files}
    advert: Probabilities = {}
    claim: Probabilities = {}
    for held, test in by_file.items():
        train = [ad for name, ads in by_file.items() if name != held for ad in ads]
        vectorizer, by_advert = fit_models(
            [ad["text"] for ad in train], [set(ad.get("flags") or []) for ad in train], c
        )
        claim_vectorizer, by_claim = fit_models(*claim_examples(train), c)
        x_test = vectorizer.transform([ad["text"] for ad in test])
        for ad, x_ad in zip(test, x_test, strict=True):
            sentences = claim_vectorizer.transform([ad["text"][s:e] for s, e in claims_of(ad["text"])] or [ad["text"]])
            advert[ad["id"]] = {flag: float(m.predict_proba(x_ad)[0, 1]) for flag, m in by_advert.items()}
            claim[ad["id"]] = {flag: float(m.predict_proba(sentences)[:, 1].max()) for flag, m in by_claim.items()}
    ads = {ad["id"]: ad for ads in by_file.values() for ad in ads}
    return advert, claim, ads


def score(ids: List[str], found: Dict[str, Set[str]], ads: Dict[str, Dict[str, Any]]) -> str:
    tp = fp = fn = legit_high = legit = bad_flagged = bad = right_risk = 0
    for i in ids:
        gold = set(ads[i].get("flags") or [])
        tp, fp, fn = tp + len(found[i] & gold), fp + len(found[i] - gold), fn + len(gold - found[i])
        risk = score_offer(found[i]).risk
        right_risk += risk == ads[i]["expected_risk"]
        if ads[i]["label"] == "legitimate":
            legit, legit_high = legit + 1, legit_high + (risk == "high")
        else:
            bad, bad_flagged = bad + 1, bad_flagged + (risk != "low")
    p = tp / max(tp + fp, 1)
    r = tp / max(tp + fn, 1)
    f1 = 2 * p * r / max(p + r, 1e-9)
    accuracy = right_risk / max(len(ids), 1)
    return f"| {f1:.3f} ({p:.3f} / {r:.3f}) | {legit_high}/{legit} | {bad_flagged}/{bad} | {accuracy:.3f} |"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--c", type=float, default=C)
    args = parser.parse_args(argv)
    patterns = blind_pattern_flags()
    probs, claim, ads = out_of_fold_probabilities(args.c)
    ids = sorted(patterns)

    def blended(rule: BlendRule) -> Dict[str, Set[str]]:
        """Each advert's flags under `rule`, by the decision the deployed model makes (BlendRule.decide)."""
        found = {}
        for i in ids:
            language = ads[i].get("language", "en")
            if not rule.applies_to(ads[i]["text"], language):
                found[i] = set(patterns[i])
                continue
            kept, added = rule.decide(language, set(patterns[i]), probs[i], claim[i].__getitem__)
            found[i] = kept | added
        return found

    print(f"\n## Blind predictions: {len(ids)} dev adverts, each scanned by the patterns of before its round")
    print(f"(models C={args.c}, out of fold: trained on the other dev files; for English, Spanish and French)\n")
    print(
        "| English veto below | add from (advert / claim) | flag micro-F1 (P / R) | legit high"
        " | exploitative med/high | verdict accuracy |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for rule in GRID:
        label = "patterns alone" if rule is PATTERNS_ALONE else f"{dict(rule.veto_below)['en']}"
        label += " (never the 4 critical flags)" if rule.never_vetoed else ""
        label += " (deployed)" if rule == DEPLOYED else ""
        claim_from = rule.claim_from or "(advert alone)"
        adds = "" if rule is PATTERNS_ALONE else f"{rule.add_from} / {claim_from}"
        print(f"| {label} | {adds} {score(ids, blended(rule), ads)}")

    spanish_french = [i for i in ids if ads[i].get("language", "en") in ("es", "fr")]
    print(f"\nThe Spanish and French veto ({len(spanish_french)} Spanish and French adverts; English as deployed):\n")
    print("| Spanish and French veto below | flag micro-F1 (P / R) | legit high | exploitative med/high "
          "| verdict accuracy |")
    print("|---:|---:|---:|---:|---:|")
    for v in (0.0, 0.05, 0.08, 0.10, 0.12, 0.15):
        rule = replace(DEPLOYED, veto_below=veto(dict(DEPLOYED.veto_below)["en"], v))
        label = f"{v}" + (" (deployed)" if rule == DEPLOYED else "")
        print(f"| {label} {score(spanish_french, blended(rule), ads)}")

    thresholds = ", ".join(f"{language} {v}" for language, v in DEPLOYED.veto_below)
    print(
        f"\nDeployed: veto below {thresholds}; add from {DEPLOYED.add_from} / {DEPLOYED.claim_from} in"
        f" {', '.join(DEPLOYED.languages)}; by language:\n"
    )
    print("| language | adverts | patterns alone | second opinion, English only | eighth round (veto in English only) "
          "| veto 0.15 in all three | deployed |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    variants = (
        PATTERNS_ALONE,
        replace(DEPLOYED, languages=("en",), veto_below=(("en", 0.15),)),
        replace(DEPLOYED, veto_below=(("en", 0.15),)),
        replace(DEPLOYED, veto_below=veto(0.15, 0.15)),
        DEPLOYED,
    )
    for language in ALL:
        subset = [i for i in ids if ads[i].get("language", "en") == language]
        cells = [score(subset, blended(rule), ads).strip("| ").replace(" | ", ", ") for rule in variants]
        print(f"| {language} | {len(subset)} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
