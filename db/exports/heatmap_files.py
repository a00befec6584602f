"""Service-lead exports: the heatmap figures as CSV, and a chart as PNG or SVG (rendered without a browser)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import vl_convert

from db.exports.cell_safety import csv_bytes

CSV_COLUMNS = ["office", "team", "month", "families", "red", "amber", "green", "unrated", "red_share", "mean_score"]


def heatmap_csv(team_months: pd.DataFrame) -> bytes:
    columns = [c for c in CSV_COLUMNS if c in team_months.columns]
    return csv_bytes(team_months[columns])


def chart_png(chart: alt.TopLevelMixin) -> bytes:
    return vl_convert.vegalite_to_png(chart.to_dict(), scale=2)


def chart_svg(chart: alt.TopLevelMixin) -> bytes:
    return vl_convert.vegalite_to_svg(chart.to_dict()).encode("utf-8")
