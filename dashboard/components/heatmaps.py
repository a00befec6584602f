"""Altair charts for the service overview. Every cell and bar carries its number as text, so a chart still reads
in black and white; the colour runs from green (low) to red (high) for risk measures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final

import altair as alt
import pandas as pd

from dashboard.components.charts import AXES_PX
from risk.outcomes import OUTCOME_STATUSES
from risk.presentation import BAND_COLOUR, BAND_INK, MARK_OUTLINE, PLAN_COLOUR
from risk.vocabulary import BAND_PRIORITY, RATED_BANDS, Band

RISK_SCHEME: Final = "redyellowgreen"  # reversed below, so low is green and high is red
PALE_BAND = (0.07, 0.92)  # within this part of the scale the cell is light enough for black text; outside, white
BAND_SEGMENTS = [(band.value, band.label) for band in BAND_PRIORITY]
"""(column, word) of every band in the team comparison, most urgent first, as the caseload is worked through."""
BAND_COLOURS = alt.Scale(
    domain=[label for _, label in BAND_SEGMENTS],
    range=[BAND_COLOUR[Band(value)] for value, _ in BAND_SEGMENTS],
)
CELL = "cell"
PLANS = [status.short for status in OUTCOME_STATUSES]  # as the outcome figures name them, least to most intrusive
_PLAN_COLOUR = {status.short: PLAN_COLOUR[status] for status in OUTCOME_STATUSES}


def _plan_colours(statuses: Iterable[str]) -> alt.Scale:
    """The plans' own colours, for just the plans a chart shows (so its legend lists no plan it does not draw)."""
    shown = [s for s in PLANS if s in set(statuses)]
    return alt.Scale(domain=shown, range=[_PLAN_COLOUR[s] for s in shown])


INK = alt.Scale(domain=["black", "white"], range=["black", "white"])  # the label colour, as named


def _months(frame: pd.DataFrame) -> pd.DataFrame:
    """Months as timestamps (so the chart serialises) and as the UK label shown on the axis."""
    months = pd.to_datetime(frame["month"])
    return frame.assign(month=months, month_label=months.dt.strftime("%m/%Y"))


def _month_order(data: pd.DataFrame) -> list[str]:
    """The month labels oldest first: the axis order, whatever order the rows (or a layer's filter) leave."""
    return [pd.Timestamp(m).strftime("%m/%Y") for m in sorted(data["month"].unique())]


def heatmap(
    frame: pd.DataFrame,
    row: str,
    value: str,
    title: str,
    percent: bool = False,
    *,
    agreement: bool = False,
    count: tuple[str, str] = ("families", "Families"),
) -> alt.LayerChart:
    """`row` × month, coloured by `value`, each cell labelled; clicking a cell selects (row, month).

    The scale is fixed (0–100% for shares, 0–100 for scores, 0–1 for agreement) rather than fitted to the data,
    so the same colour means the same figure from one month, office or download to the next. For risk the legend
    runs from green (low) to red (high); for `agreement` (Krippendorff's alpha) high agreement is green, and a
    figure below 0 is coloured as 0. `count` is the column (and its title) the tooltip gives as what the cell
    rests on.
    """
    data = _months(frame)
    shown = "{:.0%}" if percent else "{:.2f}" if agreement else "{:.0f}"
    top = 1.0 if percent or agreement else 100.0
    data = data.assign(
        label=data[value].map(lambda v: "–" if pd.isna(v) else shown.format(v)),
        ink=data[value].map(
            lambda v: "black" if pd.isna(v) or PALE_BAND[0] <= max(v, 0) / top <= PALE_BAND[1] else "white"
        ),
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
                scale=alt.Scale(scheme=RISK_SCHEME, reverse=not agreement, domain=[0, top], clamp=True),
                title=title,
                legend=alt.Legend(
                    format=".0%" if percent else ".1f" if agreement else "d", orient="bottom", direction="horizontal"
                ),
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.55)),
            tooltip=[
                alt.Tooltip(f"{row}:N", title=row.capitalize()),
                alt.Tooltip("month_label:N", title="Month"),
                alt.Tooltip("label:N", title=title),
                alt.Tooltip(f"{count[0]}:Q", title=count[1]),
            ],
        )
        .add_params(pick)
    )
    # A faded (unselected) cell is pale whatever its colour, so its label turns black to stay readable.
    ink = alt.condition(pick, alt.Color("ink:N", scale=INK, legend=None), alt.value("black"))
    labels = base.mark_text(fontSize=11).encode(text="label:N", color=ink)
    return (cells + labels).properties(height=max(140, 24 * data[row].nunique()))


