"""The verdict's scoring function: table-driven, with the weights file it reads."""

from __future__ import annotations

from typing import List

import pytest

from actions.job_offer.scoring import RED_FLAGS, load_weights, score_offer


@pytest.mark.parametrize(
    "flags, minor, risk",
    [
        ([], False, "low"),
        (["urgency_pressure"], False, "medium"),
        (["vague_employer", "urgency_pressure"], False, "medium"),
        (["recruitment_fee"], False, "medium"),
        (["recruitment_fee", "urgency_pressure"], False, "high"),  # 3 + 1 reaches the threshold
        (["document_retention"], False, "high"),  # critical on its own
        (["secrecy"], False, "high"),
        (["movement_restriction"], False, "high"),
        ([], True, "high"),  # a minor going abroad for work is itself the red flag
        (["unrealistic_pay", "no_contract"], False, "high"),
    ],
)
def test_risk_from_flags(flags: List[str], minor: bool, risk: str) -> None:
    assert score_offer(flags, minor=minor).risk == risk


def test_each_flag_counts_once_and_a_minor_adds_minor_targeted() -> None:
    verdict = score_offer(["urgency_pressure", "urgency_pressure"], minor=True)
    assert verdict.flags == ["urgency_pressure", "minor_targeted"]
    assert verdict.score == 1 + 4


def test_every_flag_has_a_weight_a_reason_and_a_source() -> None:
    flags = load_weights()["flags"]
    assert set(flags) == set(RED_FLAGS)
    for info in flags.values():
        assert info.weight > 0 and info.why and info.todo and info.source
