"""A chart with its text alternative (WCAG 1.1.1): a sentence a screen reader announces, and the chart's figures as
a table under it. A chart is a picture drawn on a canvas; without these a screen reader user, or anyone who cannot
tell its colours apart, gets nothing from it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from altair.typing import ChartType

from dashboard.components.text import md


def show_chart(chart: ChartType, description: str, figures: pd.DataFrame, *, height: int | None = None) -> None:
    """Draw `chart`, say in words what it shows, and offer the same figures as a table.

    The description also goes into the chart itself (Vega puts it on the chart's accessible name). The table is an
    `st.table`, which a screen reader reads in full (every row, with its column headers); every cell is escaped
    because `st.table` reads Markdown."""
    chart = chart.properties(description=description)
    if height is None:
        st.altair_chart(chart, width="stretch")
    else:
        st.altair_chart(chart, width="stretch", height=height)
    st.caption(md(description))
    show_figures(figures)


def show_figures(figures: pd.DataFrame) -> None:
    """The figures of the chart just drawn, as a table a screen reader reads in full (for charts drawn elsewhere,
    e.g. the Service overview's cached ones, whose sentence is the caption under them)."""
    with st.expander("The same figures as a table"):
        shown = figures.map(lambda value: md(value) if isinstance(value, str) else value)
        st.table(shown.rename(columns=md), hide_index=True)
