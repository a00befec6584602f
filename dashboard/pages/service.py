"""Service overview for service leads: how each team's caseload stands month by month, from stored scores.

Aggregates only. No family or child is named on this page, and the queries return none. The office filter is
applied in the queries (which also enforce the lead's own office), not by hiding rows here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.components.charts import element_height
from dashboard.components.heatmaps import CELL, heatmap, heatmap_height, outcomes_chart, team_comparison
from dashboard.components.text import md
from dashboard.state import engine, require_user
from db.errors import ServiceError
from db.exports.heatmap_files import chart_png, chart_svg, heatmap_csv
from db.models import User
from db.queries.service import (
    legal_status_counts,
    months_back,
    office_month_scores,
    team_month_scores,
    visible_offices,
)
from db.services.disclosures import record_download

ALL_OFFICES = "All offices"
ALL_TEAMS = "All teams shown"
EXPORT_CELL_PX = 48  # a downloaded heatmap has no page to stretch to: each month column is this wide
STATUS_COLUMNS = ["CIN", "CP", "PLO", "Proceedings", "CLA"]


def _month_label(month: Any) -> str:
    return pd.Timestamp(month).strftime("%m/%Y")


def _choose_office(user: User) -> int | None:
    """The office to show (None: every office in scope). Offered only when the user can see more than one."""
    offices = visible_offices(engine(), user)
    if not offices:
        st.info(
            "There are no service figures for your account: they are for service leads and team staff. "
            "Ask an administrator if you need access."
        )
        st.stop()
    if len(offices) == 1:
        return None
    names = {o.id: o.name for o in offices}
    return st.selectbox(
        "Office", [None, *names], format_func=lambda i: ALL_OFFICES if i is None else names[i], key="office"
    )


def _download_row(user: User, frame: pd.DataFrame, chart: alt.LayerChart, months: int, office_id: int | None) -> None:
    """CSV of the figures shown and the red-share heatmap as PNG and SVG; each download is audited (what was
    asked for, never the figures themselves). The images are drawn only when their button is pressed."""
    details = {"months": months, "office_id": office_id, "rows": len(frame)}
    csv, png, svg = st.columns(3)
    for column, label, data, name, mime, what in (
        (csv, "Figures (CSV)", heatmap_csv(frame), "service-heatmap.csv", "text/csv", "service_heatmap_csv"),
        (png, "Heatmap (PNG)", lambda: chart_png(chart), "service-heatmap.png", "image/png", "service_heatmap_png"),
        (svg, "Heatmap (SVG)", lambda: chart_svg(chart), "service-heatmap.svg", "image/svg+xml", "service_heatmap_svg"),
    ):
        column.download_button(
            label,
            data,
            file_name=name,
            mime=mime,
            key=what,
            on_click=record_download,
            args=(engine(), user, what, None, details),
        )


def _picked_cell(event: Any, months: list[dt.date]) -> tuple[str, dt.date] | None:
    """The (team, month) of the heatmap cell the user clicked, if any."""
    picked = (event or {}).get("selection", {}).get(CELL) or []
    if not picked:
        return None
    label = picked[0].get("month_label")
    month = next((m for m in months if _month_label(m) == label), None)
    return (picked[0].get("team"), month) if month is not None else None


def _legal_counts(user: User, months: int, latest: dt.date, office_id: int | None) -> pd.DataFrame:
    """Children by legal status from the heatmaps' first month up to today, so every month on the heatmaps has
    its counts even when the latest closed meeting was a while ago."""
    today = dt.date.today()
    since_latest = max(0, (today.year - latest.year) * 12 + today.month - latest.month)
    counts = legal_status_counts(engine(), user, months + since_latest, today=today, office_id=office_id)
    return counts[counts["month"] >= months_back(latest, months)[0]]


def _follow_click(picked: tuple[str, dt.date] | None, teams: list[str], months: list[dt.date]) -> None:
    """Point the team and month boxes at a newly clicked cell; otherwise keep the user's own choice (a stale
    choice, e.g. after fewer months are shown, falls back to the first team and the latest month)."""
    if picked is not None and picked != st.session_state.get("clicked_cell") and picked[0] in teams:
        st.session_state["clicked_cell"] = picked
        st.session_state["detail_team"], st.session_state["detail_month"] = picked
    if st.session_state.get("detail_team") not in teams:
        st.session_state["detail_team"] = teams[0]
    if st.session_state.get("detail_month") not in months:
        st.session_state["detail_month"] = months[-1]


def _detail(frame: pd.DataFrame, counts: pd.DataFrame, team: str, month: dt.date) -> None:
    """One team's figures for one month: families by band, mean score, children by legal status."""
    st.markdown(f"**{md(team)} · {_month_label(month)}**")
    row = frame[(frame["team"] == team) & (frame["month"] == month)]
    if row.empty:
        st.info("That team closed no meeting that month. Choose another month.")
        return
    r = row.iloc[0]
    figures = [
        ("🔴 Red", int(r["red"])),
        ("🟠 Amber", int(r["amber"])),
        ("🟢 Green", int(r["green"])),
        ("⚪ Not yet rated", int(r["unrated"])),
        ("Mean score", f"{r['mean_score']:.1f}" if pd.notna(r["mean_score"]) else "–"),
    ]
    for col, (label, value) in zip(st.columns(len(figures)), figures, strict=True):
        col.metric(label, value)
    children = counts[(counts["team"] == team) & (counts["month"] == month)]
    if children.empty:
        st.caption("No child of this team had an open legal status at the end of that month.")
    else:
        by_status = dict(zip(children["status"], children["children"], strict=True))
        st.caption(
            "Children by legal status at the end of that month: "
            + ", ".join(f"{s} {by_status[s]}" for s in STATUS_COLUMNS if s in by_status)
        )


