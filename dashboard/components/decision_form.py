"""The chair's decision for the family on screen: the decision and next steps, the outcome from the administrator's
list, and the next review (the team's next meeting unless the chair changes it).

The decision's version as first drawn is kept in the session, so a save made after someone else changed it (a
second screen, another manager) is refused with what was typed kept, never silently overwriting theirs.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.components.text import md
from dashboard.state import engine
from db.errors import ServiceError, StaleRating
from db.models import User
from db.queries.choices import choice_list
from db.queries.family_card import FamilyCard
from db.services.supervision import record_decision
from risk.supervision import DECISION_TEXT_MAX, ChoiceKind


def _key(field: str, card: FamilyCard) -> str:
    """Widget keys per meeting and family, so words typed for one family never turn up in the next family's form."""
    return f"decision-{field}-{card.meeting_id}-{card.family_id}"


def _forget(card: FamilyCard) -> None:
    for field in ("text", "outcome", "review", "version", "stale"):
        st.session_state.pop(_key(field, card), None)


def show_decision_form(user: User, card: FamilyCard) -> str | None:
    """The form; returns the sentence to show once the decision is saved (None otherwise)."""
    version_key = _key("version", card)
    if version_key not in st.session_state:
        st.session_state[version_key] = card.decision.version if card.decision else None
    decision = card.decision
    outcomes = {
        c.choice_id: c.label
        for c in choice_list(engine(), user, ChoiceKind.OUTCOME, with_retired=True)
        if not c.retired or (decision and decision.outcome_id == c.choice_id)
    }
    ref = md(card.case_reference)
    with st.form(f"decision-{card.meeting_id}-{card.family_id}"):
        st.markdown(f"**Record the decision for {ref}**")
        text = st.text_area(
            "Decision and next steps",
            value=decision.text if decision else "",
            max_chars=DECISION_TEXT_MAX,
            help=f"Plain text, up to {DECISION_TEXT_MAX:,} characters. The actions agreed are recorded below it.",
            key=_key("text", card),
        )
        current = decision.outcome_id if decision else None
        outcome_id = st.selectbox(
            "Outcome",
            list(outcomes),
            index=list(outcomes).index(current) if current in outcomes else None,
            format_func=outcomes.__getitem__,
            placeholder="Choose the outcome",
            key=_key("outcome", card),
        )
        review = st.date_input(
            "Next review",
            value=decision.next_review_on if decision and decision.next_review_on else card.next_review_default,
            min_value=card.held_on + dt.timedelta(days=1),
            format="DD/MM/YYYY",
            help="The team's next meeting unless you choose another day.",
            key=_key("review", card),
        )
        submitted = st.form_submit_button("Save decision", key=_key("save", card))
    if st.session_state.get(_key("stale", card)) and st.button(
        f"Load the latest decision for {ref}",
        key=_key("reload", card),
        help="Replaces what you typed for this family's decision with what is saved now.",
    ):
        _forget(card)
        st.rerun()
    if not submitted:
        return None
    if outcome_id is None:
        st.error("Choose the outcome before saving the decision.")
        return None
    try:
        saved = record_decision(
            engine(),
            user,
            card.meeting_id,
            card.family_id,
            text,
            outcome_id,
            review if isinstance(review, dt.date) else None,
            st.session_state[version_key],
        )
    except StaleRating as exc:
        st.session_state[_key("stale", card)] = True
        st.error(md(exc))
        return None
    except ServiceError as exc:
        st.error(md(exc))
        return None
    st.session_state[version_key] = saved.version
    st.session_state.pop(_key("stale", card), None)
    return f"Decision recorded for {card.case_reference}."
