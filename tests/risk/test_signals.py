import pytest

from risk.scoring import score_family
from risk.signals import (
    Disagreement,
    MissingRating,
    Trend,
    disagreements,
    missing_ratings,
    read_signals,
    trend_since,
)
from risk.vocabulary import Role
from tests.risk.factories import PRACTITIONER_IDS, make_family


def trend_of(ratings: dict[str, dict[str, str]], previous: tuple[str, float | None] | None) -> Trend:
    family = make_family(ratings, previous=previous)
    return trend_since(family.previous, score_family(family.ratings))


# Amy rated amber, amber, green scores 44.44.
AMBER_44 = {"Amy": {"sw": "amber", "mh": "amber", "sm": "green"}}


@pytest.mark.parametrize(
    ("previous", "trend"),
    [
        (None, Trend.NEW),
        (("unrated", None), Trend.NEW),
        (("green", 0.0), Trend.DETERIORATED),
        (("red", 66.67), Trend.IMPROVED),
        (("amber", 39.44), Trend.DETERIORATED),
        (("amber", 39.45), Trend.UNCHANGED),
        (("amber", 44.44), Trend.UNCHANGED),
        (("amber", 49.43), Trend.UNCHANGED),
        (("amber", 49.44), Trend.IMPROVED),
    ],
    ids=[
        "first-meeting",
        "unrated-last-month",
        "band-up",
        "band-down",
        "score-up-exactly-5",
        "score-up-4.99",
        "same-score",
        "score-down-4.99",
        "score-down-exactly-5",
    ],
)
def test_trend_compares_band_first_then_a_move_of_5_points_within_the_band(
    previous: tuple[str, float | None] | None, trend: Trend
) -> None:
    assert trend_of(AMBER_44, previous) is trend


def test_a_family_nobody_rated_this_month_has_no_trend_even_if_it_was_red() -> None:
    assert trend_of({}, ("red", 100.0)) is Trend.NOT_RATED


def test_red_against_green_for_the_same_child_is_a_disagreement_naming_the_roles() -> None:
    family = make_family({"Amy": {"sw": "green", "fsw": "green", "mh": "red"}, "Ben": {"sw": "green"}})

    assert disagreements(family.ratings) == (
        Disagreement(
            1, red_by=(Role.MENTAL_HEALTH_PRACTITIONER,), green_by=(Role.SOCIAL_WORKER, Role.FAMILY_SUPPORT_WORKER)
        ),
    )


@pytest.mark.parametrize(
    "ratings",
    [
        {"Amy": {"sw": "red", "mh": "amber"}},
        {"Amy": {"sw": "green", "mh": "amber"}},
        {"Amy": {"sw": "red"}, "Ben": {"mh": "green"}},
    ],
    ids=["red-and-amber", "green-and-amber", "red-and-green-for-different-children"],
)
def test_only_red_against_green_for_one_child_counts_as_disagreement(ratings: dict[str, dict[str, str]]) -> None:
    assert disagreements(make_family(ratings).ratings) == ()


def test_missing_ratings_list_each_professional_with_the_children_they_have_not_rated() -> None:
    family = make_family({"Amy": {"sw": "red", "mh": "amber"}, "Ben": {"sw": "amber"}}, involved=["dao"])

    assert missing_ratings(family) == (
        MissingRating(PRACTITIONER_IDS["dao"], Role.DOMESTIC_ABUSE_OFFICER, (1, 2)),
        MissingRating(PRACTITIONER_IDS["mh"], Role.MENTAL_HEALTH_PRACTITIONER, (2,)),
    )
    assert read_signals(family, score_family(family.ratings)).missing_count == 3


def test_service_leads_are_never_expected_to_rate() -> None:
    family = make_family({"Amy": {"sw": "red"}}, involved=["lead"])

    assert missing_ratings(family) == ()


@pytest.mark.parametrize(
    ("last_rated_days_ago", "drift_days", "drifting"),
    [(35, 35, False), (36, 35, True), (36, 40, False), (41, 40, True)],
    ids=["35-days", "36-days", "36-days-with-40-allowed", "41-days-with-40-allowed"],
)
def test_a_family_not_rated_for_more_than_the_allowed_days_is_drifting(
    last_rated_days_ago: int, drift_days: int, drifting: bool
) -> None:
    family = make_family(involved=["sw"], last_rated_days_ago=last_rated_days_ago)

    signals = read_signals(family, score_family(family.ratings), drift_days)

    assert (signals.days_since_rated, signals.drifting) == (last_rated_days_ago, drifting)


def test_a_family_never_rated_counts_its_drift_from_the_day_it_opened() -> None:
    family = make_family(involved=["sw"], opened_days_ago=40, last_rated_days_ago=None)

    signals = read_signals(family, score_family(family.ratings))

    assert (signals.days_since_rated, signals.drifting) == (40, True)


def test_a_family_rated_at_this_meeting_is_not_drifting_whatever_its_history() -> None:
    family = make_family({"Amy": {"sw": "amber"}}, last_rated_days_ago=90)

    signals = read_signals(family, score_family(family.ratings))

    assert (signals.days_since_rated, signals.drifting) == (0, False)


def test_overdue_actions_are_passed_through_as_counted() -> None:
    family = make_family({"Amy": {"sw": "amber"}}, overdue_actions=3)

    assert read_signals(family, score_family(family.ratings)).overdue_actions == 3
