"""The chair's correction of a rating in a closed meeting: which rating, what it should be, and why."""

from __future__ import annotations

import streamlit as st

from dashboard.components.text import md
from dashboard.state import engine
from db.errors import ServiceError
from db.models import RATIONALE_MAX, User
from db.queries.corrections import correctable_ratings
from db.services.corrections import correct_rating
from risk.presentation import band_text
from risk.vocabulary import RATING_WORDS, RATINGS

CHOICES = RATINGS


def show_correction_form(user: User, meeting_id: int, family_id: int, case_reference: str) -> str | None:
    """The form, for a closed meeting's family; returns a message once a correction is saved."""
    try:
        ratings = correctable_ratings(engine(), user, meeting_id, family_id)
    except ServiceError as exc:
        st.error(md(exc))
        return None
    if not ratings:
        return None
    by_id = {r.rating_id: r for r in ratings}
    with st.expander(f"Correct a rating of {md(case_reference)}"), st.form(f"correct-{meeting_id}-{family_id}"):
        st.caption(
            "This meeting is closed. A correction changes one rating, keeps the old value, your name and your "
            "reason in the audit trail, and recomputes the meeting's stored scores."
        )
        rating_id = st.selectbox(
            "Rating to correct",
            list(by_id),
            format_func=lambda i: (
                f"{by_id[i].child} · {by_id[i].practitioner} ({by_id[i].role.label}) · now {by_id[i].rag.label}"
            ),
            key=f"correct-rating-{meeting_id}-{family_id}",
        )
        rag = st.radio("Correct it to", CHOICES, index=None, format_func=band_text, horizontal=True)
        reason = st.text_area("Why (required, kept on the record)", max_chars=RATIONALE_MAX)
        submitted = st.form_submit_button("Record correction")
    if not submitted:
        return None
    if rag is None:
        st.error(f"Choose {RATING_WORDS} for the corrected rating.")
        return None
    chosen = by_id[rating_id]
    try:
        correct_rating(engine(), user, rating_id, rag, reason, chosen.version)
    except ServiceError as exc:
        st.error(md(exc))
        return None
    return f"{chosen.child}'s rating by {chosen.practitioner} corrected from {chosen.rag.label} to {rag.label}."
