"""The outcomes in words: the sentences a service lead copies into a report, and how agreement is described."""

from __future__ import annotations

import pytest

from risk.outcomes import ALPHA_RELIABLE, ALPHA_TENTATIVE, agreement_in_words, change_in_words, change_percent


@pytest.mark.parametrize(
    ("then", "now", "words"),
    [
        (96, 51, "CP plans: 96 → 51, down 47%"),  # Hertfordshire's child protection figure
        (30, 10, "CP plans: 30 → 10, down 67%"),
        (12, 16, "CP plans: 12 → 16, up 33%"),
        (10, 10, "CP plans: 10 → 10, no change"),
        (0, 0, "CP plans: 0 → 0, no change"),
        (0, 4, "CP plans: 0 → 4 (none at the baseline)"),
        (1000, 1004, "CP plans: 1,000 → 1,004, up less than 1%"),
        (1000, 996, "CP plans: 1,000 → 996, down less than 1%"),
        (8, 0, "CP plans: 8 → 0, down 100%"),
    ],
)
def test_change_against_the_baseline_in_words(then: int, now: int, words: str) -> None:
    assert change_in_words("CP plans", then, now) == words


def test_percentages_round_half_away_from_zero() -> None:
    assert [change_percent(8, 9), change_percent(8, 7), change_percent(200, 201), change_percent(0, 3)] == [
        13,  # 12.5 up
        -13,  # 12.5 down
        1,  # 0.5
        None,
    ]


def test_agreement_in_words_follows_krippendorffs_thresholds() -> None:
    assert agreement_in_words(ALPHA_RELIABLE) == "professionals rate the same children alike"
    assert agreement_in_words(ALPHA_TENTATIVE).startswith("professionals mostly rate alike")
    assert agreement_in_words(0.5).startswith("professionals often see the same child differently")
    assert agreement_in_words(-0.2).startswith("professionals often see the same child differently")
    assert agreement_in_words(None).startswith("not measurable")
