"""The learned second opinion on the red-flag patterns (nlu/red_flag_model.py)."""

from __future__ import annotations

import json
from typing import List

import pytest
import spacy
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from actions.job_offer.scoring import RED_FLAGS, score_offer
from nlu.red_flag_model import MODEL_FILE, BlendRule, from_dict, load_model
from nlu.red_flag_scanner import SPACY_DOC, RedFlagScanner, load_rules, scan, scan_with_model
from scripts import train_red_flag_model

NLP = spacy.blank("en")
RULES = load_rules(["en", "es", "fr"])
MODEL = load_model()

# Legitimate adverts in which one harmless clause matches a pattern (limits the patterns are known to have).
HARMLESS = [
    (
        "Warehouse associates for Rhein Logistik GmbH in Duisburg, Germany, under the Western Balkans "
        "regulation. Gross pay EUR 2,450 per month, 40 hours a week. Your contract is in German; an English "
        "translation is attached. The employer pays the visa fee, the flight and the first month in staff "
        "housing. Apply by 30 April at rheinlogistik.example.",
        "no_contract",
    ),
    (
        "Registered nurses for St Brigid's Hospital, Dublin, Ireland. Salary EUR 38,000 to 45,000 a year "
        "depending on experience, NMBI registration supported. I saw your profile on LinkedIn; our HR team "
        "will email you the job description and the contract. The hospital pays the critical skills permit, "
        "flights and two weeks of accommodation.",
        "online_stranger",
    ),
]
# An exploitative advert whose documents are not named with a word the patterns know ("your things").
CONFINED = (
    "Job for cleaning ladies in Lebanon, madam family very rich. Salary 600 dollars. Madam will hold your "
    "things for you until you finish two years. You cannot go out alone, madam will take you every "
    "place. Register with copy of passport and four recent pictures."
)


def pattern_flags(text: str, language: str = "en") -> List[str]:
    return sorted({e["value"] for e in scan(spacy.blank(language)(text), RULES)})


def blended_flags(text: str, language: str = "en") -> List[str]:
    return sorted({e["value"] for e in scan_with_model(spacy.blank(language)(text), RULES, language, MODEL)})


def test_the_committed_model_was_trained_on_the_current_development_sets_only() -> None:
    content = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    files = train_red_flag_model.training_files()
    assert content["trained_on"] == train_red_flag_model.digests(files), "run `make red-flag-model`"
    assert not any("holdout" in name for name in content["trained_on"])
    assert set(content["advert"]["flags"]) == set(content["claim"]["flags"]) == set(RED_FLAGS)


def test_plain_python_inference_reproduces_the_scikit_learn_model() -> None:
    """Retraining gives the committed weights back, and the probabilities match scikit-learn's."""
    ads = train_red_flag_model.load_ads(train_red_flag_model.training_files())
    texts = [ad["text"] for ad in ads]
    x = train_red_flag_model.new_vectorizer().fit_transform(texts)
    sample = list(range(0, len(ads), 40))
    for flag in ("document_retention", "recruitment_fee", "vague_employer"):
        y = [flag in (ad.get("flags") or []) for ad in ads]
        expected = train_red_flag_model.new_classifier().fit(x, y)
        for i in sample:
            assert MODEL.probabilities(texts[i])[flag] == pytest.approx(expected.predict_proba(x[i])[0, 1], abs=0.01)


def test_the_claim_model_learned_from_the_sentences_that_hold_the_evidence() -> None:
    """Each sentence overlapping an `evidence` phrase is an example of its flag; the weights reproduce."""
    ads = train_red_flag_model.load_ads(train_red_flag_model.training_files())
    sentences, labels = train_red_flag_model.claim_examples(ads)
    assert len(sentences) > 5 * len(ads)
    [ad] = [ad for ad in ads if ad["id"] == "dev26-001"]
    examples = dict(zip(*train_red_flag_model.claim_examples([ad]), strict=True))
    keeper = "The boat owner keeps your passport until the end of the season so nobody runs away."
    assert examples[keeper] == {"document_retention"}
    assert examples["Cambodian men welcome, no experience needed."] == set()
    x = train_red_flag_model.new_vectorizer().fit_transform(sentences)
    for flag in ("document_retention", "debt_bondage"):
        expected = train_red_flag_model.new_classifier().fit(x, [flag in found for found in labels])
        for i in range(0, len(sentences), 997):
            got = MODEL.claim.probabilities(sentences[i])[flag]
            assert got == pytest.approx(expected.predict_proba(x[i])[0, 1], abs=0.01)
    assert MODEL.claim.probabilities(keeper)["document_retention"] >= MODEL.rule.claim_from


