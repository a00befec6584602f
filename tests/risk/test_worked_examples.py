"""Worked examples, checked exactly: what a team manager would see on each family's card.

Scores by hand: 100/3 × (band level − 1) + 100/3 × mean severity (green 0, amber ½, red 1), to 2 places.
"""

from typing import Any, NamedTuple

import pytest

from risk.ranking import assess_family
from risk.signals import Trend
from risk.vocabulary import Band
from tests.risk.factories import make_family


class Card(NamedTuple):
    band: Band
    score: float | None
    trend: Trend
    disagreement: bool
    missing: int
    drifting: bool
    overdue: int
    explanation: str


AMBER_44 = {"Amy": {"sw": "amber", "mh": "amber", "sm": "green"}}  # mean severity 1/3: 44.44
GREEN_AND_RED = {"Amy": {"sw": "green", "mh": "red"}}
UNRATED_AMBER_LAST_MONTH: dict[str, Any] = {"involved": ["sw", "mh"], "previous": ("amber", 50.0)}

EXAMPLES = [
    pytest.param(
        {"ratings": {"Amy": {"sw": "amber"}}},
        "worst",
        Card(Band.AMBER, 50.0, Trend.NEW, False, 0, False, 0,
             "Amber: 1 professional rated Amy amber (social worker). New this month."),
        id="one-child-one-rating",
    ),
    pytest.param(
        {
            "ratings": {"Amy": {"sw": "red", "mh": "red", "sm": "green"}},
            "involved": ["dao"],
            "previous": ("amber", 50.0),
        },
        "worst",
        Card(Band.RED, 88.89, Trend.DETERIORATED, True, 1, False, 0,
             "Red: 2 of 3 professionals rated Amy red (social worker, mental health practitioner). "
             "Deteriorated from amber last month. "
             "Substance misuse worker rated Amy green: professionals disagree. "
             "Domestic abuse officer (perpetrators) has not rated yet."),
        id="the-issue-example",
    ),
    pytest.param(
        {
            "ratings": {
                "Amy": {"sw": "amber", "mh": "green"},
                "Ben": {"sw": "red", "mh": "amber"},
                "Cara": {"sw": "green", "mh": "green"},
            },
            "previous": ("red", 77.78),
        },
        "worst",
        Card(Band.RED, 77.78, Trend.UNCHANGED, False, 0, False, 0,
             "Red: 1 of 2 professionals rated Ben red (social worker). Unchanged since last month."),
        id="many-children",
    ),
    pytest.param(
        {"ratings": {"Amy": {"sw": "green", "fsw": "green", "mh": "red"}}, "previous": ("green", 0.0)},
        "worst",
        Card(Band.RED, 77.78, Trend.DETERIORATED, True, 0, False, 0,
             "Red: 1 of 3 professionals rated Amy red (mental health practitioner). "
             "Deteriorated from green last month. "
             "Social worker and family support worker rated Amy green: professionals disagree."),
        id="lone-red-among-greens",
    ),
    pytest.param(
        {
            "children": ["Amy", "Ben"],
            "involved": ["sw", "mh", "sm"],
            "opened_days_ago": 20,
            "last_rated_days_ago": None,
        },
        "worst",
        Card(Band.UNRATED, None, Trend.NOT_RATED, False, 6, False, 0,
             "Not yet rated: none of the 3 professionals involved has rated yet."),
        id="all-ratings-missing",
    ),
    pytest.param(
        {"ratings": {"Amy": {"sw": "red", "mh": "amber"}}, "overdue_actions": 2},
        "worst",
        Card(Band.RED, 91.67, Trend.NEW, False, 0, False, 2,
             "Red: 1 of 2 professionals rated Amy red (social worker). New this month. 2 actions overdue."),
        id="new-family-with-overdue-actions",
    ),
    pytest.param(
        {"ratings": {"Amy": {"sw": "amber", "mh": "green"}}, "previous": ("red", 83.33)},
        "worst",
        Card(Band.AMBER, 41.67, Trend.IMPROVED, False, 0, False, 0,
             "Amber: 1 of 2 professionals rated Amy amber (social worker). Improved from red last month."),
        id="improved-band",
    ),
    pytest.param(
        {"ratings": AMBER_44, "previous": ("amber", 40.0)},
        "worst",
        Card(Band.AMBER, 44.44, Trend.UNCHANGED, False, 0, False, 0,
             "Amber: 2 of 3 professionals rated Amy amber (social worker, mental health practitioner). "
             "Unchanged since last month."),
        id="unchanged-within-5-points",
    ),
    pytest.param(
        {"ratings": AMBER_44, "previous": ("amber", 39.44)},
        "worst",
        Card(Band.AMBER, 44.44, Trend.DETERIORATED, False, 0, False, 0,
             "Amber: 2 of 3 professionals rated Amy amber (social worker, mental health practitioner). "
             "Deteriorated within amber since last month: score up from 39.44 to 44.44."),
        id="score-up-exactly-5",
    ),
    pytest.param(
        {"ratings": AMBER_44, "previous": ("amber", 49.44)},
        "worst",
        Card(Band.AMBER, 44.44, Trend.IMPROVED, False, 0, False, 0,
             "Amber: 2 of 3 professionals rated Amy amber (social worker, mental health practitioner). "
             "Improved within amber since last month: score down from 49.44 to 44.44."),
        id="score-down-exactly-5",
    ),
    pytest.param(
        {"ratings": GREEN_AND_RED},
        "worst",
        Card(Band.RED, 83.33, Trend.NEW, True, 0, False, 0,
             "Red: 1 of 2 professionals rated Amy red (mental health practitioner). New this month. "
             "Social worker rated Amy green: professionals disagree."),
        id="green-and-red-under-worst",
    ),
    pytest.param(
        {"ratings": GREEN_AND_RED},
        "median",
        Card(Band.AMBER, 50.0, Trend.NEW, True, 0, False, 0,
             "Amber: the median of 2 professionals' ratings for Amy is amber. New this month. "
             "Mental health practitioner rated Amy red but social worker rated Amy green: professionals disagree."),
        id="green-and-red-under-median",
    ),
    pytest.param(
        {
            "ratings": {"Amy": {"sw": "red", "sw2": "red", "mh": "green"}, "Ben": {"sw": "amber"}},
            "previous": ("red", 80.0),
        },
        "worst",
        Card(Band.RED, 87.5, Trend.DETERIORATED, True, 2, False, 0,
             "Red: 2 of 3 professionals rated Amy red (2 social workers). "
             "Deteriorated within red since last month: score up from 80.00 to 87.50. "
             "Mental health practitioner rated Amy green: professionals disagree. "
             "Social worker and mental health practitioner have not rated Ben yet."),
        id="disagreement-and-a-child-partly-rated",
    ),
    pytest.param(
        {**UNRATED_AMBER_LAST_MONTH, "last_rated_days_ago": 35},
        "worst",
        Card(Band.UNRATED, None, Trend.NOT_RATED, False, 2, False, 0,
             "Not yet rated: none of the 2 professionals involved has rated yet. Was amber last month."),
        id="not-rated-for-35-days-is-not-drift",
    ),
    pytest.param(
        {**UNRATED_AMBER_LAST_MONTH, "last_rated_days_ago": 36},
        "worst",
        Card(Band.UNRATED, None, Trend.NOT_RATED, False, 2, True, 0,
             "Not yet rated: none of the 2 professionals involved has rated yet. Was amber last month. "
             "Not rated for 36 days."),
        id="not-rated-for-36-days-is-drift",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("family", "policy", "card"), EXAMPLES)
def test_worked_example(family: dict[str, Any], policy: str, card: Card) -> None:
    a = assess_family(make_family(**family), policy)

    assert (
        Card(
            a.score.band,
            a.score.score,
            a.signals.trend,
            a.signals.has_disagreement,
            a.signals.missing_count,
            a.signals.drifting,
            a.signals.overdue_actions,
            a.explanation,
        )
        == card
    )
