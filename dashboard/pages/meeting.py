"""Meeting: the team's monthly group supervision, chaired by the team manager on a shared screen.

The ranked caseload says which family to discuss next and refreshes by itself while the meeting is open, as
ratings arrive from other devices. The chair opens a family's card, records what was agreed, and closes the
meeting, which stores every family's score and locks the record. Everyone else in the team sees the same screen
read-only.
"""

from __future__ import annotations

import datetime as dt
import time

import streamlit as st

from dashboard.components.correction_form import show_correction_form
from dashboard.components.family_card import show_family_card, show_table
from dashboard.components.rag import band_text
from dashboard.components.ranking_table import ranking_table
from dashboard.components.team_picker import choose_case_team
from dashboard.components.text import md, uk_date
from dashboard.risk.vocabulary import Band, MeetingStatus
from dashboard.state import LAST_SEEN_KEY, engine, idle_limit_seconds, require_user
from db.access import MANAGER_ROLES
from db.errors import ServiceError
from db.exports.caseload_files import caseload_csv, caseload_xlsx
from db.exports.meeting_record import meeting_record_pdf
from db.models import ACTION_TEXT_MAX, User
from db.queries.caseload import CaseloadEntry, MeetingSummary, ranked_caseload, team_meetings
from db.queries.family_card import FamilyCard, family_card
from db.services.actions import add_action, complete_action
from db.services.disclosures import record_download
from db.services.meetings import close_meeting, open_meeting

REFRESH_SECONDS = 5
DEFAULT_ACTION_DAYS = 28
FLASH = "meeting_flash"
MEETING_KEY = "meeting-id"
PRESENTATION_KEY = "presentation"

# A constant stylesheet with no user data in it, so rendering it as HTML cannot carry anyone's words into the page.
# It is the only HTML this page injects: larger type and darker text for a projector, in presentation mode only.
PRESENTATION_CSS = """<style>
[data-testid="stMainBlockContainer"] { max-width: 100%; }
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] li,
[data-testid="stMainBlockContainer"] [data-testid="stWidgetLabel"] p,
[data-testid="stMainBlockContainer"] [data-testid="stTable"] td,
[data-testid="stMainBlockContainer"] [data-testid="stTable"] th { font-size: 1.45rem !important; line-height: 1.5; }
[data-testid="stMainBlockContainer"] h1 { font-size: 3rem !important; }
[data-testid="stMainBlockContainer"] h3 { font-size: 2.2rem !important; }
[data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"],
[data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"] p {
  color: #000 !important; font-size: 1.1rem !important;
}
[data-testid="stMainBlockContainer"] [data-testid="stTable"] th { background-color: #d9d9d9 !important; color: #000; }
[data-testid="stMainBlockContainer"] [data-testid="stTable"] td { border-color: #000 !important; }
</style>"""


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _idle() -> bool:
    """A screen left refreshing is not someone working: the idle sign-out still applies to the live table."""
    last_seen = st.session_state.get(LAST_SEEN_KEY)
    return last_seen is not None and time.monotonic() - last_seen > idle_limit_seconds()


def _show_ranking(user: User, meeting_id: int, presentation: bool) -> list[CaseloadEntry]:
    """The ranked caseload (run as a fragment, so it refreshes alone). Returns the entries on a full run."""
    if _idle():
        st.rerun()  # the full run signs the user out
    try:
        meeting, entries = ranked_caseload(engine(), user, meeting_id)
    except ServiceError as exc:
        st.error(md(exc))
        return []
    if not entries:
        st.info(
            f"No families were open with this team on {uk_date(meeting.held_on)}. "
            "An administrator adds families on the Admin page."
        )
        return []
    unrated = sum(e.band is Band.UNRATED for e in entries)
    missing = sum(e.missing_ratings for e in entries)
    notes = [_count(len(entries), "family", "families")]
    if unrated:
        notes.append(f"{band_text(Band.UNRATED)}: {unrated} (greyed, ranked after amber)")
    if meeting.status is MeetingStatus.OPEN:
        waiting = sum(e.missing_ratings > 0 for e in entries)
        notes.append(
            f"{_count(missing, 'rating', 'ratings')} still to come from {_count(waiting, 'family', 'families')}"
            if missing
            else "all rated"
        )
        notes.append(f"updates every {REFRESH_SECONDS} seconds")
    st.caption(" · ".join(notes))
    cells, styles = ranking_table(entries)
    if presentation:  # on a projector the explanations make every row too tall: each is on its family's card
        cells, styles = cells.drop(columns="Why"), styles.drop(columns="Why")
    show_table(cells, styles, presentation=presentation)
    return entries


def _show_card(user: User, meeting_id: int, family_id: int, presentation: bool) -> FamilyCard | None:
    """The chosen family's card (a fragment too, so ratings appear on it as they arrive)."""
    try:
        card = family_card(engine(), user, meeting_id, family_id)
    except ServiceError as exc:
        st.error(md(exc))
        return None
    show_family_card(card, presentation=presentation)
    return card