@pytest.mark.parametrize("text, flag", HARMLESS)
def test_a_harmless_clause_that_matched_a_pattern_is_dropped_from_an_english_advert(text: str, flag: str) -> None:
    assert pattern_flags(text) == [flag]
    assert blended_flags(text) == []
    assert score_offer(blended_flags(text)).risk == "low"


def test_short_messages_keep_the_patterns_flags() -> None:
    """A chat answer is not an advert: what the person says about their own offer is never vetoed."""
    short = "The agent says he will keep my passport until I pay the fee back."
    assert len(short) < MODEL.rule.min_chars
    assert "document_retention" in blended_flags(short) == pattern_flags(short)
    corto = "La agencia se queda con mi pasaporte hasta que pague la deuda del pasaje."
    assert len(corto) < MODEL.rule.min_chars
    assert "document_retention" in blended_flags(corto, "es") == pattern_flags(corto, "es")


def test_the_second_opinion_reads_english_spanish_and_french_adverts_only() -> None:
    assert MODEL.rule.languages == ("en", "es", "fr")
    text, flag = HARMLESS[0]
    assert scan_with_model(NLP(text), RULES, "de", MODEL) == scan(NLP(text), RULES)
    assert [e["value"] for e in scan(NLP(text), RULES)] == [flag]


def test_a_flag_the_patterns_missed_is_added_on_the_claim_that_shows_it() -> None:
    assert "document_retention" not in pattern_flags(CONFINED)
    entities = scan_with_model(NLP(CONFINED), RULES, "en", MODEL)
    [added] = [e for e in entities if e["value"] == "document_retention"]
    claim = "Madam will hold your things for you until you finish two years."
    assert CONFINED[added["start"] : added["end"]] == claim
    assert MODEL.rule.claim_from <= added["confidence_entity"] < 1.0
    assert "movement_restriction" in blended_flags(CONFINED)
    # The advert model alone rates debt bondage likely in this kind of advert; no sentence says it.
    assert MODEL.probabilities(CONFINED)["debt_bondage"] >= MODEL.rule.add_from
    assert "debt_bondage" not in blended_flags(CONFINED)
    assert score_offer(blended_flags(CONFINED)).risk == "high"


def test_the_component_uses_the_conversation_language_from_the_message_metadata() -> None:
    text, flag = HARMLESS[0]
    scanner = RedFlagScanner({"languages": ["en", "es", "fr"], "model": True})
    found = {}
    for language in ("en", "de"):  # a conversation in a language the second opinion did not learn
        message = Message(data={TEXT: text, "metadata": {"language": language}})
        message.set(SPACY_DOC, NLP(text))
        scanner.process([message])
        found[language] = sorted({e["value"] for e in message.get(ENTITIES, []) if e["entity"] == "red_flag"})
    assert found == {"en": [], "de": [flag]}
    without_model = RedFlagScanner({"languages": ["en", "es", "fr"], "model": False})
    message = Message(data={TEXT: text, "metadata": {"language": "en"}})
    message.set(SPACY_DOC, NLP(text))
    without_model.process([message])
    assert [e["value"] for e in message.get(ENTITIES, [])] == [flag]


def test_an_advert_whose_flags_were_all_dropped_is_still_a_job_check() -> None:
    """Its questions then ask what the dropped flags would have answered."""
    text, _ = HARMLESS[1]
    message = Message(data={TEXT: text, "metadata": {"language": "en"}})
    message.set(SPACY_DOC, NLP(text))
    message.set(INTENT, {"name": "faq", "confidence": 0.6})
    RedFlagScanner({"languages": ["en", "es", "fr"], "model": True}).process([message])
    assert [e for e in message.get(ENTITIES, []) if e["entity"] == "red_flag"] == []
    assert message.get(INTENT)["name"] == "check_job_offer"


