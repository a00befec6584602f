"""Caseload: the team's families in rank order at a meeting, narrowed by filters, and downloadable as shown."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.components.case_page import case_page, choose_meeting, or_stop
from dashboard.components.downloads import download_button
from dashboard.components.family_card import show_table
from dashboard.components.ranking_table import CaseloadFilter, filtered, ranking_table
from dashboard.components.text import md, uk_date
from dashboard.state import engine
from db.exports.cell_safety import csv_bytes
from db.queries.caseload import CaseloadEntry, ranked_caseload, team_meetings
from db.queries.caseload_filters import last_discussed
from risk.presentation import band_text
from risk.vocabulary import BAND_PRIORITY, PLANS

FAMILY_KEY = "family_id"
ALL_WORKERS = "Everyone"
LAST_DISCUSSED = "Last discussed"


def _with_last_discussed(
    cells: pd.DataFrame, styles: pd.DataFrame, shown: list[CaseloadEntry], days: dict[int, dt.date]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ranking table with the date each family was last discussed, placed before the explanation."""
    at = list(cells.columns).index("Why")
    cells, styles = cells.copy(), styles.copy()
    cells.insert(at, LAST_DISCUSSED, [uk_date(days.get(e.family_id)) for e in shown])
    styles.insert(at, LAST_DISCUSSED, styles["Case"])  # the row's own style (greyed when nobody has rated)
    return cells, styles


def _filters(workers: list[str]) -> CaseloadFilter:
    bands, statuses, worker = st.columns(3)
    chosen_bands = bands.multiselect("Band", BAND_PRIORITY, format_func=band_text, placeholder="All bands")
    chosen_statuses = statuses.multiselect(
        "Legal status",
        PLANS,
        format_func=lambda s: s.label,
        placeholder="All legal statuses",
    )
    chosen_worker = worker.selectbox("Allocated social worker", [ALL_WORKERS, *workers])
    flags = st.columns(4)
    return CaseloadFilter(
        bands=frozenset(chosen_bands),
        legal_statuses=frozenset(chosen_statuses),
        social_worker=None if chosen_worker == ALL_WORKERS else chosen_worker,
        disagreement_only=flags[0].checkbox("Only where professionals disagree"),
        persistent_only=flags[1].checkbox(
            "Only where disagreement persists over months",
            help="Red against green for a child, or one role rating below everyone else, at 3 or more of the "
            "family's last 4 rated meetings.",
        ),
        drifting_only=flags[2].checkbox("Only drifting (not rated for over 35 days)"),
        overdue_only=flags[3].checkbox("Only with overdue actions"),
    )


user, team_id = case_page("Caseload")
meetings = or_stop(lambda: team_meetings(engine(), user, team_id))
if not meetings:
    st.info("This team has no meetings yet, so there is no ranking. The team manager opens one on the Meeting page.")
    st.stop()
meeting_id = choose_meeting(meetings, "Ranked at the meeting of").id
meeting, entries = or_stop(lambda: ranked_caseload(engine(), user, meeting_id))
discussed = or_stop(lambda: last_discussed(engine(), user, meeting_id))
if not entries:
    st.info(f"No families were open with this team on {uk_date(meeting.held_on)}.")
    st.stop()

chosen = _filters(sorted({e.social_worker for e in entries if e.social_worker}))
shown = filtered(entries, chosen)
st.caption(f"{len(shown)} of {len(entries)} families · {md(meeting.team)} · {uk_date(meeting.held_on)}")
if not shown:
    st.info("No family matches these filters. Clear a filter to see more.")
    st.stop()
cells, styles = _with_last_discussed(*ranking_table(shown), shown, discussed)
show_table(cells, styles)
st.caption(
    "Last discussed: the latest earlier meeting at which a professional rated one of the family's children "
    "(– if never). The download holds exactly the rows and columns above."
)

download, family = st.columns([1, 2], vertical_alignment="bottom")
rows_shown = csv_bytes(cells)
download_button(  # handed over only after the session is re-checked and the download audited, in one step
    download,
    "Download these rows (CSV)",
    lambda _checked: rows_shown,
    what="caseload_csv",
    entity_id=meeting.id,
    details={"rows": len(shown), "filters": chosen.describe()},
    file_name=f"caseload-{meeting.held_on:%Y-%m-%d}.csv",
    mime="text/csv",
)
with family:
    references = {e.family_id: e.label() for e in shown}
    picked = st.selectbox(
        "Family history",
        list(references),
        format_func=references.__getitem__,
        index=None,
        placeholder="Choose a family to see its history",
    )
    if picked is not None and st.button("Open family history"):
        st.session_state[FAMILY_KEY] = picked
        st.switch_page("pages/family.py")
