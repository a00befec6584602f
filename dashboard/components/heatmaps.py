"""Altair charts for the service overview. Every cell and bar carries its number as text, so a chart still reads
in black and white; the colour runs from green (low) to red (high) for risk measures."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.components.rag import BAND_COLOUR
from dashboard.risk.vocabulary import Band

RISK_SCHEME = alt.Scale(scheme="redyellowgreen", reverse=True)
BANDS = [("red", "Red"), ("amber", "Amber"), ("unrated", "Not yet rated"), ("green", "Green")]
BAND_COLOURS = alt.Scale(
    domain=[label for _, label in BANDS],
    range=[BAND_COLOUR[Band(value)] for value, _ in BANDS],
)
CELL = "cell"


def _months(frame: pd.DataFrame) -> pd.DataFrame:
    """Months as timestamps (so the chart serialises) and as the UK label shown on the axis."""
    months = pd.to_datetime(frame["month"])
    return frame.assign(month=months, month_label=months.dt.strftime("%m/%Y"))


def heatmap(frame: pd.DataFrame, row: str, value: str, title: str, percent: bool = False) -> alt.LayerChart:
    """`row` × month, coloured by `value`, each cell labelled; clicking a cell selects (row, month)."""
    data = _months(frame)
    shown = "{:.0%}" if percent else "{:.0f}"
    data = data.assign(label=data[value].map(lambda v: "–" if pd.isna(v) else shown.format(v)))
    pick = alt.selection_point(name=CELL, fields=[row, "month_label"], on="click")
    base = alt.Chart(data).encode(
        x=alt.X("month_label:O", title=None, sort=None, axis=alt.Axis(labelAngle=-45)),
        y=alt.Y(f"{row}:N", title=None),
    )
    cells = (
        base.mark_rect(stroke="white")
        .encode(
            color=alt.Color(
                f"{value}:Q", scale=RISK_SCHEME, title=title, legend=alt.Legend(format=".0%" if percent else "d")
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.55)),
            tooltip=[
                alt.Tooltip(f"{row}:N"),
                alt.Tooltip("month_label:N", title="Month"),
                alt.Tooltip("label:N", title=title),
                alt.Tooltip("families:Q", title="Families"),
            ],
        )
        .add_params(pick)
    )
    labels = base.mark_text(fontSize=11).encode(text="label:N", color=alt.value("black"))
    return (cells + labels).properties(height=max(140, 24 * data[row].nunique()))


def team_comparison(latest: pd.DataFrame) -> alt.LayerChart:
    """Share of each team's families in each band at the latest month, as labelled stacked bars."""
    long = latest.melt(id_vars=["team"], value_vars=[b for b, _ in BANDS], var_name="band", value_name="count")
    long["band"] = long["band"].map(dict(BANDS))
    long["total"] = long.groupby("team")["count"].transform("sum")
    long["share"] = (long["count"] / long["total"]).fillna(0)
    long["order"] = long["band"].map({label: i for i, (_, label) in enumerate(BANDS)})
    base = alt.Chart(long).encode(
        y=alt.Y("team:N", title=None),
        x=alt.X("share:Q", stack="normalize", title="Share of families", axis=alt.Axis(format="%")),
        order=alt.Order("order:Q"),
    )
    bars = base.mark_bar().encode(
        color=alt.Color("band:N", scale=BAND_COLOURS, title="Band", sort=[label for _, label in BANDS]),
        tooltip=["team:N", "band:N", "count:Q", alt.Tooltip("share:Q", format=".0%")],
    )
    text = (
        base.transform_filter(alt.datum.count > 0).mark_text(dx=-4, align="right", color="black").encode(text="count:Q")
    )
    return (bars + text).properties(height=max(140, 24 * latest["team"].nunique()))


def outcomes_chart(counts: pd.DataFrame) -> alt.Chart:
    """Children by legal status per month (summed over the teams shown), as stacked bars; the numbers are in the
    tooltips and in the table the page shows beside it."""
    data = _months(counts.groupby(["month", "status"], as_index=False)["children"].sum())
    base = alt.Chart(data).encode(
        x=alt.X("month_label:O", title=None, sort=None, axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("children:Q", title="Children", stack="zero"),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "status:N",
            title="Legal status",
            sort=["CIN", "CP", "PLO", "Proceedings", "CLA"],
            scale=alt.Scale(scheme="tableau10"),
        ),
        order=alt.Order("status:N"),
        tooltip=["month_label:N", "status:N", "children:Q"],
    )
    return bars.properties(height=300)