def _next_family(key: str, order: list[int]) -> None:
    current = st.session_state.get(key)
    position = order.index(current) if current in order else -1
    st.session_state[key] = order[min(position + 1, len(order) - 1)]


def _choose_family(meeting_id: int, entries: list[CaseloadEntry]) -> int:
    """A family picked in rank order; "Next family" steps down the ranking."""
    order = [e.family_id for e in entries]
    labels = {e.family_id: f"{e.rank}. {e.case_reference} · {band_text(e.band)}" for e in entries}
    key = f"family-{meeting_id}"
    if st.session_state.get(key) not in labels:
        st.session_state.pop(key, None)
    picker, step = st.columns([4, 1], vertical_alignment="bottom")
    chosen = picker.selectbox(
        "Family to discuss",
        order,
        format_func=labels.__getitem__,
        key=key,
    )
    step.button(
        "Next family ▶",
        key="next-family",
        on_click=_next_family,
        args=(key, order),
        disabled=chosen == order[-1],
        width="stretch",
    )
    return chosen


def _flash(message: str) -> None:
    st.session_state[FLASH] = message
    st.rerun()


def _open_meeting_form(user: User, team_id: int) -> None:
    with st.form("open-meeting"):
        st.markdown("**Open a new meeting**")
        held_on = st.date_input("Meeting date", value=dt.date.today(), format="DD/MM/YYYY", key="open-date")
        submitted = st.form_submit_button("Open meeting", type="primary", key="open-meeting-button")
    if submitted:
        try:
            meeting = open_meeting(engine(), user, team_id, held_on)
        except ServiceError as exc:
            st.error(md(exc))
            return
        st.session_state[MEETING_KEY] = meeting.id
        _flash(f"The meeting of {uk_date(meeting.held_on)} is open. Professionals can rate on the Rate page.")


def _choose_meeting(meetings: list[MeetingSummary]) -> MeetingSummary:
    """The open meeting by default, else the latest; any earlier one can be read back."""
    by_id = {m.id: m for m in meetings}
    if st.session_state.get(MEETING_KEY) not in by_id:
        st.session_state.pop(MEETING_KEY, None)
    default = next((i for i, m in enumerate(meetings) if m.status is MeetingStatus.OPEN), 0)
    chosen = st.selectbox(
        "Meeting",
        list(by_id),
        index=0 if MEETING_KEY in st.session_state else default,  # a choice in the session wins over the index
        format_func=lambda i: f"{uk_date(by_id[i].held_on)} · {by_id[i].status.value}",
        key=MEETING_KEY,
    )
    return by_id[chosen]


def _action_key(field: str, card: FamilyCard) -> str:
    """Widget keys per family, so words typed for one family never turn up in the next family's form."""
    return f"action-{field}-{card.meeting_id}-{card.family_id}"


def _action_forms(user: User, card: FamilyCard) -> None:
    """What the chair records for the family on screen: a new action, or one marked done."""
    new_action = [_action_key(field, card) for field in ("text", "owner", "due")]
    owners = {p.practitioner_id: f"{p.name} ({p.role.label})" for p in card.action_owners}
    ref = md(card.case_reference)
    if not owners:
        st.caption(
            "Nobody is recorded as working with this family, so an action would have nobody to go to. "
            "An administrator adds professionals to the family."
        )
    else:
        with st.form(f"add-action-{card.meeting_id}-{card.family_id}"):
            st.markdown(f"**Record an action for {ref}**")
            text = st.text_area("What was agreed", max_chars=ACTION_TEXT_MAX, key=new_action[0])
            owner_id = st.selectbox(
                "Who will do it",
                list(owners),
                index=None,
                format_func=owners.__getitem__,
                placeholder="Choose a professional working with the family",
                key=new_action[1],
            )
            due_on = st.date_input(
                "By when",
                value=card.held_on + dt.timedelta(days=DEFAULT_ACTION_DAYS),
                min_value=card.held_on,
                format="DD/MM/YYYY",
                key=new_action[2],
            )
            submitted = st.form_submit_button("Record action", key="add-action-button")
        if submitted:
            if owner_id is None:
                st.error("Choose who will do it before recording the action.")
            else:
                try:
                    add_action(engine(), user, card.meeting_id, card.family_id, text, owner_id, due_on)
                except ServiceError as exc:
                    st.error(md(exc))
                else:
                    for key in new_action:  # an empty form for the next action
                        st.session_state.pop(key, None)
                    _flash(f"Action recorded for {card.case_reference}.")

    if card.open_actions:
        actions = {a.action_id: a for a in card.open_actions}
        with st.form(f"complete-action-{card.meeting_id}-{card.family_id}"):
            st.markdown(f"**Mark an action of {ref} done**")
            action_id = st.selectbox(
                "Action",
                list(actions),
                format_func=lambda i: (
                    f"{actions[i].text[:80]} · {actions[i].owner or 'nobody named'}, by {uk_date(actions[i].due_on)}"
                ),
                key=_action_key("done", card),
            )
            done_on = st.date_input(
                "Done on",
                value=dt.date.today(),
                max_value=dt.date.today(),
                format="DD/MM/YYYY",
                key=_action_key("done-on", card),
            )
            submitted = st.form_submit_button("Mark done", key="complete-action-button")
        if submitted:
            try:
                complete_action(engine(), user, action_id, done_on)
            except ServiceError as exc:
                st.error(md(exc))
            else:
                _flash(f"Action for {card.case_reference} marked done on {uk_date(done_on)}.")


