"""Reading answers to the job-offer questions, as people type them."""

from __future__ import annotations

from typing import Optional

import pytest

from actions.job_offer import answers
from actions.job_offer.recruiter import recruiter_name_from


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        ("yes", "affirm", "yes"), ("Yeah they do", None, "yes"), ("no", "deny", "no"),
        ("nope", None, "no"), ("not sure", None, "unsure"), ("idk", None, "unsure"),
        ("I don't know", "deny", "unsure"), ("what is a visa?", None, None),
    ],
)
def test_yes_no_unsure(text: str, intent: Optional[str], expected: Optional[str]) -> None:
    assert answers.yes_no_unsure(text, intent) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("housework or care", "domestic_work"), ("on a fishing boat", "fishing"),
        ("waitress in a hotel", "hospitality"), ("office, IT or call centre", "it_call_centre"),
        ("modelling or entertainment", "modelling_entertainment"), ("picking strawberries", "agriculture"),
        ("something else", "other"), ("not sure", "unknown"),
    ],
)
def test_job_sector(text: str, expected: str) -> None:
    assert answers.job_sector(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("under 18", "minor"), ("i'm 16", "minor"), ("17 years old", "minor"), ("18 or older", "adult"),
        ("22", "adult"), ("rather not say", "unknown"), ("hmm", None),
    ],
)
def test_age_group(text: str, expected: Optional[str]) -> None:
    assert answers.age_group(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("someone i met online", "online"), ("a guy on tiktok", "online"), ("a stranger", "stranger"),
        ("a licensed agency", "agency"), ("a friend or relative", "personal"), ("not sure", "unknown"),
    ],
)
def test_offer_source(text: str, expected: str) -> None:
    assert answers.offer_source(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("work visa", "work"), ("tourist or visit visa", "wrong"), ("student visa", "wrong"),
        ("they will fix it later", "wrong"), ("not sure", "unsure"),
    ],
)
def test_visa_answer(text: str, expected: str) -> None:
    assert answers.visa_answer(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("is Al Safa Manpower licensed?", "Al Safa Manpower"),
        ("can you check an agency called Bright Future Recruitment in Nepal", "Bright Future Recruitment"),
        ("is 'Global Helpers Ltd' a real company", "Global Helpers Ltd"),
        ("how do i know if this agency is legit", None),
    ],
)
def test_recruiter_name_in_a_sentence(text: str, expected: Optional[str]) -> None:
    assert recruiter_name_from(text) == expected
