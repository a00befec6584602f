import json

import pytest

from risk.inputs import Rating
from risk.policies import DEFAULT_POLICY, POLICIES
from risk.scoring import score_family
from risk.vocabulary import RAG, Band, Role
from tests.risk.factories import ratings_of


def test_one_red_from_any_professional_makes_the_child_red() -> None:
    result = score_family(ratings_of(1, "green", "green", "green", "red"))

    assert result.children[0].rating is RAG.RED
    assert result.band is Band.RED


def test_a_childs_spread_is_its_most_severe_rating_less_its_least_severe() -> None:
    result = score_family(ratings_of(1, "green", "red") + ratings_of(2, "amber", "red") + ratings_of(3, "amber"))

    assert [child.spread for child in result.children] == [2, 1, 0]


def test_the_family_band_is_its_most_severe_child() -> None:
    result = score_family(ratings_of(1, "green", "green") + ratings_of(2, "amber"))

    assert result.band is Band.AMBER


def test_a_family_nobody_rated_is_unrated_not_green() -> None:
    result = score_family([])

    assert (result.band, result.score) == (Band.UNRATED, None)


@pytest.mark.parametrize(
    ("rags", "score"),
    [
        (["green"], 0.0),
        (["green", "green", "amber"], 38.89),
        (["amber"], 50.0),
        (["green", "red"], 83.33),
        (["red"], 100.0),
    ],
)
def test_the_score_is_the_band_step_plus_the_mean_severity_of_all_ratings(rags: list[str], score: float) -> None:
    assert score_family(ratings_of(1, *rags)).score == score


def test_every_red_family_outscores_every_amber_family() -> None:
    lone_red_among_greens = score_family(ratings_of(1, "red", *["green"] * 11))
    all_amber = score_family(ratings_of(1, "amber", "amber", "amber"))

    assert lone_red_among_greens.score is not None and all_amber.score is not None
    assert lone_red_among_greens.score > all_amber.score


def test_within_a_band_more_severe_ratings_overall_score_higher() -> None:
    one_red = score_family(ratings_of(1, "red", "green", "green"))
    two_reds = score_family(ratings_of(1, "red", "red", "green"))

    assert one_red.band is two_reds.band is Band.RED
    assert one_red.score is not None and two_reds.score is not None
    assert two_reds.score > one_red.score


def test_the_score_rounds_half_up_to_two_places() -> None:
    # 7 ambers and 9 greens: 100/3 × (1 + 7/32) = 40.625 exactly; banker's rounding would give 40.62.
    assert score_family(ratings_of(1, *["amber"] * 7, *["green"] * 9)).score == 40.63


def test_rounding_never_puts_an_amber_family_on_the_green_boundary() -> None:
    # One amber among 19,999 greens is 33.3342 before rounding: rounded plainly it would equal the green maximum.
    ratings = [
        Rating(child, practitioner, Role.SOCIAL_WORKER, RAG.GREEN)
        for child in range(200)
        for practitioner in range(100)
    ]
    ratings[0] = Rating(0, 0, Role.SOCIAL_WORKER, RAG.AMBER)

    assert score_family(ratings).score == 33.34


@pytest.mark.parametrize(
    ("rags", "rating"),
    [
        (["green", "red"], RAG.AMBER),
        (["green", "amber"], RAG.AMBER),
        (["green", "green", "red"], RAG.GREEN),
        (["amber", "red"], RAG.RED),
        (["green", "green", "red", "red"], RAG.AMBER),
        (["red", "red", "green"], RAG.RED),
    ],
    ids=["green-red", "green-amber", "two-greens-one-red", "amber-red", "two-greens-two-reds", "two-reds-one-green"],
)
def test_the_median_policy_takes_the_middle_rating_rounding_towards_the_more_severe(
    rags: list[str], rating: RAG
) -> None:
    assert score_family(ratings_of(1, *rags), "median").children[0].rating is rating


def test_the_median_policy_keeps_the_same_score_formula() -> None:
    result = score_family(ratings_of(1, "green", "red"), "median")

    assert (result.band, result.score) == (Band.AMBER, 50.0)


def test_the_policy_name_and_version_travel_with_the_score() -> None:
    assert DEFAULT_POLICY == "worst"
    for name, policy in POLICIES.items():
        result = score_family(ratings_of(1, "amber"), name)
        assert (result.policy, result.policy_version) == (name, policy.version) == (name, 1)


def test_components_record_how_the_score_was_derived() -> None:
    ratings = (
        Rating(2, 12, Role.MENTAL_HEALTH_PRACTITIONER, RAG.RED),
        Rating(1, 11, Role.SOCIAL_WORKER, RAG.GREEN),
        Rating(2, 11, Role.SOCIAL_WORKER, RAG.GREEN),
    )

    components = score_family(ratings).components

    assert components == {
        "policy": "worst",
        "version": 1,
        "band_level": 3,
        "rating_count": 3,
        "mean_severity": 1 / 3,
        "children": [
            {"child_id": 1, "rating": "green", "spread": 0, "rating_count": 1, "ratings": {"11": "green"}},
            {"child_id": 2, "rating": "red", "spread": 2, "rating_count": 2, "ratings": {"11": "green", "12": "red"}},
        ],
    }
    assert json.loads(json.dumps(components)) == components


def test_components_of_an_unrated_family_say_there_was_nothing_to_score() -> None:
    assert score_family([], "median").components == {
        "policy": "median",
        "version": 1,
        "band_level": None,
        "rating_count": 0,
        "mean_severity": None,
        "children": [],
    }


def test_an_unknown_policy_is_refused_with_the_known_ones_named() -> None:
    with pytest.raises(ValueError, match=r"'mean'; known policies: worst, median"):
        score_family(ratings_of(1, "red"), "mean")


def test_one_professional_rating_the_same_child_twice_is_refused() -> None:
    twice = (Rating(1, 11, Role.SOCIAL_WORKER, RAG.GREEN), Rating(1, 11, Role.SOCIAL_WORKER, RAG.RED))

    with pytest.raises(ValueError, match="Practitioner 11 rated child 1 more than once"):
        score_family(twice)