def _correction_form(user: User, card: FamilyCard) -> None:
    if message := show_correction_form(user, card.meeting_id, card.family_id, card.case_reference):
        _flash(message)


def _downloads(user: User, meeting: MeetingSummary, entries: list[CaseloadEntry]) -> None:
    """The record that goes on file (PDF) and the ranked caseload as a spreadsheet, each made on click; audited."""
    stem = f"supervision-{meeting.held_on:%Y-%m-%d}"
    audit = {"families": len(entries), "status": meeting.status.value}
    record_pdf, csv_file, xlsx_file = st.columns(3)
    record_pdf.download_button(
        "Meeting record (PDF)",
        lambda: meeting_record_pdf(engine(), user, meeting.id),
        file_name=f"{stem}-record.pdf",
        mime="application/pdf",
        on_click=record_download,
        args=(engine(), user, "meeting_record_pdf", meeting.id, audit),
        key="download-record",
    )
    csv_file.download_button(
        "Ranked caseload (CSV)",
        lambda: caseload_csv(entries),
        file_name=f"{stem}-caseload.csv",
        mime="text/csv",
        on_click=record_download,
        args=(engine(), user, "caseload_csv", meeting.id, audit),
        key="download-csv",
    )
    xlsx_file.download_button(
        "Ranked caseload (.xlsx)",
        lambda: caseload_xlsx(meeting, entries),
        file_name=f"{stem}-caseload.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click=record_download,
        args=(engine(), user, "caseload_xlsx", meeting.id, audit),
        key="download-xlsx",
    )


def _close_form(user: User, meeting: MeetingSummary) -> None:
    with st.form("close-meeting"):
        st.markdown("**Close this meeting**")
        st.caption(
            "Closing stores every family's score and locks this meeting's ratings. Practitioners cannot change "
            "their ratings afterwards."
        )
        confirmed = st.checkbox("I have discussed every family; lock this meeting's ratings", key="close-confirm")
        submitted = st.form_submit_button("Close meeting", type="primary", key="close-meeting-button")
    if submitted:
        if not confirmed:
            st.warning("Tick the box to confirm that every family has been discussed, then close the meeting.")
            return
        try:
            stored = close_meeting(engine(), user, meeting.id)
        except ServiceError as exc:
            st.error(md(exc))
            return
        scores = _count(stored, "family score", "family scores")
        _flash(f"The meeting of {uk_date(meeting.held_on)} is closed and its ratings are locked: {scores} stored.")


user = require_user()
team_id = choose_case_team(user)
chair = user.role in MANAGER_ROLES
st.title("Meeting")
if message := st.session_state.pop(FLASH, None):
    st.success(md(message))

try:
    meetings = team_meetings(engine(), user, team_id)
except ServiceError as exc:
    st.error(md(exc))
    st.stop()
if chair and not any(m.status is MeetingStatus.OPEN for m in meetings):
    _open_meeting_form(user, team_id)
if not meetings:
    st.info(
        "This team has no meetings yet. Open the first one above."
        if chair
        else "No meeting is open. A team manager opens one on the Meeting page."
    )
    st.stop()

left, right = st.columns([3, 1], vertical_alignment="bottom")
with left:
    meeting = _choose_meeting(meetings)
with right:
    presentation = st.toggle("Presentation mode", key=PRESENTATION_KEY, help="Larger type and darker text")
if presentation:
    st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)  # PRESENTATION_CSS is a constant: see its comment
is_open = meeting.status is MeetingStatus.OPEN
refresh = REFRESH_SECONDS if is_open else None
st.caption(
    f"{md(meeting.team)} · {uk_date(meeting.held_on)} · "
    + ("open: ratings are still coming in" if is_open else "closed: this record is locked")
    + (f" · chaired by {md(meeting.chair)}" if meeting.chair else "")
)

entries = st.fragment(_show_ranking, run_every=refresh)(user, meeting.id, presentation)
if entries:
    _downloads(user, meeting, entries)
    st.divider()
    family_id = _choose_family(meeting.id, entries)
    card = st.fragment(_show_card, run_every=refresh)(user, meeting.id, family_id, presentation)
    if chair and is_open and card is not None:
        _action_forms(user, card)
    if chair and not is_open and card is not None:
        _correction_form(user, card)
if chair and is_open:
    st.divider()
    _close_form(user, meeting)
