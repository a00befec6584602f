"""Rate: each professional's red, amber or green for every child they work with, at their team's open meeting.

One form per family, so typing never reruns the page and a family's ratings save together or not at all. The
version of each rating shown when the page loaded is kept in the session, so a save never overwrites a change
made since on another tab or device: it is refused, and what was typed stays on screen.
"""

from __future__ import annotations

import streamlit as st

from dashboard.components.rag import band_text
from dashboard.components.team_picker import choose_case_team
from dashboard.components.text import md, uk_date
from dashboard.risk.vocabulary import RAG, MeetingStatus
from dashboard.state import engine, require_user
from db.errors import InvalidInput, ServiceError, StaleRating
from db.models import RATIONALE_MAX, User
from db.queries.caseload import team_meetings
from db.queries.rating_form import FamilyToRate, rating_form
from db.services.ratings import RatingEntry, save_ratings

CHOICES = (RAG.RED, RAG.AMBER, RAG.GREEN)
FLASH = "rate_flash"


def _rag_key(meeting_id: int, child_id: int) -> str:
    return f"rag-{meeting_id}-{child_id}"


def _why_key(meeting_id: int, child_id: int) -> str:
    return f"why-{meeting_id}-{child_id}"


def _versions_key(meeting_id: int, family_id: int) -> str:
    return f"rate-versions-{meeting_id}-{family_id}"


def _stale_key(meeting_id: int, family_id: int) -> str:
    return f"rate-stale-{meeting_id}-{family_id}"


def _loaded_versions(meeting_id: int, family: FamilyToRate) -> dict[int, int | None]:
    """The version of each of my ratings as first shown (None: not rated then), kept across reruns."""
    key = _versions_key(meeting_id, family.family_id)
    if key not in st.session_state:
        st.session_state[key] = {c.child_id: c.current.version if c.current else None for c in family.children}
    return st.session_state[key]


def _forget(meeting_id: int, family: FamilyToRate) -> None:
    """Drop the remembered versions and typed values, so the family's form shows what is saved now."""
    for key in (_versions_key(meeting_id, family.family_id), _stale_key(meeting_id, family.family_id)):
        st.session_state.pop(key, None)
    for child in family.children:
        st.session_state.pop(_rag_key(meeting_id, child.child_id), None)
        st.session_state.pop(_why_key(meeting_id, child.child_id), None)


def _entries(meeting_id: int, family: FamilyToRate) -> list[RatingEntry]:
    """The ratings chosen in the family's form, against the versions shown when the page loaded."""
    versions = _loaded_versions(meeting_id, family)
    entries = []
    for child in family.children:
        rag = st.session_state.get(_rag_key(meeting_id, child.child_id))
        why = (st.session_state.get(_why_key(meeting_id, child.child_id)) or "").strip()
        if rag is None:
            if why:
                raise InvalidInput(f"Choose red, amber or green for {child.first_name}, or clear the reason.")
            continue
        loaded = versions.get(child.child_id, child.current.version if child.current else None)
        entries.append(RatingEntry(child.child_id, rag, why or None, loaded))
    return entries


def _save(user: User, meeting_id: int, family: FamilyToRate) -> None:
    try:
        saved = save_ratings(engine(), user, meeting_id, _entries(meeting_id, family))
    except StaleRating as exc:
        st.session_state[_stale_key(meeting_id, family.family_id)] = True
        st.error(md(exc))
        return
    except ServiceError as exc:
        st.error(md(exc))
        return
    for key in (_versions_key(meeting_id, family.family_id), _stale_key(meeting_id, family.family_id)):
        st.session_state.pop(key, None)  # the next run loads the versions just saved
    changed = "no changes to save" if not saved else f"{len(saved)} saved"
    st.session_state[FLASH] = f"Your ratings for {family.case_reference}: {changed}."
    st.rerun()


def _family_form(user: User, meeting_id: int, family: FamilyToRate) -> None:
    _loaded_versions(meeting_id, family)
    count = f"{family.rated} of {len(family.children)} rated"
    with st.expander(f"{md(family.case_reference)} · {count}", expanded=family.rated < len(family.children)):
        with st.form(f"rate-form-{meeting_id}-{family.family_id}", border=False):
            for child in family.children:
                status = f" · {child.legal_status.short}" if child.legal_status else ""
                st.radio(
                    f"**{md(child.first_name)}**, {child.age}{status}",
                    CHOICES,
                    index=CHOICES.index(child.current.rag) if child.current else None,
                    format_func=band_text,
                    horizontal=True,
                    key=_rag_key(meeting_id, child.child_id),
                )
                last = band_text(child.last_month) if child.last_month else "not rated by you"
                st.caption(f"Last month: {last}")
                st.text_input(
                    f"Why, for {md(child.first_name)} (optional)",
                    value=(child.current.rationale or "") if child.current else "",
                    max_chars=RATIONALE_MAX,
                    key=_why_key(meeting_id, child.child_id),
                )
            submitted = st.form_submit_button(
                f"Save ratings for {md(family.case_reference)}",
                type="primary",
                key=f"save-{meeting_id}-{family.family_id}",
            )
        if submitted:
            _save(user, meeting_id, family)
        if st.session_state.get(_stale_key(meeting_id, family.family_id)):
            st.button(
                f"Load the latest saved ratings for {md(family.case_reference)}",
                key=f"reload-{meeting_id}-{family.family_id}",
                on_click=_forget,
                args=(meeting_id, family),
                help="Replaces what you typed for this family with what is saved now.",
            )


user = require_user()
team_id = choose_case_team(user)
st.title("Rate")
if message := st.session_state.pop(FLASH, None):
    st.success(md(message))

meeting = next((m for m in team_meetings(engine(), user, team_id) if m.status is MeetingStatus.OPEN), None)
if meeting is None:
    st.info("No meeting is open. A team manager opens one on the Meeting page.")
    st.stop()
st.caption(f"{md(meeting.team)} · supervision meeting of {uk_date(meeting.held_on)}")

try:
    families = rating_form(engine(), user, meeting.id)
except ServiceError as exc:
    st.error(md(exc))
    st.stop()
if not families:
    st.info(
        f"You are not recorded as working with any family of this team on {uk_date(meeting.held_on)}, so there is "
        "nobody for you to rate. If that is wrong, ask your team manager to add you to the family."
    )
    st.stop()

rated = sum(family.rated for family in families)
total = sum(len(family.children) for family in families)
st.markdown(f"**{rated} of {total} rated** · the children of the families you work with")
st.progress(rated / total)
for family in families:
    _family_form(user, meeting.id, family)
