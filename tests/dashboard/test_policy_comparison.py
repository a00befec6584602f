"""The chair's "Compare with the … rule" panel, run as the Meeting page will run it: one call, for a chair."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from dashboard.components.policy_comparison import toggle_key
from db.models import User
from db.services.ratings import RatingEntry, save_ratings
from db.services.scores import set_team_policy
from risk.policies import MEDIAN, POLICIES, WORST, Policy
from risk.vocabulary import RAG
from tests.dashboard.conftest import as_user
from tests.db.test_policy_comparison import split_caseload


def _panel(meeting_id: int) -> None:
    """The script AppTest runs: the signed-in user, then the one call the Meeting page makes."""
    from dashboard.components.policy_comparison import show_policy_comparison
    from dashboard.state import require_user

    show_policy_comparison(require_user(), meeting_id)


def _run(user: User, meeting_id: int, compare: bool) -> AppTest:
    at = as_user(AppTest.from_function(_panel, args=(meeting_id,), default_timeout=30), user)
    at.session_state[toggle_key(meeting_id)] = compare
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _text(at: AppTest) -> str:
    parts = [e.value for kind in (at.markdown, at.caption, at.success, at.info, at.error) for e in kind]
    return "\n".join(parts)


def test_the_chair_sees_the_count_and_the_families_that_differ(app_engine: Engine) -> None:
    caseload = split_caseload(app_engine)
    at = _run(caseload.team.manager, caseload.team.meeting.id, compare=True)

    assert [e.label for e in at.expander] == ["Compare with the median rule"]
    shown = _text(at)
    assert "This team's rule is the worst rule:" in shown
    assert "Nothing stored changes" in shown
    assert "- 1 family would move from red to amber" in shown
    table = at.dataframe[0].value
    assert table["Case"].tolist() == ["F-1"]  # F-2 (all red) and F-3 (all green) agree under both rules
    assert table.iloc[0][["Rank (worst)", "Band (worst)", "Rank (median)", "Band (median)"]].tolist() == [
        2,
        "🔴 Red",
        2,
        "🟠 Amber",
    ]
    assert table.iloc[0]["Why (worst)"].startswith("Red:")
    assert table.iloc[0]["Why (median)"].startswith("Amber:")


def test_nothing_is_computed_until_the_chair_asks(app_engine: Engine) -> None:
    caseload = split_caseload(app_engine)
    at = _run(caseload.team.manager, caseload.team.meeting.id, compare=False)

    assert len(at.toggle) == 1 and not at.toggle[0].value
    assert not at.dataframe
    assert "would move" not in _text(at)

    at.toggle[0].set_value(True).run()
    assert at.dataframe[0].value["Case"].tolist() == ["F-1"]


def test_when_the_rules_agree_the_panel_says_so(app_engine: Engine) -> None:
    caseload = split_caseload(app_engine)
    # the split family's green becomes red: two reds and an amber are red under either rule
    save_ratings(
        app_engine,
        caseload.substance_misuse,
        caseload.team.meeting.id,
        [RatingEntry(caseload.children["F-1"], RAG.RED, expected_version=1)],
    )
    at = _run(caseload.team.manager, caseload.team.meeting.id, compare=True)

    assert "The median rule gives the same bands and order for every family." in _text(at)
    assert not at.dataframe


def test_a_practitioner_is_refused_in_words(app_engine: Engine) -> None:
    caseload = split_caseload(app_engine)
    at = _run(caseload.team.social_worker, caseload.team.meeting.id, compare=True)

    assert [e.value for e in at.error] == ["Only the team manager can do that\\."]
    assert not at.dataframe


def test_a_team_on_the_median_rule_is_offered_the_worst_rule(app_engine: Engine) -> None:
    caseload = split_caseload(app_engine)
    set_team_policy(app_engine, None, caseload.team.team.id, "median")
    at = _run(caseload.team.manager, caseload.team.meeting.id, compare=True)

    assert [e.label for e in at.expander] == ["Compare with the worst rule"]
    shown = _text(at)
    assert f"**This team's rule is the median rule:** {MEDIAN.description}." in shown
    assert f"Beside it, the worst rule: {WORST.description}." in shown
    assert "- 1 family would move from amber to red" in shown


def test_with_more_rules_the_chair_chooses_which_to_compare_with(
    app_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    mildest = Policy("mildest", 1, "a child's rating is the least severe any professional gave", _least_severe)
    monkeypatch.setitem(POLICIES, mildest.name, mildest)  # a third rule in the registry, as a later version might add
    caseload = split_caseload(app_engine)
    at = _run(caseload.team.manager, caseload.team.meeting.id, compare=True)

    assert [e.label for e in at.expander] == ["Compare with another rule"]
    [choice] = at.selectbox
    assert (choice.label, choice.options) == ("Rule to compare with", ["median", "mildest"])
    assert "Beside it, the median rule:" in _text(at)

    choice.set_value("mildest").run()
    shown = _text(at)
    assert "Beside it, the mildest rule: a child's rating is the least severe any professional gave." in shown
    assert "- 1 family would move from red to green" in shown  # F-1's red, amber and green


def _least_severe(rags: Sequence[RAG]) -> RAG:
    return min(rags, key=lambda rag: rag.level)
