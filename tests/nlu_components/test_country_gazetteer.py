"""The country gazetteer on the phrases people really type (run in the Rasa environment)."""

from __future__ import annotations

from typing import List, Tuple

import pytest
import spacy

from nlu.country_gazetteer import CountryGazetteer

NLP = spacy.blank("en")


@pytest.fixture(scope="module")
def gazetteer() -> CountryGazetteer:
    return CountryGazetteer(CountryGazetteer.get_default_config())


def countries(gazetteer: CountryGazetteer, text: str) -> List[Tuple[str, str]]:
    doc = NLP(text)
    found = gazetteer.find([(t.text, t.idx, any(c.isalpha() for c in t.text)) for t in doc])
    return [(text[start:end], code) for start, end, code, _ in found]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("my cousin works in Doha", [("Doha", "QA")]),
        ("a job in the Emirates", [("the Emirates", "AE")]),
        ("he moved to Britain last year", [("Britain", "GB")]),
        ("they want me in thialand next week", [("thialand", "TH")]),
        ("agent from Lagos", [("Lagos", "NG")]),
        ("going to saudi arabia", [("saudi arabia", "SA")]),
        ("going to saudi arabai", [("saudi arabai", "SA")]),
        ("work in philipines", [("philipines", "PH")]),
        ("from Côte d'Ivoire", [("Côte d'Ivoire", "CI")]),
        ("ivory coast", [("ivory coast", "CI")]),
        ("in the US now", [("US", "US")]),
        ("Kuala Lumpur then Penang", [("Kuala Lumpur", "MY"), ("Penang", "MY")]),
        ("KSA", [("KSA", "SA")]),
        ("factory in South Korea", [("South Korea", "KR")]),
    ],
)
def test_finds_the_country_people_mean(gazetteer: CountryGazetteer, text: str, expected: list) -> None:
    assert countries(gazetteer, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "can you help us",  # "us" the pronoun is not the United States
        "my child is missing",  # one letter from "chile", but a common word
        "there is a stain on the contract",  # one letter from "spain"
        "i read my mails every day",
        "the boss is a tiger",  # close to "niger"
        "pairs of shoes",  # a transposition from "paris"
    ],
)
def test_common_words_are_not_countries(gazetteer: CountryGazetteer, text: str) -> None:
    assert countries(gazetteer, text) == []
