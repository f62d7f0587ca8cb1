"""The routing table, the consent rules, reference codes and the key set: pure functions."""

from __future__ import annotations

import math

import pytest
from cryptography.fernet import InvalidToken

from bot.casework.reference_codes import ALPHABET, LENGTH, new_reference, normalise_reference
from bot.casework.routing import Consent, access_level, allowed_recipients, load_routing, parse_routing
from bot.casework_admin import SAMPLE_DIRECTORY
from bot.crypto import KeySet, KeySetError, generate_key
from bot.settings import REPO_ROOT

TABLE = parse_routing(
    {
        "default": ["intl"],
        "rules": [
            {"country": "KE", "agencies": ["ke-all"]},
            {"country": "KE", "category": "missing_child", "agencies": ["ke-missing"]},
            {"country": "KE", "category": "missing_child", "language": "sw", "agencies": ["ke-missing-sw"]},
            {"category": "online_abuse", "agencies": ["online-desk"]},
        ],
    }
)


@pytest.mark.parametrize(
    ("country", "category", "language", "expected"),
    [
        ("KE", "trafficking", "en", ("ke-all",)),
        ("KE", "missing_child", "en", ("ke-missing",)),
        ("KE", "missing_child", "sw", ("ke-missing-sw",)),
        ("ke", "missing_child", "sw", ("ke-missing-sw",)),  # codes are compared upper-case
        ("KE", "online_abuse", "en", ("ke-all",)),  # the country rule is more specific than the category rule
        ("PH", "online_abuse", "en", ("online-desk",)),
        ("PH", "trafficking", "en", ("intl",)),  # nothing matches: the default
        (None, "trafficking", "en", ("intl",)),  # country unknown
    ],
)
def test_the_most_specific_rule_wins(country, category, language, expected) -> None:
    assert TABLE.route(country, category, language) == expected


def test_a_table_without_default_or_with_a_bad_category_is_refused() -> None:
    with pytest.raises(ValueError, match="default"):
        parse_routing({"rules": []})
    with pytest.raises(ValueError, match="rule 1: unknown category"):
        parse_routing({"default": "x", "rules": [{"category": "theft", "agencies": ["a"]}]})


def test_every_agency_in_the_sample_routing_table_is_in_the_sample_directory() -> None:
    import yaml

    known = {a["id"] for a in yaml.safe_load(SAMPLE_DIRECTORY.read_text())["agencies"]}
    table = load_routing(REPO_ROOT / "reference" / "routing_sample.yml")
    named = set(table.default_agencies) | {a for rule in table.rules for a in rule.agencies}
    assert named <= known


NO_CONSENT = Consent()


@pytest.mark.parametrize(
    ("consent", "kind", "level"),
    [
        (Consent(child_protection=True), "child_protection", "full"),
        (Consent(child_protection=True), "police", None),
        (Consent(ngo=True), "ngo", "full"),
        (NO_CONSENT, "ngo", None),
        (NO_CONSENT, "police", None),
        # The exception: a child at risk or someone in danger → the authorities, without the contact.
        (Consent(child_at_risk=True), "child_protection", "safety"),
        (Consent(danger_now=True), "police", "safety"),
        (Consent(child_at_risk=True), "ngo", None),  # never NGOs without consent
        (Consent(police=True, danger_now=True), "police", "full"),
        (NO_CONSENT, "unknown_kind", None),
    ],
)
def test_access_follows_consent_and_the_one_exception(consent, kind, level) -> None:
    assert access_level(consent, kind) == level


def test_routed_agencies_are_filtered_by_consent_and_existence() -> None:
    kinds = {"cp": "child_protection", "pol": "police", "ngo": "ngo"}
    assert allowed_recipients(["cp", "pol", "ngo", "gone"], kinds, Consent(ngo=True, child_at_risk=True)) == [
        ("cp", "safety"), ("pol", "safety"), ("ngo", "full"),
    ]
    assert allowed_recipients(["cp", "pol", "ngo"], kinds, NO_CONSENT) == []


def test_reference_codes_have_30_random_bits_and_no_ambiguous_characters() -> None:
    assert len(ALPHABET) == 32 and not set("ILOU") & set(ALPHABET)
    assert LENGTH * math.log2(len(ALPHABET)) >= 30
    codes = {new_reference() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(c.startswith("SP-") and len(c) == 9 and set(c[3:]) <= set(ALPHABET) for c in codes)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("SP-7KQ2MX", "SP-7KQ2MX"),
        ("my code is sp 7kq2mx thanks", "SP-7KQ2MX"),
        ("sp7kq2mx", "SP-7KQ2MX"),
        ("SP-7KQ2MO", "SP-7KQ2M0"),  # O read as zero
        ("sp-i1l2ab", "SP-1112AB"),
        ("SP-7KQ2", None),
        ("SP-7KQ2MU", None),  # U is not in the alphabet
        ("no code here", None),
    ],
)
def test_typed_references_are_normalised(typed, code) -> None:
    assert normalise_reference(typed) == code


def test_the_key_set_encrypts_with_the_newest_key_and_rotates() -> None:
    old, new = generate_key(), generate_key()
    token = KeySet([old]).encrypt("the narrative")
    both = KeySet([new, old])
    assert both.decrypt(token) == "the narrative" and not both.is_current(token)
    rotated = both.rotate(token)
    assert both.is_current(rotated) and KeySet([new]).decrypt(rotated) == "the narrative"
    with pytest.raises(InvalidToken):
        KeySet([new]).decrypt(token)
    with pytest.raises(KeySetError):
        KeySet([])
    with pytest.raises(KeySetError, match="not a Fernet key"):
        KeySet(["not-a-key"])