# Models of three terms, to pin down what blend does with each probability (the real ones are retrained).
# The advert model rates document_retention and debt_bondage high; the claim model finds a sentence
# for document_retention only.
TOY = from_dict(
    {
        "languages": ["en"],
        "min_chars": 40,
        "veto_below": {"en": 0.15},
        "add_from": 0.7,
        "claim_from": 0.6,
        "advert": {
            "vocabulary": ["translation", "hold your", "boss"],
            "idf": [1.0, 1.0, 1.0],
            "flags": {
                "no_contract": {"intercept": 0.0, "coef_thousandths": [-9000, 0, 0]},
                "document_retention": {"intercept": -1.0, "coef_thousandths": [0, 9000, 0]},
                "debt_bondage": {"intercept": -1.0, "coef_thousandths": [0, 0, 9000]},
                "vague_employer": {"intercept": 0.0, "coef_thousandths": [0, 0, 0]},
            },
        },
        "claim": {
            "vocabulary": ["hold your"],
            "idf": [1.0],
            "flags": {
                "no_contract": {"intercept": -3.0, "coef_thousandths": [0]},
                "document_retention": {"intercept": -3.0, "coef_thousandths": [9000]},
                "debt_bondage": {"intercept": -3.0, "coef_thousandths": [0]},
                "vague_employer": {"intercept": -3.0, "coef_thousandths": [0]},
            },
        },
    }
)
TOY_TEXT = "Contract in German; translation attached. The boss will hold your things."
TOY_CLAIMS = [(0, 41), (42, len(TOY_TEXT))]


def pattern_entity(flag: str, start: int, end: int) -> dict:
    return {"entity": "red_flag", "value": flag, "start": start, "end": end, "confidence_entity": 1.0}


def test_blend_drops_below_the_veto_keeps_between_and_adds_from_the_threshold() -> None:
    assert TOY.probabilities(TOY_TEXT)["no_contract"] < 0.15
    assert TOY.probabilities(TOY_TEXT)["document_retention"] >= 0.7
    assert TOY.probabilities(TOY_TEXT)["vague_employer"] == 0.5
    assert TOY.probabilities(TOY_TEXT)["debt_bondage"] >= 0.7
    found = [pattern_entity("no_contract", 0, 8), pattern_entity("vague_employer", 42, 50)]
    blended = TOY.blend(TOY_TEXT, "en", found, TOY_CLAIMS)
    # debt_bondage is not added: the advert model rates it high, but no sentence says it.
    assert [e["value"] for e in blended] == ["document_retention", "vague_employer"]  # by position, then name
    [added] = [e for e in blended if e["value"] == "document_retention"]
    assert TOY_TEXT[added["start"] : added["end"]] == "The boss will hold your things."
    assert 0.6 <= added["confidence_entity"] < 1.0


def test_blend_leaves_short_texts_and_other_languages_alone() -> None:
    found = [pattern_entity("no_contract", 0, 8)]
    assert TOY.blend(TOY_TEXT, "fr", found, TOY_CLAIMS) == found
    assert TOY.blend("translation attached", "en", found, [(0, 20)]) == found


def test_each_language_has_its_own_veto_and_a_language_without_one_is_never_vetoed() -> None:
    rule = BlendRule(
        languages=("en", "es", "fr"),
        min_chars=40,
        veto_below=(("en", 0.15), ("es", 0.10)),
        add_from=0.4,
        claim_from=0.6,
    )
    advert = {"wrong_visa": 0.12, "document_retention": 0.05}
    found = {"wrong_visa", "document_retention"}
    assert rule.decide("en", found, advert, lambda flag: 0.0) == (set(), set())
    assert rule.decide("es", found, advert, lambda flag: 0.0) == ({"wrong_visa"}, set())
    assert rule.decide("fr", found, advert, lambda flag: 0.0) == (found, set())
    # The deployed weight file vetoes in all three languages, Spanish and French below a lower probability.
    assert dict(MODEL.rule.veto_below) == {"en": 0.15, "es": 0.10, "fr": 0.10}
