"""Each ranking key in turn: every test gives the later keys the opposite preference, so it proves precedence."""

from dataclasses import replace
from typing import Any

import pytest

from risk.inputs import FamilyAtMeeting, Rating
from risk.ranking import assess_family, most_severe_legal_status, rank_caseload
from risk.vocabulary import RAG, LegalStatus, Role
from tests.risk.factories import make_family

RED_AND_GREEN = {"Amy": {"sw": "red", "mh": "green"}}  # red, 83.33, professionals disagree
# Everything the later keys prefer: never discussed, looked after, first in case reference order.
FAVOURED_BY_LATER_KEYS: dict[str, Any] = {"legal_status": LegalStatus.CLA, "last_discussed_days_ago": None}


def order(families: list[FamilyAtMeeting], **kwargs: Any) -> list[str]:
    return [r.assessment.case_reference for r in rank_caseload(families, **kwargs)]


def test_red_then_amber_then_unrated_then_green() -> None:
    families = [
        make_family({"Amy": {"sw": "green"}}, case_reference="A-green", **FAVOURED_BY_LATER_KEYS),
        make_family(involved=["sw"], case_reference="B-unrated", **FAVOURED_BY_LATER_KEYS),
        make_family({"Amy": {"sw": "amber"}}, case_reference="C-amber"),
        make_family({"Amy": {"sw": "red", "mh": "green"}}, case_reference="D-red", previous=("red", 100.0)),
    ]

    assert order(families) == ["D-red", "C-amber", "B-unrated", "A-green"]


def test_within_a_band_the_higher_score_comes_first() -> None:
    families = [
        make_family({"Amy": {"sw": "amber", "mh": "green"}}, case_reference="A-lower", previous=("green", 0.0)),
        make_family({"Amy": {"sw": "amber"}}, case_reference="B-higher", previous=("amber", 50.0)),
    ]

    assert order(families) == ["B-higher", "A-lower"]


def test_on_equal_scores_deteriorated_then_new_then_unchanged_then_improved() -> None:
    families = [
        make_family(RED_AND_GREEN, case_reference="A-improved", previous=("red", 90.0), **FAVOURED_BY_LATER_KEYS),
        make_family(RED_AND_GREEN, case_reference="B-unchanged", previous=("red", 83.33), **FAVOURED_BY_LATER_KEYS),
        make_family(RED_AND_GREEN, case_reference="C-new", previous=None),
        make_family(RED_AND_GREEN, case_reference="D-deteriorated", previous=("amber", 50.0)),
    ]

    assert order(families) == ["D-deteriorated", "C-new", "B-unchanged", "A-improved"]


def test_on_equal_trend_a_family_where_professionals_disagree_comes_first() -> None:
    families = [
        make_family({"Amy": {"sw": "red"}, "Ben": {"mh": "green"}}, case_reference="A-agree", **FAVOURED_BY_LATER_KEYS),
        make_family(RED_AND_GREEN, case_reference="B-disagree", legal_status=LegalStatus.CIN),
    ]

    assert order(families) == ["B-disagree", "A-agree"]


def test_disagreement_now_comes_before_disagreement_persisting_over_months() -> None:
    families = [
        make_family(
            {"Amy": {"sw": "red"}, "Ben": {"mh": "green"}},
            history=[RED_AND_GREEN] * 3,
            case_reference="A-persisting",
            **FAVOURED_BY_LATER_KEYS,
        ),
        make_family(RED_AND_GREEN, case_reference="B-now", legal_status=LegalStatus.CIN),
    ]

    assert order(families) == ["B-now", "A-persisting"]


def test_then_disagreement_persisting_over_months_comes_first() -> None:
    families = [
        make_family({"Amy": {"sw": "amber"}}, case_reference="A-agree", **FAVOURED_BY_LATER_KEYS),
        make_family(
            {"Amy": {"sw": "amber"}},
            history=[RED_AND_GREEN] * 3,
            case_reference="B-persisting",
            legal_status=LegalStatus.CIN,
        ),
    ]

    assert order(families) == ["B-persisting", "A-agree"]


def test_then_the_more_severe_legal_status_comes_first() -> None:
    statuses = [None, LegalStatus.CIN, LegalStatus.CP, LegalStatus.PLO, LegalStatus.CARE_PROCEEDINGS, LegalStatus.CLA]
    families = [
        make_family(
            {"Amy": {"sw": "amber"}},
            case_reference=f"{n}-{status}",
            legal_status=status,
            last_discussed_days_ago=None if status is None else 28,
        )
        for n, status in enumerate(statuses)
    ]

    assert order(families) == ["5-cla", "4-care_proceedings", "3-plo", "2-cp", "1-cin", "0-None"]


def test_the_most_severe_status_among_the_children_counts() -> None:
    family = make_family({"Amy": {"sw": "amber"}, "Ben": {"sw": "amber"}}, legal_status=LegalStatus.CIN)
    amy, ben = family.children
    family = replace(family, children=(amy, replace(ben, legal_status=LegalStatus.PLO)))

    assert most_severe_legal_status(family) is LegalStatus.PLO


def test_then_never_discussed_first_and_otherwise_the_longest_since_discussed() -> None:
    families = [
        make_family({"Amy": {"sw": "amber"}}, case_reference="A-last-week", last_discussed_days_ago=7),
        make_family({"Amy": {"sw": "amber"}}, case_reference="B-two-months", last_discussed_days_ago=60),
        make_family({"Amy": {"sw": "amber"}}, case_reference="C-never", last_discussed_days_ago=None),
    ]

    assert order(families) == ["C-never", "B-two-months", "A-last-week"]


def test_finally_the_case_reference_keeps_the_order_stable() -> None:
    families = [make_family({"Amy": {"sw": "amber"}}, case_reference=ref, family_id=n) for n, ref in enumerate("CAB")]

    assert order(families) == ["A", "B", "C"]


def test_ranks_count_from_one_and_carry_the_same_card_as_assessing_one_family() -> None:
    families = [
        make_family({"Amy": {"sw": "amber"}}, case_reference="A"),
        make_family({"Amy": {"sw": "red"}}, case_reference="B"),
    ]

    ranked = rank_caseload(families)

    assert [r.rank for r in ranked] == [1, 2]
    assert ranked[0].assessment == assess_family(families[1])


def test_the_policy_and_drift_allowance_reach_every_family() -> None:
    families = [
        make_family(RED_AND_GREEN, case_reference="A"),
        make_family(involved=["sw"], case_reference="B", last_rated_days_ago=40),
    ]

    ranked = rank_caseload(families, policy="median", drift_days=45)

    assert [r.assessment.score.policy for r in ranked] == ["median", "median"]
    assert [r.assessment.signals.drifting for r in ranked] == [False, False]


def test_a_rating_for_a_child_outside_the_family_is_refused() -> None:
    family = make_family({"Amy": {"sw": "amber"}}, case_reference="F-7")
    family = replace(family, ratings=(*family.ratings, Rating(99, 1, Role.SOCIAL_WORKER, RAG.RED)))

    with pytest.raises(ValueError, match=r"F-7 has ratings for children not in it: \[99\]"):
        assess_family(family)
