"""Service overview for service leads: how each team's caseload stands month by month, from stored scores.

Aggregates only. No family or child is named on this page, and the queries return none.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.components.charts import element_height
from dashboard.components.heatmaps import CELL, heatmap, outcomes_chart, team_comparison
from dashboard.components.text import md
from dashboard.state import engine, require_user
from db.errors import ServiceError
from db.exports.heatmap_files import chart_png, chart_svg, heatmap_csv
from db.queries.service import legal_status_counts, office_month_scores, team_month_scores
from db.services.disclosures import record_download

ALL_OFFICES = "All offices"


def _download_row(frame: pd.DataFrame, chart: object, months: int, office: str) -> None:
    details = {"months": months, "office": office, "rows": len(frame)}
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


def _detail(frame: pd.DataFrame, counts: pd.DataFrame, team: str, month: pd.Timestamp | object) -> None:
    row = frame[(frame["team"] == team) & (frame["month"] == month)]
    if row.empty:
        st.info("That team held no closed meeting that month.")
        return
    r = row.iloc[0]
    st.markdown(f"**{md(team)} · {pd.Timestamp(month):%m/%Y}**")
    cols = st.columns(5)
    for col, (label, value) in zip(
        cols,
        [
            ("🔴 Red", r["red"]),
            ("🟠 Amber", r["amber"]),
            ("🟢 Green", r["green"]),
            ("⚪ Not yet rated", r["unrated"]),
            ("Mean score", f"{r['mean_score']:.1f}" if pd.notna(r["mean_score"]) else "–"),
        ],
        strict=True,
    ):
        col.metric(label, value)
    children = counts[(counts["team"] == team) & (counts["month"] == month)]
    if not children.empty:
        st.caption(
            "Children by legal status at the end of that month: "
            + ", ".join(f"{s} {n}" for s, n in zip(children["status"], children["children"], strict=True))
        )


user = require_user()
st.title("Service overview")
months = st.select_slider("Months shown", options=[3, 6, 12, 18, 24], value=12)
try:
    team_months = team_month_scores(engine(), user, months)
    counts = legal_status_counts(engine(), user, months)
except ServiceError as exc:
    st.error(md(exc))
    st.stop()
if team_months.empty:
    st.info("No meeting has closed yet: figures appear here once teams close their first meeting.")
    st.stop()

offices = sorted(team_months["office"].unique())
office = st.selectbox("Office", [ALL_OFFICES, *offices]) if len(offices) > 1 else offices[0]
if office != ALL_OFFICES:
    team_months = team_months[team_months["office"] == office]
    counts = counts[counts["office"] == office]

st.subheader("Share of families rated red, by team and month")
red_map = heatmap(team_months, "team", "red_share", "Share red", percent=True)
event = st.altair_chart(red_map, width="stretch", height=element_height(red_map), on_select="rerun", key="red-heatmap")
st.caption("Click a cell to see that team's month below.")

picked = (event or {}).get("selection", {}).get(CELL) or []
teams = sorted(team_months["team"].unique())
month_values = sorted(team_months["month"].unique())
left, right = st.columns(2)
if picked:
    team = picked[0]["team"]
    month = next(m for m in month_values if pd.Timestamp(m).strftime("%m/%Y") == picked[0]["month_label"])
else:
    team = left.selectbox("Team", teams)
    month = right.selectbox(
        "Month", month_values, index=len(month_values) - 1, format_func=lambda m: pd.Timestamp(m).strftime("%m/%Y")
    )
_detail(team_months, counts, team, month)
_download_row(team_months, red_map, months, office)

st.subheader("Mean family score, by team and month")
score_map = heatmap(team_months, "team", "mean_score", "Mean score")
st.altair_chart(score_map, width="stretch", height=element_height(score_map))

if office == ALL_OFFICES:
    st.subheader("By office")
    office_map = heatmap(office_month_scores(team_months), "office", "red_share", "Share red", percent=True)
    st.altair_chart(office_map, width="stretch", height=element_height(office_map))

latest = team_months[team_months["month"] == team_months["month"].max()]
st.subheader(f"Teams compared, {pd.Timestamp(latest['month'].iloc[0]):%m/%Y}")
comparison = team_comparison(latest)
st.altair_chart(comparison, width="stretch", height=element_height(comparison))

st.subheader("Children by legal status (the outcomes framework)")
if counts.empty:
    st.info("No open cases in these months.")
else:
    st.altair_chart(outcomes_chart(counts), width="stretch")
    last = counts[counts["month"] == counts["month"].max()]
    table = last.pivot_table(index="team", columns="status", values="children", aggfunc="sum", fill_value=0)
    st.dataframe(table.reindex(columns=[c for c in ["CIN", "CP", "PLO", "Proceedings", "CLA"] if c in table.columns]))
