from risk.inputs import FamilyAtMeeting
from risk.ranking import assess_family
from tests.risk.factories import make_family


def explained(family: FamilyAtMeeting, policy: str = "worst") -> str:
    return assess_family(family, policy).explanation


def test_the_issue_example_reads_as_the_issue_wrote_it() -> None:
    family = make_family({"Amy": {"sw": "red", "mh": "red", "sm": "green"}}, involved=["dao"], previous=("amber", 50.0))

    assert explained(family) == (
        "Red: 2 of 3 professionals rated Amy red (social worker, mental health practitioner). "
        "Deteriorated from amber last month. "
        "Substance misuse worker rated Amy green: professionals disagree. "
        "Domestic abuse officer (perpetrators) has not rated yet."
    )


def test_professionals_sharing_a_role_are_counted_not_repeated() -> None:
    family = make_family({"Amy": {"sw": "amber", "sw2": "amber", "mh": "amber"}}, previous=("amber", 50.0))

    assert explained(family) == (
        "Amber: 3 of 3 professionals rated Amy amber (2 social workers, mental health practitioner). "
        "Unchanged since last month."
    )


def test_every_child_driving_the_band_is_named_in_name_order() -> None:
    family = make_family(
        {"Cara": {"sw": "red"}, "Amy": {"sw": "red", "mh": "amber"}, "Ben": {"sw": "green"}}, previous=("red", 95.0)
    )

    assert explained(family) == (
        "Red: 1 of 2 professionals rated Amy red (social worker); 1 professional rated Cara red (social worker). "
        "Improved within red since last month: score down from 95.00 to 87.50. "
        "Mental health practitioner has not rated Ben or Cara yet."
    )


def test_a_family_first_rated_after_an_unrated_month_is_not_called_new() -> None:
    family = make_family({"Amy": {"sw": "green"}}, previous=("unrated", None))

    assert explained(family) == "Green: 1 professional rated Amy green (social worker). First rated this month."


def test_a_family_unrated_now_recalls_its_band_last_month() -> None:
    family = make_family(involved=["sw"], previous=("red", 83.33))

    assert explained(family) == "Not yet rated: the one professional involved has not rated yet. Was red last month."


def test_a_family_with_nobody_involved_says_so() -> None:
    assert explained(make_family(previous=None)) == "Not yet rated: no professionals are recorded as involved."


def test_professionals_missing_the_same_children_share_a_sentence() -> None:
    family = make_family(
        {"Amy": {"sw": "amber", "dao": "amber"}, "Ben": {"sw": "amber"}, "Cara": {"sw": "green"}},
        involved=["mh", "sm"],
        previous=("amber", 45.0),
    )

    assert explained(family) == (
        "Amber: 2 of 2 professionals rated Amy amber (social worker, domestic abuse officer (perpetrators)); "
        "1 professional rated Ben amber (social worker). "
        "Unchanged since last month. "
        "Domestic abuse officer (perpetrators) has not rated Ben or Cara yet. "
        "Substance misuse worker and mental health practitioner have not rated yet."
    )


def test_under_the_median_policy_a_red_and_a_green_explain_an_amber_nobody_gave() -> None:
    family = make_family({"Amy": {"sw": "green", "mh": "red"}})

    assert explained(family, "median") == (
        "Amber: the median of 2 professionals' ratings for Amy is amber. New this month. "
        "Mental health practitioner rated Amy red but social worker rated Amy green: professionals disagree."
    )


def test_under_the_median_policy_a_green_band_names_only_the_dissenting_red() -> None:
    family = make_family({"Amy": {"sw": "green", "fsw": "green", "mh": "red"}}, previous=("green", 11.11))

    assert explained(family, "median") == (
        "Green: 2 of 3 professionals rated Amy green (social worker, family support worker). "
        "Unchanged since last month. "
        "Mental health practitioner rated Amy red: professionals disagree."
    )


def test_one_overdue_action_is_singular() -> None:
    family = make_family({"Amy": {"sw": "green"}}, previous=("green", 0.0), overdue_actions=1)

    assert explained(family) == (
        "Green: 1 professional rated Amy green (social worker). Unchanged since last month. 1 action overdue."
    )
