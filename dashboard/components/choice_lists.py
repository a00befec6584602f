"""The Admin page's short lists (risk.supervision.ChoiceKind): the kinds of work a professional's update names and
the outcomes of the chair's decision. Entries are added at the end, and retired rather than deleted: a retired
entry is offered to nobody, and the records that chose it still show it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.components.grids import show_grid
from dashboard.components.text import md
from dashboard.state import engine
from db.errors import ServiceError
from db.models import User
from db.queries.choices import choice_list
from db.services.choices import add_choice, retire_choice
from risk.supervision import CHOICE_LABEL_MAX, ChoiceKind

FLASH = "choice-lists-flash"


def _done(message: str, clear: str | None = None) -> None:
    if clear:
        st.session_state.pop(clear, None)
    st.session_state[FLASH] = message
    st.rerun()


def _one_list(user: User, kind: ChoiceKind) -> None:
    entries = choice_list(engine(), user, kind, with_retired=True)
    st.markdown(f"**{kind.label}**")
    show_grid(
        pd.DataFrame(
            [{"Entry": c.label, "Offered": "retired" if c.retired else "yes"} for c in entries],
            columns=["Entry", "Offered"],
        ),
        hide_index=True,
        width="stretch",
    )
    add, change = st.columns(2)
    with add, st.form(f"add-choice-{kind.value}"):
        label = st.text_input("New entry", max_chars=CHOICE_LABEL_MAX, key=f"choice-label-{kind.value}")
        if st.form_submit_button("Add to the list", key=f"add-choice-button-{kind.value}"):
            try:
                add_choice(engine(), user, kind, label)
            except ServiceError as exc:
                st.error(md(exc))
            else:
                _done(f"{label.strip()} is offered in {kind.label.lower()}.", clear=f"choice-label-{kind.value}")
    with change, st.form(f"retire-choice-{kind.value}"):
        labels = {c.choice_id: f"{c.label} ({'retired' if c.retired else 'offered'})" for c in entries}
        chosen = st.selectbox("Entry", list(labels), format_func=labels.__getitem__, key=f"choice-{kind.value}")
        if st.form_submit_button("Retire it, or offer it again", key=f"retire-choice-button-{kind.value}"):
            retired = next(c.retired for c in entries if c.choice_id == chosen)
            try:
                retire_choice(engine(), user, chosen, retired=not retired)
            except ServiceError as exc:
                st.error(md(exc))
            else:
                _done("Offered again." if retired else "Retired: no longer offered; the records that chose it keep it.")


def choice_lists_panel(user: User) -> None:
    """Both lists, each with its entries, a form to add one and a form to retire (or offer again) one."""
    if message := st.session_state.pop(FLASH, None):
        st.success(md(message))
    st.caption(
        "The kinds of work professionals choose for their update on the Rate page, and the outcomes the chair "
        "chooses for a family's decision. A retired entry is no longer offered; the records that chose it keep it."
    )
    for kind in ChoiceKind:
        _one_list(user, kind)
