"""Altair charts for the service overview. Every cell and bar carries its number as text, so a chart still reads
in black and white; the colour runs from green (low) to red (high) for risk measures."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.components.charts import AXES_PX
from dashboard.components.rag import BAND_COLOUR
from dashboard.risk.vocabulary import Band

RISK_SCHEME = "redyellowgreen"  # reversed below, so low is green and high is red
PALE_BAND = (0.07, 0.92)  # within this part of the scale the cell is light enough for black text; outside, white
BANDS = [("red", "Red"), ("amber", "Amber"), ("unrated", "Not yet rated"), ("green", "Green")]
BAND_COLOURS = alt.Scale(
    domain=[label for _, label in BANDS],
    range=[BAND_COLOUR[Band(value)] for value, _ in BANDS],
)
CELL = "cell"
OUTCOME_STATUSES = ["CIN", "CP", "PLO", "Proceedings", "CLA"]  # the outcomes framework, least to most
INK = alt.Scale(domain=["black", "white"], range=["black", "white"])  # the label colour, as named


def _months(frame: pd.DataFrame) -> pd.DataFrame:
    """Months as timestamps (so the chart serialises) and as the UK label shown on the axis."""
    months = pd.to_datetime(frame["month"])
    return frame.assign(month=months, month_label=months.dt.strftime("%m/%Y"))


def _month_order(data: pd.DataFrame) -> list[str]:
    """The month labels oldest first: the axis order, whatever order the rows (or a layer's filter) leave."""
    return [pd.Timestamp(m).strftime("%m/%Y") for m in sorted(data["month"].unique())]


def heatmap(frame: pd.DataFrame, row: str, value: str, title: str, percent: bool = False) -> alt.LayerChart:
    """`row` × month, coloured by `value`, each cell labelled; clicking a cell selects (row, month).

    The scale is fixed (0–100% for shares, 0–100 for scores) rather than fitted to the data, so the same colour
    means the same figure from one month, office or download to the next. The legend runs left to right from
    green to red.
    """
    data = _months(frame)
    shown = "{:.0%}" if percent else "{:.0f}"
    top = 1.0 if percent else 100.0
    data = data.assign(
        label=data[value].map(lambda v: "–" if pd.isna(v) else shown.format(v)),
        ink=data[value].map(lambda v: "black" if pd.isna(v) or PALE_BAND[0] <= v / top <= PALE_BAND[1] else "white"),
    )
    pick = alt.selection_point(name=CELL, fields=[row, "month_label"], on="click")
    base = alt.Chart(data).encode(
        x=alt.X("month_label:O", title=None, sort=_month_order(data), axis=alt.Axis(labelAngle=-45)),
        y=alt.Y(f"{row}:N", title=None),
    )
    cells = (
        base.mark_rect(stroke="white")
        .encode(
            color=alt.Color(
                f"{value}:Q",
                scale=alt.Scale(scheme=RISK_SCHEME, reverse=True, domain=[0, top]),
                title=title,
                legend=alt.Legend(format=".0%" if percent else "d", orient="bottom", direction="horizontal"),
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.55)),
            tooltip=[
                alt.Tooltip(f"{row}:N", title=row.capitalize()),
                alt.Tooltip("month_label:N", title="Month"),
                alt.Tooltip("label:N", title=title),
                alt.Tooltip("families:Q", title="Families"),
            ],
        )
        .add_params(pick)
    )
    labels = base.mark_text(fontSize=11).encode(text="label:N", color=alt.Color("ink:N", scale=INK, legend=None))
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


def outcomes_chart(counts: pd.DataFrame) -> alt.LayerChart:
    """Children by legal status per month (summed over the teams given), as stacked bars in the framework's
    order (CIN at the bottom, CLA at the top) with each month's total above its bar. The figures per status are
    in the tooltips and in the table the page shows under it."""
    data = _months(counts.groupby(["month", "status"], as_index=False)["children"].sum())
    data["order"] = data["status"].map({s: i for i, s in enumerate(OUTCOME_STATUSES)})
    x = alt.X("month_label:O", title=None, sort=_month_order(data), axis=alt.Axis(labelAngle=-45))
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("children:Q", title="Children", stack="zero"),
            color=alt.Color(
                "status:N", title="Legal status", sort=OUTCOME_STATUSES, scale=alt.Scale(scheme="tableau10")
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("month_label:N", title="Month"),
                alt.Tooltip("status:N", title="Legal status"),
                alt.Tooltip("children:Q", title="Children"),
            ],
        )
    )
    totals = (
        alt.Chart(data)
        .transform_aggregate(total="sum(children)", groupby=["month_label"])
        .mark_text(dy=-6, color="black")
        .encode(x=x, y=alt.Y("total:Q"), text="total:Q")
    )
    return (bars + totals).properties(height=300)


LEGEND_PX = 50  # room for a heatmap's legend, which sits under the chart


def heatmap_height(chart: alt.LayerChart) -> int:
    """The height to give st.altair_chart for a heatmap: its rows, the month axis and the legend below."""
    return int(chart.height) + AXES_PX + LEGEND_PX
