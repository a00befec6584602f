"""A family's card: the children × professionals grid of ratings beside last month's, the explanation, each
professional's update for supervision, the chair's decision and the open actions. Shown on the shared screen at
supervision, so every coloured cell also carries its word.

Tables go through `show_table`: normally an `st.dataframe` (cells are plain text), in presentation mode or with
the sidebar's Table view an `st.table` (larger on a projector, and read in full by a screen reader), which reads
its cells as Markdown, so every cell is escaped there.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.components.text import md, uk_date
from db.queries.family_card import CardUpdate, FamilyCard
from risk.presentation import BAND_COLOUR, BAND_INK, band_text, trend_text
from risk.vocabulary import RAG, Band

NOT_RATED = "—"
GRID_ROWS = 10
_EMPTY_CELL = "background-color: #f2f2f2; color: #000000"


def band_style(band: Band | RAG | str | None) -> str:
    """CSS for a cell showing this band: its colour with a text colour that keeps the word readable."""
    if band is None:
        return _EMPTY_CELL
    band = Band(str(band))
    return f"background-color: {BAND_COLOUR[band]}; color: {BAND_INK[band]}; font-weight: 600"


TABLE_VIEW_KEY = "table-view"
TABLE_VIEW_HELP = (
    "Plain tables instead of scrolling grids: a screen reader reads every row with its column headers, and the "
    "keyboard passes each table in one step. Remembered for your account until you switch it off."
)


def table_view_chosen() -> bool:
    """Whether this person asked for plain tables (the sidebar's "Table view" switch). A grid is drawn on a
    canvas: a screen reader gets only the rows on screen and Tab walks every cell, so the switch is offered on
    every page, before the page's own controls."""
    return bool(st.session_state.get(TABLE_VIEW_KEY, False))


def _escaped(value: object) -> object:
    return md(value) if isinstance(value, str) else value


def show_table(frame: pd.DataFrame, styles: pd.DataFrame | None = None, *, presentation: bool = False) -> None:
    """Show `frame` with per-cell CSS from `styles` (same shape, if given), its index hidden."""
    presentation = presentation or table_view_chosen()  # the plain table is the screen reader's view too
    if presentation:
        frame = frame.map(_escaped).rename(columns=lambda label: md(label))
    if styles is None:
        styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    styles = pd.DataFrame(styles.to_numpy(), index=frame.index, columns=frame.columns)
    styler = frame.style.apply(lambda _: styles, axis=None).format(precision=2, na_rep=NOT_RATED)
    if presentation:
        st.table(styler, hide_index=True)
    else:
        st.dataframe(styler, hide_index=True, height=_grid_height(len(frame)))


def _grid_height(rows: int) -> int:
    """The height Streamlit would give the grid (a header and up to ten rows of 35 px), fixed up front: a grid
    sized only once its script has loaded grows after the page is drawn and moves what is below it (the family
    picker, the action form) under the chair's pointer."""
    return (min(rows, GRID_ROWS) + 1) * 35 + 3


def _unique(labels: list[str]) -> list[str]:
    """Column labels must differ: two professionals with the same name and role get a number."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def _cell(now: RAG | None, before: RAG | None) -> str:
    text = now.label if now else NOT_RATED
    return f"{text} · was {before.label}" if before else text


def rating_grid(card: FamilyCard) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cells, styles): a row per child; the child's overall rating, then one column per professional.

    A cell reads "Red · was Amber": this meeting's rating, then the same professional's last month.
    """
    people = _unique([f"{p.role.label.capitalize()} · {p.name}" for p in card.professionals])
    rows, styles = [], []
    for child in card.children:
        status = child.legal_status.short if child.legal_status else NOT_RATED
        overall = child.rating.label if child.rating else NOT_RATED
        row = {"Child": f"{child.first_name} ({child.age})", "Legal status": status, "Child's rating": overall}
        style = {"Child": "", "Legal status": "", "Child's rating": band_style(child.rating)}
        for label, person in zip(people, card.professionals, strict=True):
            pair = (child.child_id, person.practitioner_id)
            given = card.ratings.get(pair)
            row[label] = _cell(given.rag if given else None, card.last_month.get(pair))
            style[label] = band_style(given.rag if given else None)
        rows.append(row)
        styles.append(style)
    columns = ["Child", "Legal status", "Child's rating", *people]
    return pd.DataFrame(rows, columns=columns), pd.DataFrame(styles, columns=columns).fillna("")


def rationale_rows(card: FamilyCard) -> pd.DataFrame:
    """Every rating given with a reason: what the professionals wrote, for the discussion."""
    names = {child.child_id: child.first_name for child in card.children}
    rows = [
        {
            "Child": names[child_id],
            "Professional": f"{person.role.label.capitalize()} · {person.name}",
            "Rating": band_text(given.rag),
            "Why": given.rationale,
        }
        for person in card.professionals
        for child_id in names
        if (given := card.ratings.get((child_id, person.practitioner_id))) and given.rationale
    ]
    return pd.DataFrame(rows, columns=["Child", "Professional", "Rating", "Why"])


def action_rows(card: FamilyCard) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The family's open actions, overdue ones (at the meeting date) marked in words and colour."""
    rows = [
        {
            "What": action.text,
            "Who": action.owner or "Nobody named",
            "By": uk_date(action.due_on),
            "Agreed": uk_date(action.agreed_on),
            "Status": "⚠ Overdue" if action.overdue else "Open",
        }
        for action in card.open_actions
    ]
    frame = pd.DataFrame(rows, columns=["What", "Who", "By", "Agreed", "Status"])
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    overdue = frame["Status"] == "⚠ Overdue"
    styles.loc[overdue, "Status"] = band_style(Band.RED)
    return frame, styles


def plain_paragraphs(text: str) -> str:
    """Free text for st.markdown: every line escaped (nothing in it is read as Markdown or HTML), its line breaks
    kept."""
    return "  \n".join(md(line) for line in text.splitlines())


def update_heading(update: CardUpdate) -> str:
    """'Mental health practitioner · Sam Lee · Home visit': who wrote the update, in their role on the day."""
    parts = [update.role.label.capitalize(), update.author]
    if update.work_kind:
        parts.append(update.work_kind)
    return " · ".join(parts)


def show_updates(card: FamilyCard) -> None:
    """Each professional's update for supervision, beside their ratings: who (role and name), the kind of work,
    and what they wrote."""
    st.markdown("**Updates for supervision**")
    if not card.updates:
        st.caption("No professional has written an update for this meeting yet (they do on the Rate page).")
        return
    for update in card.updates:
        with st.container(border=True):
            st.markdown(f"**{md(update_heading(update))}**")
            if update.text:
                st.markdown(plain_paragraphs(update.text))
            if update.correction_reason:
                st.caption(f"Corrected after the meeting closed: {md(update.correction_reason)}")


def show_decision(card: FamilyCard) -> None:
    """The chair's decision and next steps, the outcome and the next review (the actions follow it)."""
    st.markdown("**Decision and next steps**")
    decision = card.decision
    if decision is None:
        st.caption("No decision recorded yet. The chair records it on this card during the meeting.")
        return
    review = f"next review {uk_date(decision.next_review_on)}" if decision.next_review_on else "no review date set"
    st.markdown(f"**{md(decision.outcome)}** · {review} · recorded by {md(decision.chair)}")
    st.markdown(plain_paragraphs(decision.text))
    if decision.correction_reason:
        st.caption(f"Corrected after the meeting closed: {md(decision.correction_reason)}")


def show_family_card(card: FamilyCard, *, presentation: bool = False) -> None:
    """The card as the chair discusses it: band and why, who rated what, and what is still to do."""
    st.subheader(f"{md(card.label(presentation))} · {band_text(card.band)}")
    facts = [
        f"Score {card.score:.2f}" if card.score is not None else "No score yet",
        f"Trend {trend_text(card.trend)}",
        f"Last month {band_text(card.previous_band)}" if card.previous_band else "Not scored last month",
        f"Social worker {md(card.social_worker)}" if card.social_worker else "No social worker allocated",
    ]
    st.caption(" · ".join(facts))
    if card.persistent_disagreement:
        st.markdown(
            "🔁 **Persistent disagreement:** the same split between professionals at most of the family's recent "
            "meetings, a possible sign of disguised compliance (the explanation below says who and when)."
        )
    st.markdown(md(card.explanation))

    if card.children:
        cells, styles = rating_grid(card)
        show_table(cells, styles, presentation=presentation)
        if card.previous_held_on:
            st.caption(
                "Each cell shows this meeting's rating; \"was\" is the same professional's rating at the meeting "
                f"of {uk_date(card.previous_held_on)}."
            )
    else:
        st.info("This family has no children to rate: none is recorded, or their cases are closed.")

    reasons = rationale_rows(card)
    if not reasons.empty:
        st.markdown("**Why they rated as they did**")
        show_table(reasons, presentation=presentation)

    show_updates(card)
    show_decision(card)

    st.markdown("**Open actions**")
    if card.open_actions:
        frame, styles = action_rows(card)
        show_table(frame, styles, presentation=presentation)
    else:
        st.caption("No open actions. The team manager records the actions agreed at supervision.")