def team_comparison(latest: pd.DataFrame) -> alt.LayerChart:
    """Share of each team's families in each band at the latest month, as labelled stacked bars."""
    long = latest.melt(id_vars=["team"], value_vars=[b for b, _ in BAND_SEGMENTS], var_name="band", value_name="count")
    long["band"] = long["band"].map(dict(BAND_SEGMENTS))
    long["total"] = long.groupby("team")["count"].transform("sum")
    long["share"] = (long["count"] / long["total"]).fillna(0)
    long["order"] = long["band"].map({label: i for i, (_, label) in enumerate(BAND_SEGMENTS)})
    # Each segment says its band (initial) as well as its count, in the ink that reads on its colour: never colour
    # alone, which red and green under deuteranopia would not survive.
    long["label"] = long["band"].str[0] + " " + long["count"].astype(str)
    long["ink"] = long["band"].map({label: BAND_INK[Band(value)] for value, label in BAND_SEGMENTS})
    base = alt.Chart(long).encode(
        y=alt.Y("team:N", title=None),
        x=alt.X("share:Q", stack="normalize", title="Share of families", axis=alt.Axis(format="%")),
        order=alt.Order("order:Q"),
    )
    bars = base.mark_bar(stroke=MARK_OUTLINE, strokeWidth=0.5).encode(
        color=alt.Color("band:N", scale=BAND_COLOURS, title="Band", sort=[label for _, label in BAND_SEGMENTS]),
        tooltip=["team:N", "band:N", "count:Q", alt.Tooltip("share:Q", format=".0%")],
    )
    text = (
        base.transform_filter(alt.datum.count > 0)
        .mark_text(dx=-4, align="right")
        .encode(text="label:N", color=alt.Color("ink:N", scale=None))
    )
    return (bars + text).properties(height=max(140, 24 * latest["team"].nunique()))


def _month_axis(data: pd.DataFrame) -> alt.X:
    return alt.X("month_label:O", title=None, sort=_month_order(data), axis=alt.Axis(labelAngle=-45))


def outcomes_chart(totals: pd.DataFrame, baseline: dt.date) -> alt.LayerChart:
    """Children on each plan at each month end for one area (rows of `outcome_totals`), a line per plan with its
    latest figure written at the end, and the baseline month marked with a labelled rule."""
    data = _months(totals)
    data["order"] = data["status"].map({s: i for i, s in enumerate(PLANS)})
    x = _month_axis(data)
    colour = alt.Color("status:N", title="Plan", sort=PLANS, scale=_plan_colours(data["status"]))
    lines = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("children:Q", title="Children at the month end"),
            color=colour,
            order=alt.Order("month:T"),
            tooltip=[
                alt.Tooltip("month_label:N", title="Month"),
                alt.Tooltip("status:N", title="Plan"),
                alt.Tooltip("children:Q", title="Children"),
            ],
        )
    )
    last = data[data["month"] == data["month"].max()]
    last = last.assign(end=last["status"] + " " + last["children"].astype(str))  # the plan named, not only coloured
    # In black: the words name the plan, and some plan colours are too light for text on white.
    ends = alt.Chart(last).mark_text(align="left", dx=6, color="black").encode(x=x, y="children:Q", text="end:N")
    marker = pd.DataFrame({"month_label": [baseline.strftime("%m/%Y")], "text": [f"Baseline {baseline:%m/%Y}"]})
    rule = alt.Chart(marker).mark_rule(color="black", strokeDash=[4, 3]).encode(x=x)
    label = (
        alt.Chart(marker).mark_text(align="left", dx=4, dy=-6, color="black").encode(x=x, y=alt.value(0), text="text:N")
    )
    return (lines + ends + rule + label).properties(height=300)


