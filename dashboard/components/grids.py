"""Tables of records (accounts, audit events, import summaries) as a grid, or as a plain table for someone who chose
Table view: a canvas grid gives a screen reader only the rows on screen and makes Tab walk every cell."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard.components.family_card import table_view_chosen
from dashboard.components.text import md


def show_grid(frame: pd.DataFrame, *, hide_index: bool = True, **grid_options: Any) -> None:
    """`frame` as a grid (`grid_options` go to it), or with Table view on, as a table with the same words.

    A plain table reads its cells as Markdown, so every text cell and header is escaped first: names and free
    text are shown as typed, never as links or formatting."""
    if not table_view_chosen():
        st.dataframe(frame, hide_index=hide_index, **grid_options)
        return
    escaped = frame.map(lambda value: md(value) if isinstance(value, str) else value)
    st.table(escaped.rename(columns=lambda label: md(str(label))), hide_index=hide_index)
