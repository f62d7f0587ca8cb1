"""Country names in Spanish and French: pycountry's translations plus aliases_<lang>.yml."""

from __future__ import annotations

from typing import List, Tuple

import pytest
import spacy

from nlu.country_gazetteer import CountryGazetteer

NLP = spacy.blank("en")


@pytest.fixture(scope="module")
def gazetteer() -> CountryGazetteer:
    return CountryGazetteer({**CountryGazetteer.get_default_config(), "languages": ["en", "es", "fr"]})


def countries(gazetteer: CountryGazetteer, text: str) -> List[Tuple[str, str]]:
    doc = NLP(text)
    found = gazetteer.find([(t.text, t.idx, any(c.isalpha() for c in t.text)) for t in doc])
    return [(text[start:end], code) for start, end, code, _ in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("me ofrecieron trabajo en Dubái", [("Dubái", "AE")]),
        ("me voy a los Estados Unidos", [("los Estados Unidos", "US")]),
        ("mi hija está en EEUU", [("EEUU", "US")]),
        ("un trabajo en Arabia Saudita", [("Arabia Saudita", "SA")]),
        ("trabajo en españa de mesera", [("españa", "ES")]),
        ("mi hijo se fue a Mexico", [("Mexico", "MX")]),
        ("quiero ir a Japon", [("Japon", "JP")]),
        ("un trabajo en Granada", [("Granada", "ES")]),
        ("je pars en Arabie saoudite", [("Arabie saoudite", "SA")]),
        ("mon fils est au Liban", [("Liban", "LB")]),
        ("un travail au Koweït", [("Koweït", "KW")]),
        ("je suis au Sénégal", [("Sénégal", "SN")]),
        ("on m'envoie en RDC", [("RDC", "CD")]),
        ("ma fille est partie aux États-Unis", [("États-Unis", "US")]),
        ("je suis en Côte d'Ivoire", [("Côte d'Ivoire", "CI")]),
        ("j'habite à Bamako", [("Bamako", "ML")]),
    ],
)
def test_spanish_and_french_country_names(gazetteer: CountryGazetteer, text: str, expected: list) -> None:
    assert countries(gazetteer, text) == expected


@pytest.mark.parametrize(
    "text",
    ["no sé nada", "no tengo contrato", "hay una niña", "la visa de turista", "sin papeles",
     "il y a un problème", "ils ont pris mon passeport", "je suis en danger", "estoy en peligro", "help us please"],
)
def test_ordinary_words_are_not_places(gazetteer: CountryGazetteer, text: str) -> None:
    assert countries(gazetteer, text) == []
