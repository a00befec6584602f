"""Service-lead exports: the heatmap figures as CSV, and a chart as PNG or SVG (rendered without a browser).

Only aggregates go in: the frames come from db.queries.service, which returns no names or case references.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import vl_convert

from db.exports.cell_safety import csv_bytes
from db.queries.service import BAND_COLUMNS

CSV_COLUMNS = ["office", "team", "month", "families", *BAND_COLUMNS, "rated", "red_share", "mean_score"]


def heatmap_csv(team_months: pd.DataFrame) -> bytes:
    """The figures behind the heatmaps, one row per team (or office) and month; team and office names are
    neutralised like any other text cell, since an administrator chose them."""
    columns = [c for c in CSV_COLUMNS if c in team_months.columns]
    return csv_bytes(team_months[columns])


def chart_png(chart: alt.TopLevelMixin) -> bytes:
    """The chart as a PNG at twice screen resolution, sharp enough for a slide or a printed report."""
    return vl_convert.vegalite_to_png(chart.to_dict(), scale=2)


def chart_svg(chart: alt.TopLevelMixin) -> bytes:
    """The chart as SVG (scales without blurring; editable in a drawing program)."""
    return vl_convert.vegalite_to_svg(chart.to_dict()).encode("utf-8")
