"""A refused import's problems, as both importers show them: how many, what to do, every problem in a table and
as a CSV to work through (cells made safe for a spreadsheet). The CSV leaves the app like every other file: made
for the re-checked user and audited (the problems quote the uploaded rows, which can name children)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.components.downloads import download_button
from dashboard.components.grids import show_grid
from db.exports.cell_safety import neutralise_frame


def show_problems(what: str, rows: Sequence[Mapping[str, Any]], fix: str, file_name: str) -> None:
    """`what` names the upload ("the extract", an escaped file name); `fix` says where to put things right;
    `file_name` also names the download in the audit trail."""
    st.error(f"Nothing can be imported yet: {what} has {len(rows):,} problem{'s' if len(rows) != 1 else ''}. {fix}")
    problems = pd.DataFrame(list(rows))
    show_grid(problems, hide_index=True)
    listed = neutralise_frame(problems).to_csv(index=False).encode("utf-8-sig")
    download_button(
        st.container(),
        "Download the list of problems (CSV)",
        lambda _checked: listed,
        what="import_problems_csv",
        entity_id=None,
        details={"file": file_name, "problems": len(rows)},
        file_name=file_name,
        mime="text/csv",
    )