def monthly_bars(frame: pd.DataFrame, value: str, title: str, colour_by: str | None = None) -> alt.LayerChart:
    """One bar per month (stacked by `colour_by` when given), each month's total written above its bar."""
    data = _months(frame)
    x = _month_axis(data)
    encoding: dict = {"x": x, "y": alt.Y(f"{value}:Q", title=title, stack="zero")}
    tooltip = [alt.Tooltip("month_label:N", title="Month"), alt.Tooltip(f"{value}:Q", title=title, format=",")]
    if colour_by is not None:
        encoding["color"] = alt.Color(f"{colour_by}:N", title="Plan", sort=PLANS, scale=_plan_colours(data[colour_by]))
        tooltip.insert(1, alt.Tooltip(f"{colour_by}:N", title="Plan"))
    # Outlined: some plan colours are too light to stand out from the white page at 3:1 on their own.
    bars = alt.Chart(data).mark_bar(stroke=MARK_OUTLINE, strokeWidth=0.5).encode(**encoding, tooltip=tooltip)
    totals = (
        alt.Chart(data)
        .transform_aggregate(total=f"sum({value})", groupby=["month_label"])
        .mark_text(dy=-6, color="black", fontSize=10)
        .encode(x=x, y=alt.Y("total:Q"), text=alt.Text("total:Q", format=","))
    )
    return (bars + totals).properties(height=240)


SEVERITY_PARTS = [("less_severe", "Less severe"), ("same", "The same"), ("more_severe", "More severe")]
SEVERITY_FILLS = [BAND_COLOUR[RATED_BANDS[-1]], "#bdbdbd", BAND_COLOUR[RATED_BANDS[0]]]  # least and most severe bands
SEVERITY_INKS = [BAND_INK[RATED_BANDS[-1]], "#000000", BAND_INK[RATED_BANDS[0]]]
"""Each segment's label in the colour that reads on its fill (WCAG 1.4.3: black on the red or green was 3.7-4.1:1)."""
SEVERITY_COLOURS = alt.Scale(domain=[label for _, label in SEVERITY_PARTS], range=SEVERITY_FILLS)


def role_severity_chart(severity: pd.DataFrame) -> alt.LayerChart:
    """Per role, the share of its comparisons with colleagues' ratings of the same child that were less severe,
    the same and more severe, as labelled stacked bars (greener on the left, redder on the right)."""
    long = severity.melt(
        id_vars=["role", "comparisons"], value_vars=[k for k, _ in SEVERITY_PARTS], var_name="part", value_name="share"
    )
    long["part"] = long["part"].map(dict(SEVERITY_PARTS))
    long["order"] = long["part"].map({label: i for i, (_, label) in enumerate(SEVERITY_PARTS)})
    long["ink"] = long["order"].map(dict(enumerate(SEVERITY_INKS)))
    roles = severity["role"].tolist()
    base = alt.Chart(long).encode(
        y=alt.Y("role:N", title=None, sort=roles, axis=alt.Axis(labelLimit=300)),
        x=alt.X("share:Q", stack="normalize", title="Share of comparisons", axis=alt.Axis(format="%")),
        order=alt.Order("order:Q"),
    )
    bars = base.mark_bar(stroke=MARK_OUTLINE, strokeWidth=0.5).encode(  # the grey 'same' stands out from white
        color=alt.Color("part:N", title="This role's rating was", scale=SEVERITY_COLOURS),
        tooltip=[
            alt.Tooltip("role:N", title="Role"),
            alt.Tooltip("part:N", title="Rating was"),
            alt.Tooltip("share:Q", title="Share", format=".0%"),
            alt.Tooltip("comparisons:Q", title="Comparisons", format=","),
        ],
    )
    text = (
        base.transform_filter(alt.datum.share >= 0.04)
        .mark_text(dx=-4, align="right", fontSize=12, fontWeight="bold")
        .encode(text=alt.Text("share:Q", format=".0%"), color=alt.Color("ink:N", scale=None))
    )
    return (bars + text).properties(height=max(140, 28 * len(roles)))


LEGEND_PX = 50  # room for a heatmap's legend, which sits under the chart


def heatmap_height(chart: alt.LayerChart) -> int:
    """The height to give st.altair_chart for a heatmap: its rows, the month axis and the legend below."""
    return int(chart.height) + AXES_PX + LEGEND_PX


def figures_by_month(frame: pd.DataFrame, row: str, value: str, shown: str = "{:.0f}") -> pd.DataFrame:
    """A heatmap's figures as the table beside it: one row per `row` (team or office), one column per month (oldest
    first, as on the chart), each cell written as the chart labels it ('–' where there is no figure)."""
    data = _months(frame)
    table = data.pivot_table(index=row, columns="month", values=value, aggfunc="first", dropna=False)
    table = table.reindex(columns=sorted(table.columns))
    table.columns = [pd.Timestamp(m).strftime("%m/%Y") for m in table.columns]
    cells = table.map(lambda v: "–" if pd.isna(v) else shown.format(v))
    return cells.reset_index().rename(columns={row: row.capitalize()})
