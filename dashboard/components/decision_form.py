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
from db.models import RATIONALE_MAX, User
from db.queries.choices import choice_list
from db.queries.family_card import FamilyCard
from db.services.supervision import correct_decision, correct_update, record_decision
from risk.supervision import DECISION_TEXT_MAX, UPDATE_TEXT_MAX, ChoiceKind


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


def show_supervision_corrections(user: User, card: FamilyCard) -> str | None:
    """For a closed meeting: the team manager corrects a professional's update or the decision, with a reason that
    is kept on the record. Returns the sentence to show once a correction is saved."""
    if card.meeting_open or (not card.updates and card.decision is None):
        return None
    ref = md(card.case_reference)
    with st.expander(f"Correct an update or the decision for {ref}"):
        st.caption(
            "This meeting is closed. A correction keeps your name and your reason on the record and in the audit trail."
        )
        if card.updates:
            by_id = {u.update_id: u for u in card.updates}
            with st.form(f"correct-update-{card.meeting_id}-{card.family_id}"):
                update_id = st.selectbox(
                    "Update to correct",
                    list(by_id),
                    format_func=lambda i: f"{by_id[i].role.label.capitalize()} · {by_id[i].author}",
                    key=_key("correct-update", card),
                )
                text = st.text_area(
                    "The update as it should read (the whole text)",
                    max_chars=UPDATE_TEXT_MAX,
                    key=_key("correct-update-text", card),
                )
                reason = st.text_area(
                    "Why (required, kept on the record)", max_chars=RATIONALE_MAX, key=_key("update-reason", card)
                )
                if st.form_submit_button("Record correction of the update", key=_key("correct-update-save", card)):
                    chosen = by_id[update_id]
                    try:
                        correct_update(engine(), user, update_id, text, chosen.work_kind_id, reason, chosen.version)
                    except ServiceError as exc:
                        st.error(md(exc))
                    else:
                        return f"The update by {chosen.author} for {card.case_reference} is corrected."
        if card.decision is not None:
            decision = card.decision
            outcomes = {
                c.choice_id: c.label
                for c in choice_list(engine(), user, ChoiceKind.OUTCOME, with_retired=True)
                if not c.retired or c.choice_id == decision.outcome_id
            }
            with st.form(f"correct-decision-{card.meeting_id}-{card.family_id}"):
                text = st.text_area(
                    "The decision as it should read",
                    value=decision.text,
                    max_chars=DECISION_TEXT_MAX,
                    key=_key("correct-decision-text", card),
                )
                outcome_id = st.selectbox(
                    "Outcome",
                    list(outcomes),
                    index=list(outcomes).index(decision.outcome_id),
                    format_func=outcomes.__getitem__,
                    key=_key("correct-decision-outcome", card),
                )
                reason = st.text_area(
                    "Why (required, kept on the record)", max_chars=RATIONALE_MAX, key=_key("decision-reason", card)
                )
                if st.form_submit_button("Record correction of the decision", key=_key("correct-decision-save", card)):
                    try:
                        correct_decision(
                            engine(),
                            user,
                            decision.decision_id,
                            text,
                            outcome_id,
                            decision.next_review_on,
                            reason,
                            decision.version,
                        )
                    except ServiceError as exc:
                        st.error(md(exc))
                    else:
                        return f"The decision for {card.case_reference} is corrected."
    return None
