"""The orders and groups everything else reads from risk/vocabulary.py, as the practice names them."""

from __future__ import annotations

import pytest

from risk.scoring import _BAND_HUNDREDTHS
from risk.vocabulary import (
    BAND_PRIORITY,
    BANDS,
    CASE_ROLES,
    MANAGER_ROLES,
    PLANS,
    RAG,
    RATED_BANDS,
    RATING_WORDS,
    RATINGS,
    Band,
    LegalStatus,
    Role,
)


def test_every_rating_is_a_band_and_unrated_is_a_band_of_its_own() -> None:
    assert {b.value for b in Band} == {r.value for r in RAG} | {"unrated"}
    assert [Band.of(r) for r in RATINGS] == list(RATED_BANDS)


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (RATINGS, (RAG.RED, RAG.AMBER, RAG.GREEN)),
        (BANDS, (Band.RED, Band.AMBER, Band.GREEN, Band.UNRATED)),
        (BAND_PRIORITY, (Band.RED, Band.AMBER, Band.UNRATED, Band.GREEN)),
        (PLANS, (LegalStatus.CIN, LegalStatus.CP, LegalStatus.PLO, LegalStatus.CARE_PROCEEDINGS, LegalStatus.CLA)),
    ],
    ids=["ratings-most-severe-first", "bands-as-figures-list-them", "bands-as-supervision-works", "plans"],
)
def test_the_orders(order: tuple[object, ...], expected: tuple[object, ...]) -> None:
    assert order == expected


@pytest.mark.parametrize(("rag", "level", "severity"), [(RAG.GREEN, 1, 0.0), (RAG.AMBER, 2, 0.5), (RAG.RED, 3, 1.0)])
def test_a_ratings_level_and_severity_follow_its_place(rag: RAG, level: int, severity: float) -> None:
    assert (rag.level, rag.severity, RAG.from_level(level)) == (level, severity, rag)


def test_the_choice_in_words() -> None:
    assert RATING_WORDS == "red, amber or green"


def test_the_bands_share_the_score_scale_without_gaps_or_overlaps() -> None:
    ranges = [_BAND_HUNDREDTHS[rag] for rag in sorted(RAG, key=lambda r: r.level)]
    assert ranges == [(0, 3333), (3334, 6666), (6667, 10000)]


@pytest.mark.parametrize(
    ("role", "case", "chairs"),
    [
        (Role.TEAM_MANAGER, True, True),
        (Role.SOCIAL_WORKER, True, False),
        (Role.PSYCHOLOGIST, True, False),
        (Role.SERVICE_LEAD, False, False),
        (Role.ADMINISTRATOR, False, False),
    ],
)
def test_the_role_groups(role: Role, case: bool, chairs: bool) -> None:
    assert (role in CASE_ROLES, role in MANAGER_ROLES) == (case, chairs)


def test_roles_are_listed_in_the_order_they_are_defined_social_workers_first() -> None:
    assert sorted(Role, key=lambda r: r.order) == list(Role)
    assert min(Role, key=lambda r: r.order) is Role.SOCIAL_WORKER