user = require_user()
st.title("Service overview")
st.caption(
    "Figures per team and month, from the scores stored when each team's supervision meeting closed. "
    "No family or child is named on this page."
)
try:
    office_id = _choose_office(user)
    months = st.slider("Months shown", min_value=1, max_value=24, value=12, key="months")
    team_months = team_month_scores(engine(), user, months, office_id=office_id)
    if team_months.empty:
        if office_id is None:
            st.info("No meeting has closed yet: figures appear once teams close their first meeting.")
        else:
            st.info("No meeting has closed in this office yet. Choose All offices to see the rest of the service.")
        st.stop()
    counts = _legal_counts(user, months, team_months["month"].max(), office_id)
except ServiceError as exc:
    st.error(md(str(exc)))
    st.stop()

st.subheader("Share of families rated red, by team and month")
red_map = heatmap(team_months, "team", "red_share", "Share red", percent=True)
event = st.altair_chart(red_map, width="stretch", height=heatmap_height(red_map), on_select="rerun", key="red-map")
st.caption("Share of the families with a rating that were red. Click a cell to see that team's month below.")

teams = sorted(team_months["team"].unique())
month_values = sorted(team_months["month"].unique())
_follow_click(_picked_cell(event, month_values), teams, month_values)
left, right = st.columns(2)
team = left.selectbox("Team", teams, key="detail_team")
month = right.selectbox("Month", month_values, format_func=_month_label, key="detail_month")
_detail(team_months, counts, team, month)

st.markdown("**Download these figures**")
_download_row(user, team_months, red_map.properties(width=alt.Step(EXPORT_CELL_PX)), months, office_id)

st.subheader("Mean family score, by team and month")
score_map = heatmap(team_months, "team", "mean_score", "Mean score")
st.altair_chart(score_map, width="stretch", height=heatmap_height(score_map))
st.caption("Mean of the rated families' scores (0 to 100); a cell with no rated family shows '–'.")

if office_id is None and team_months["office"].nunique() > 1:
    st.subheader("Share of families rated red, by office and month")
    office_map = heatmap(office_month_scores(team_months), "office", "red_share", "Share red", percent=True)
    st.altair_chart(office_map, width="stretch", height=heatmap_height(office_map))

latest_month = team_months["month"].max()
latest = team_months[team_months["month"] == latest_month]
st.subheader(f"Teams compared, {_month_label(latest_month)}")
comparison = team_comparison(latest)
st.altair_chart(comparison, width="stretch", height=element_height(comparison))
st.caption("Families in each band, as a share of the team's caseload; each bar is labelled with its number.")

st.subheader("Children by legal status (the outcomes framework)")
if counts.empty:
    st.info("No child has an open legal status in these months.")
else:
    shown_team = st.selectbox("Teams in this chart", [ALL_TEAMS, *sorted(counts["team"].unique())], key="outcomes")
    chosen = counts if shown_team == ALL_TEAMS else counts[counts["team"] == shown_team]
    outcomes = outcomes_chart(chosen)
    st.altair_chart(outcomes, width="stretch", height=element_height(outcomes))
    last = counts[counts["month"] == counts["month"].max()]
    table = last.pivot_table(index="team", columns="status", values="children", aggfunc="sum", fill_value=0)
    st.caption(f"Children by legal status per team at {_month_label(counts['month'].max())}")
    st.dataframe(table.reindex(columns=[c for c in STATUS_COLUMNS if c in table.columns]))
