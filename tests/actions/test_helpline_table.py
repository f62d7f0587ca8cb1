"""The helpline table is reference data an agency reviews: every entry sourced and flagged."""

from __future__ import annotations

import pycountry

from actions.helpline_directory import load_directory


def test_every_line_has_a_source_and_a_verified_flag() -> None:
    directory = load_directory()
    lines = list(directory["fallback"])
    for entry in directory["countries"].values():
        lines += entry.get("lines") or []
        assert entry["emergency"]["numbers"] and entry["emergency"]["source"]
    for line in lines:
        assert line["source"], line
        assert isinstance(line["verified"], bool), line
        assert line["number"], line


def test_country_keys_are_iso_codes() -> None:
    for code in load_directory()["countries"]:
        assert pycountry.countries.get(alpha_2=code) is not None, code
