"""Family: one family's history across months: each child's ratings by each professional, the family score,
legal status, each professional's update and the chair's decision month by month, actions, and every change made to
its ratings."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.components.case_page import case_page, or_stop
from dashboard.components.chart_text import show_chart
from dashboard.components.charts import (
    element_height,
    ratings_figures,
    ratings_heatmap,
    score_figures,
    score_line,
    status_figures,
    status_timeline,
)
from dashboard.components.family_card import plain_paragraphs, update_heading
from dashboard.components.family_name_form import FLASH as NAME_FLASH
from dashboard.components.family_name_form import family_name_form
from dashboard.components.grids import show_grid
from dashboard.components.text import md, uk_date
from dashboard.state import engine
from db.queries.family_history import FamilyHistory, family_history, team_families
from db.services.disclosures import record_view
from risk.vocabulary import MANAGER_ROLES, RATINGS

FAMILY_KEY = "family_id"
VIEWED_KEY = "families_viewed"


def _record_view_once(history: FamilyHistory) -> None:
    """Opening a family is audited once per session, not on every rerun of the page."""
    viewed: set[int] = st.session_state.setdefault(VIEWED_KEY, set())
    if history.family_id not in viewed:
        record_view(engine(), user, "family", history.family_id)
        viewed.add(history.family_id)


def _actions_table(history: FamilyHistory) -> pd.DataFrame:
    today = dt.date.today()
    return pd.DataFrame(
        [
            {
                "Agreed at": uk_date(a.raised_on),
                "Action": a.text,
                "Who": a.owner or "",
                "By": uk_date(a.due_on),
                "Done": uk_date(a.completed_on)
                if a.completed_on
                else ("Overdue" if a.due_on and a.due_on < today else "Open"),
            }
            for a in history.actions
        ]
    )


def _changes_table(history: FamilyHistory) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "When": f"{c.at:%d/%m/%Y %H:%M}",
                "By": c.by or "system",
                "What": f"{c.child} · {c.professional}",
                "From": (c.before or "").capitalize(),
                "To": (c.after or "").capitalize(),
                "Kind": c.kind,
                "Reason": c.reason or "",
            }
            for c in history.changes
        ]
    )


def _ratings_description(history: FamilyHistory) -> str:
    """The ratings chart in one sentence, for those who cannot see it."""
    points = history.ratings
    meetings = sorted({p.held_on for p in points})
    counts = ", ".join(f"{sum(p.rag is rag for p in points)} {rag.value}" for rag in RATINGS)
    letters = ", ".join(rag.label[0] for rag in RATINGS[:-1]) + f" or {RATINGS[-1].label[0]}"
    return (
        f"Ratings chart: {len(points)} ratings at {len(meetings)} meetings from {uk_date(meetings[0])} to "
        f"{uk_date(meetings[-1])} ({counts}), one row per child and professional, each cell lettered {letters}. "
        "The table below lists every rating."
    )


def _score_description(history: FamilyHistory) -> str:
    last = history.scores[-1]
    score = f"{last.score:.2f}" if last.score is not None else "no score"
    return (
        f"Family score chart: {len(history.scores)} stored scores from {uk_date(history.scores[0].held_on)} to "
        f"{uk_date(last.held_on)}; the latest is {score} ({last.band.label.lower()}). The table below lists each."
    )


def _status_description(history: FamilyHistory) -> str:
    return (
        f"Legal status chart: {len(history.statuses)} periods of each child's plan over time, each bar labelled "
        "with its status. The table below lists each with its dates."
    )


user, team_id = case_page("Family")
families = or_stop(lambda: team_families(engine(), user, team_id))
if not families:
    st.info("This team has no families yet. An administrator adds them (Admin, or an import).")
    st.stop()
labels = {f.id: f.label + (f" (closed {uk_date(f.closed_on)})" if f.closed_on else "") for f in families}
ids = list(labels)
wanted = st.session_state.get(FAMILY_KEY)
family_id = st.selectbox(
    "Family", ids, index=ids.index(wanted) if wanted in labels else 0, format_func=labels.__getitem__
)
st.session_state[FAMILY_KEY] = family_id
history = or_stop(lambda: family_history(engine(), user, family_id))
_record_view_once(history)

if user.role in MANAGER_ROLES:
    with st.expander("Correct the family's name", expanded=NAME_FLASH in st.session_state):
        family_name_form(user, history.family_id, history.case_reference, history.display_name)

status = f"closed {uk_date(history.closed_on)}" if history.closed_on else "open"
st.caption(
    f"{md(history.team)} · social worker {md(history.social_worker or 'not allocated')} · "
    f"opened {uk_date(history.opened_on)} · {status} · children: {md(', '.join(history.children))}"
)

st.subheader("Ratings by each professional, month by month")
if history.ratings:
    heat = ratings_heatmap(history.ratings)
    show_chart(heat, _ratings_description(history), ratings_figures(history.ratings), height=element_height(heat))
else:
    st.info("Nobody has rated this family's children yet.")

left, right = st.columns(2)
with left:
    st.subheader("Family score")
    if history.scores:
        show_chart(score_line(history.scores), _score_description(history), score_figures(history.scores))
    else:
        st.info("No stored score yet: scores are stored when a meeting closes.")
with right:
    st.subheader("Legal status")
    timeline = status_timeline(history.statuses, dt.date.today())
    show_chart(
        timeline, _status_description(history), status_figures(history.statuses), height=element_height(timeline)
    )

st.subheader("Updates and decisions, month by month")
if history.months:
    for month in history.months:
        with st.expander(f"Meeting of {uk_date(month.held_on)}", expanded=month is history.months[0]):
            for update in month.updates:
                st.markdown(f"**{md(update_heading(update))}**")
                if update.text:
                    st.markdown(plain_paragraphs(update.text))
                if update.correction_reason:
                    st.caption(f"Corrected after the meeting closed: {md(update.correction_reason)}")
            if not month.updates:
                st.caption("No professional wrote an update for this meeting.")
            if month.decision is not None:
                review = uk_date(month.decision.next_review_on) if month.decision.next_review_on else "not set"
                st.markdown(f"**Decision: {md(month.decision.outcome)}** · next review {review}")
                st.markdown(plain_paragraphs(month.decision.text))
                if month.decision.correction_reason:
                    st.caption(f"Corrected after the meeting closed: {md(month.decision.correction_reason)}")
            else:
                st.caption("No decision was recorded at this meeting.")
else:
    st.caption("No update or decision has been recorded for this family yet.")

st.subheader("Actions")
if history.actions:
    show_grid(_actions_table(history), hide_index=True, width="stretch")
else:
    st.caption("No actions recorded for this family.")

st.subheader("Changes to ratings")
if history.changes:
    show_grid(_changes_table(history), hide_index=True, width="stretch")
else:
    st.caption("No saved rating of this family has been changed.")
