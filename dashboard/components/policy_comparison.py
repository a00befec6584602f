"""The chair's comparison of the team's risk rule with the team's other rules (risk.policies), at one meeting, on
the shared screen.

It is a window for the team to discuss its rule, not a way to quietly lower risk, so it always says which rule is
the team's and that nothing stored changes. Expanders always run in Streamlit, so the work waits behind a switch
inside the expander: until the chair asks, the Meeting page pays only for naming the rules (two indexed look-ups).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.components.family_card import band_style, show_table
from dashboard.components.text import md
from dashboard.state import engine
from db.errors import ServiceError
from db.models import User
from db.queries.policy_comparison import PolicyComparison, policy_comparison, rules_to_compare
from risk.policies import POLICIES
from risk.presentation import band_text

SAME_EVERYWHERE = "The {other} rule gives the same bands and order for every family."


def toggle_key(meeting_id: int) -> str:
    return f"compare-policies-{meeting_id}"


def rule_key(meeting_id: int) -> str:
    return f"compare-policies-rule-{meeting_id}"


def show_policy_comparison(
    user: User, meeting_id: int, *, presentation: bool = False, initials_only: bool = False
) -> None:
    """An expander, for the team's manager, comparing the team's rule with the team's other rules at this meeting
    (a choice when there is more than one)."""
    try:
        rules = rules_to_compare(engine(), user, meeting_id)
    except ServiceError as exc:
        st.error(md(exc))
        return
    if not rules.others:
        return  # a service with one rule has nothing to compare
    single = rules.others[0].name if len(rules.others) == 1 else None
    with st.expander(f"Compare with the {single} rule" if single else "Compare with another rule"):
        st.caption(
            f"How {f'the {single} rule' if single else 'another rule'} would band and order this meeting's families, "
            "worked out from the same ratings. Nothing stored changes: only an administrator can move the team to "
            "another rule."
        )
        if not st.toggle(f"Show the {single or 'other'} rule beside the team's", key=toggle_key(meeting_id)):
            return
        names = [p.name for p in rules.others]
        if st.session_state.get(rule_key(meeting_id)) not in names:  # the team's rule has changed since
            st.session_state.pop(rule_key(meeting_id), None)
        other = single or st.selectbox("Rule to compare with", names, key=rule_key(meeting_id))
        try:
            comparison = policy_comparison(engine(), user, meeting_id, other)
        except ServiceError as exc:
            st.error(md(exc))
            return
        _show(comparison, presentation, initials_only)


def _show(comparison: PolicyComparison, presentation: bool, initials_only: bool) -> None:
    team, other = comparison.team_policy, comparison.other_policy
    record = " Its side below is this meeting's stored record." if comparison.stored else ""
    st.markdown(
        f"**This team's rule is the {team} rule:** {_rule_words(team)}.{record} "
        f"Beside it, the {other} rule: {_rule_words(other)}."
    )
    if not comparison.differing:
        st.success(SAME_EVERYWHERE.format(other=other))
        return
    lines = [f"- {move.words}" for move in comparison.moves]
    if comparison.reordered_only:
        kept = comparison.reordered_only
        lines.append(f"- {'1 family' if kept == 1 else f'{kept} families'} would keep their band but change place")
    st.markdown("\n".join(lines))
    cells, styles = comparison_table(comparison, initials_only=initials_only)
    show_table(cells, styles, presentation=presentation)


def _rule_words(policy: str) -> str:
    """The rule's description from the registry; a rule this version does not know (a record stored by a later
    version) is named only."""
    known = POLICIES.get(policy)
    return known.description if known else f"the {md(policy)} policy"


def comparison_table(comparison: PolicyComparison, *, initials_only: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cells, styles): each differing family under both rules, team's first, with both explanations. Cells are
    plain text; show_table escapes them wherever they would be read as Markdown."""
    team, other = comparison.team_policy, comparison.other_policy
    columns = [
        "Case",
        f"Rank ({team})",
        f"Band ({team})",
        f"Score ({team})",
        f"Rank ({other})",
        f"Band ({other})",
        f"Score ({other})",
        f"Why ({team})",
        f"Why ({other})",
    ]
    rows = [
        [
            f.label(initials_only),
            f.team.rank,
            band_text(f.team.band),
            _score(f.team.score),
            f.other.rank,
            band_text(f.other.band),
            _score(f.other.score),
            f.team.explanation,
            f.other.explanation,
        ]
        for f in comparison.differing
    ]
    cells = pd.DataFrame(rows, columns=columns)
    styles = pd.DataFrame("", index=cells.index, columns=columns)
    styles[f"Band ({team})"] = [band_style(f.team.band) for f in comparison.differing]
    styles[f"Band ({other})"] = [band_style(f.other.band) for f in comparison.differing]
    return cells, styles


def _score(score: float | None) -> str:
    return f"{score:.2f}" if score is not None else "–"
