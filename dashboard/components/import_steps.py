"""The steps both importers (the caseload template, the SSD extract) take on screen in the same way: a progress bar
the import service reports to, and the form that asks the administrator to confirm what they have checked."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st


def progress_bar(reading: str) -> Callable[[str, int, int], None]:
    """A bar saying `reading` until the service's first report (stage, done, total), then each report as it comes."""
    bar = st.progress(0.0, text=reading)

    def show(stage: str, done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"{stage}: {done:,} of {total:,}")

    return show


def confirmed(form_key: str, checked: str, *, reminder: str) -> bool:
    """The confirm form: True once Import is pressed with the box ticked (`checked` is the box's label). Pressed
    without it, `reminder` says what to do and nothing is imported."""
    with st.form(form_key):
        sure = st.checkbox(checked, key=f"{form_key}-sure")
        go = st.form_submit_button("Import", type="primary", key=f"{form_key}-button")
    if go and not sure:
        st.warning(reminder)
    return go and sure
