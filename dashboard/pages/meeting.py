"""Meeting: the team's monthly group supervision, chaired by the team manager on a shared screen.

The ranked caseload says which family to discuss next and refreshes by itself while the meeting is open, as
ratings arrive from other devices: every few seconds the screen asks whether anything changed (one look-up of the
meeting's change mark) and redraws only when it did; what it then draws was computed once for every screen of
the app process (db/queries/live_meeting.py). The chair opens a family's card, records what was agreed, and closes the
meeting, which stores every family's score and locks the record. Everyone else in the team sees the same screen
read-only.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import streamlit as st

from dashboard.components.case_page import case_page, choose_meeting, or_stop
from dashboard.components.correction_form import show_correction_form
from dashboard.components.database_faults import fragment
from dashboard.components.decision_form import show_decision_form, show_supervision_corrections
from dashboard.components.downloads import download_button
from dashboard.components.family_card import show_family_card, show_table
from dashboard.components.focus import focus_if_returning, return_focus_after_rerun
from dashboard.components.next_meeting import next_meeting_of, next_meeting_words
from dashboard.components.policy_comparison import show_policy_comparison
from dashboard.components.presentation_names import FLASH as NAMES_FLASH
from dashboard.components.presentation_names import presentation_names_form
from dashboard.components.ranking_table import ranking_table
from dashboard.components.schedule_editor import move_meeting_form, schedule_editor
from dashboard.components.text import md, uk_date
from dashboard.state import (
    LAST_SEEN_KEY,
    engine,
    idle_limit_seconds,
    live_user,
    redraw_without_click,
    user_at_click,
)
from db.errors import ServiceError
from db.exports.caseload_files import caseload_csv, caseload_xlsx
from db.exports.meeting_record import meeting_record_pdf
from db.exports.supervision_records import file_stem, supervision_records_zip
from db.models import ACTION_TEXT_MAX, User
from db.queries.caseload import CaseloadEntry, MeetingSummary, ranked_caseload, team_meetings
from db.queries.discussions import DiscussionRecord, meeting_discussions
from db.queries.family_card import FamilyCard, family_card
from db.queries.live_meeting import MeetingMark, meeting_mark
from db.services.actions import add_action, complete_action
from db.services.disclosures import record_view
from db.services.discussions import mark_discussed, open_family, run_the_clock, set_meeting_length
from db.services.meetings import close_meeting, open_meeting
from risk.meeting_pace import counted, next_family, next_to_discuss
from risk.presentation import band_text
from risk.schedule import clock
from risk.vocabulary import MANAGER_ROLES, Band, MeetingStatus

REFRESH_SECONDS = 5
CLOCK_REDRAW_SECONDS = 30
"""While the chair's clock runs, the minutes shown for the open family grow with nothing written: redrawn this
often (the words count whole minutes)."""
DRAWN_KEY = "meeting-drawn-at"
DEFAULT_ACTION_DAYS = 28
FLASH = "meeting_flash"
FLASH_ERROR = "meeting_flash_error"
FOLLOW_KEY = "follow-the-chair"
MEETING_KEY = "meeting-id"
PRESENTATION_KEY = "presentation"
PAUSE_KEY = "pause-live-updates"
CARDS_VIEWED_KEY = "family-cards-viewed"

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


def _idle() -> bool:
    """A screen left refreshing is not someone working: the idle sign-out still applies to the live table."""
    last_seen = st.session_state.get(LAST_SEEN_KEY)
    return last_seen is not None and time.monotonic() - last_seen > idle_limit_seconds()


def _show_ranking(
    user: User, meeting_id: int, record: DiscussionRecord, presentation: bool
) -> tuple[list[CaseloadEntry], bool]:
    """The ranked caseload, with what the meeting has discussed so far; and whether the team shows families by their
    initials on the shared screen, as read with the ranking."""
    try:
        meeting, entries = ranked_caseload(engine(), user, meeting_id)
    except ServiceError as exc:
        st.error(md(exc))
        return [], False
    initials = meeting.presentation_initials
    if not entries:
        st.info(
            f"No families were open with this team on {uk_date(meeting.held_on)}. "
            "An administrator adds families on the Admin page."
        )
        return [], initials
    unrated = sum(e.band is Band.UNRATED for e in entries)
    missing = sum(e.missing_ratings for e in entries)
    notes = [counted(len(entries), "family", "families")]
    if unrated:
        notes.append(f"{band_text(Band.UNRATED)}: {unrated} (greyed, ranked after amber)")
    if meeting.status is MeetingStatus.OPEN:
        waiting = sum(e.missing_ratings > 0 for e in entries)
        notes.append(
            f"{counted(missing, 'rating', 'ratings')} still to come from {counted(waiting, 'family', 'families')}"
            if missing
            else "all rated"
        )
    st.caption(" · ".join(notes))
    cells, styles = ranking_table(entries, initials_only=presentation and initials)
    if record.is_open or record.kept:  # meetings before the record existed have none
        not_yet = "Not yet" if record.is_open else "No"
        cells.insert(2, "Discussed", ["✓ Yes" if record.discussed(e.family_id) else not_yet for e in entries])
        styles.insert(2, "Discussed", styles["Case"])
    if presentation:  # on a projector the explanations make every row too tall: each is on its family's card
        cells, styles = cells.drop(columns="Why"), styles.drop(columns="Why")
    show_table(cells, styles, presentation=presentation)
    return entries, initials


def _watch(meeting_id: int, paused: bool) -> None:
    """The live refresh: every few seconds, whether anything on this screen changed, and a redraw only if so.

    The one timer of the page's content (two fragments refreshing on the same beat left the second refresh on its
    way while the first ended the session and moved the browser to the sign-in screen; Streamlit then ran that
    refresh for a fragment that no longer existed and cleared the new screen). A check reads the user (signed
    out, idle, deactivated or moved, the page ends) and the meeting's change mark, and draws only its own caption.
    When the mark moved since this screen drew the meeting, or the chair's clock has run a while (the time shown
    grows without anything written), the page runs again, as a redraw rather than a click: it never keeps an
    idle session alive."""
    now = dt.datetime.now().strftime("%H:%M:%S")
    if paused:
        st.caption(f"live updates paused at {now}")
        return
    user = live_user()
    if _idle():
        st.rerun()  # the full run signs the user out
    try:
        mark: MeetingMark | None = meeting_mark(engine(), user, meeting_id)
    except ServiceError:
        mark = None  # refused now: the full run says why
    drawn_key, drawn_at = st.session_state.get(DRAWN_KEY, (None, 0.0))
    clock_moved = mark is not None and mark.clock_running and time.monotonic() - drawn_at >= CLOCK_REDRAW_SECONDS
    if drawn_key != (mark.key if mark else None) or clock_moved:
        redraw_without_click()
    st.caption(f"updates every {REFRESH_SECONDS} seconds, last {now}")


def _live(
    meeting: MeetingSummary, chair: bool, presentation: bool, following: bool
) -> tuple[list[CaseloadEntry], DiscussionRecord | None]:
    """Everything that changes as ratings arrive and the chair works down the list: the ranking, the files, the
    family picker, the card and the chair's forms. One fragment, so the chair's choices in it rerun it alone; it
    is drawn again by `_watch` when the meeting changed."""
    user = live_user()  # re-checked before anything is read: signed out, idle, deactivated or moved, the page ends
    if _idle():
        st.rerun()  # the full run signs the user out
    if message := st.session_state.pop(FLASH_ERROR, None):  # a refusal from one of the chair's buttons
        st.error(md(message))
    try:
        mark = meeting_mark(engine(), user, meeting.id)
    except ServiceError as exc:
        st.error(md(exc))
        return [], None
    st.session_state[DRAWN_KEY] = (mark.key, time.monotonic())  # read before what is drawn: never newer than it
    record = _discussions(user, meeting.id)
    if record is None:
        return [], None
    entries, initials = _show_ranking(user, meeting.id, record, presentation)
    if not entries:
        return entries, record
    is_open = meeting.status is MeetingStatus.OPEN
    chairing = chair and is_open
    _downloads(user, meeting, entries, chair=chair)
    if chair:
        show_policy_comparison(user, meeting.id, presentation=presentation, initials_only=presentation and initials)
    st.divider()
    family_ids = [e.family_id for e in entries]
    family_id = family_ids[0] if following else _choose_family(user, meeting.id, entries, record, chairing, initials)
    if chairing:
        _chair_controls(user, meeting, family_id, record)
    card = _show_card(user, meeting.id, family_id, family_ids, record, presentation, following)
    if chairing and card is not None:
        if message := show_decision_form(user, card):
            _flash(message)
        _action_forms(user, card)
    if chair and not is_open and card is not None:
        _correction_form(user, card)
    return entries, record


def _discussions(user: User, meeting_id: int) -> DiscussionRecord | None:
    try:
        return meeting_discussions(engine(), user, meeting_id)
    except ServiceError as exc:
        st.error(md(exc))
        return None


def _show_card(
    user: User,
    meeting_id: int,
    family_id: int,
    family_ids: list[int],
    record: DiscussionRecord,
    presentation: bool,
    following: bool,
) -> FamilyCard | None:
    """The chosen family's card, with where the meeting stands against its time. A follower's family is what the
    chair has open, read afresh at every refresh."""
    if following:
        if record.focus_family_id is None or record.focus_family_id not in family_ids:
            st.info("The chair has not opened a family yet. This screen shows it as soon as they do.")
            return None
        family_id = record.focus_family_id
    if record.is_open or record.kept:
        st.caption(md(record.words(family_id, family_ids)))
    try:
        card = family_card(engine(), user, meeting_id, family_id)
    except ServiceError as exc:
        st.error(md(exc))
        return None
    if following:
        st.caption(f"Following the chair: {md(card.label(presentation))}")
    _record_card_view_once(user, card)  # before it is shown: a view that cannot be recorded is not shown
    show_family_card(card, presentation=presentation)
    return card


def _record_card_view_once(user: User, card: FamilyCard) -> None:
    """Opening a family's card discloses its case data, as opening its Family page does: audited once per family
    and meeting in a session, not at every refresh (the refresh runs only the fragment, never this)."""
    viewed: set[tuple[int, int]] = st.session_state.setdefault(CARDS_VIEWED_KEY, set())
    if (card.meeting_id, card.family_id) not in viewed:
        record_view(engine(), user, "family", card.family_id)
        viewed.add((card.meeting_id, card.family_id))


def _call(service: Callable[[User], object]) -> bool:
    """Run a chair's service call from a widget's callback, as the user re-checked at the click (a callback runs
    before the page's own check). A refusal is shown on the next run. True when the call went through."""
    try:
        user = user_at_click()  # a database that does not answer is a refusal like any other
        if user is None:
            return False  # the session has ended: the run that follows signs it out and says why
        service(user)
    except ServiceError as exc:
        st.session_state[FLASH_ERROR] = str(exc)
        return False
    return True


def _on_widget(service: Callable[[User], object]) -> None:
    """`_call` as a widget's callback, which Streamlit types as returning nothing."""
    _call(service)


def _next_family(meeting_id: int, key: str, order: list[int], chairing: bool) -> None:
    """Step down the ranking; the chair's step also marks the family being left discussed and opens the next
    family not yet discussed (as the record stands at the click, whichever screen marked the others)."""
    current = st.session_state.get(key)
    if current is None:
        return
    if not chairing:
        st.session_state[key] = next_family(order, current) or current
        return
    following: int | None = None

    def mark_and_move(user: User) -> None:
        nonlocal following
        discussed = meeting_discussions(engine(), user, meeting_id).discussed_ids
        following = next_to_discuss(order, current, discussed)
        mark_discussed(engine(), user, meeting_id, current, then_open=following)

    if _call(mark_and_move):
        st.session_state[key] = following or current


def _picker_key(meeting_id: int) -> str:
    return f"family-{meeting_id}"


def _choose_family(
    user: User, meeting_id: int, entries: list[CaseloadEntry], record: DiscussionRecord, chairing: bool, initials: bool
) -> int:
    """A family picked in rank order; "Next family" steps down the ranking. The picker is on the shared screen
    too, so with the team's initials setting on it names families by their initials on every screen: labels that
    changed with Presentation mode would lose the chosen family when it is switched. While the chair's clock runs, the
    chair's screen opens on the family it is counting for (after a reload, or on a second device)."""
    order = [e.family_id for e in entries]
    labels = {e.family_id: f"{e.rank}. {e.label(initials)} · {band_text(e.band)}" for e in entries}
    key = _picker_key(meeting_id)
    if st.session_state.get(key) not in labels:
        st.session_state.pop(key, None)
        if chairing and record.clock_running and record.focus_family_id in labels:
            st.session_state[key] = record.focus_family_id
    picker, step = st.columns([4, 1], vertical_alignment="bottom")
    chosen = picker.selectbox(
        "Family to discuss",
        order,
        format_func=labels.__getitem__,
        key=key,
        on_change=(lambda: _on_widget(lambda u: open_family(engine(), u, meeting_id, st.session_state[key])))
        if chairing
        else None,
    )
    if chairing:
        last = next_to_discuss(order, chosen, record.discussed_ids) is None
        help_text = "Marks this family discussed and opens the next family not yet discussed"
    else:
        last, help_text = chosen == order[-1], None
    step.button(
        "Next family ▶",
        key="next-family",
        on_click=_next_family,
        args=(meeting_id, key, order, chairing),
        disabled=last,
        help=help_text,
        width="stretch",
    )
    return chosen


def _chair_controls(user: User, meeting: MeetingSummary, family_id: int, record: DiscussionRecord) -> None:
    """Mark the open family discussed (or undo it), run the meeting clock, and set the meeting's length."""
    mark, clock, length = st.columns(3, vertical_alignment="bottom")
    discussed = record.discussed(family_id)
    mark.button(
        "Undo discussed" if discussed else "✓ Mark discussed",
        key="mark-discussed",
        on_click=_on_widget,
        args=(lambda u: mark_discussed(engine(), u, meeting.id, family_id, not discussed),),
        width="stretch",
    )
    running = record.clock_running
    clock.button(
        "⏸ Pause the meeting clock" if running else "▶ Start the meeting clock",
        key="meeting-clock",
        on_click=_on_widget,
        args=(lambda u: run_the_clock(engine(), u, meeting.id, family_id, not running),),
        help="The time a family's card is open on your screen counts as time spent discussing it",
        width="stretch",
    )
    with length.popover("Meeting length", width="stretch"):
        with st.form("meeting-length"):
            minutes = st.number_input(
                "Minutes for the whole meeting (0: not set)",
                min_value=0,
                max_value=600,
                value=record.planned_minutes or 0,
                step=5,
                key="meeting-minutes",
            )
            submitted = st.form_submit_button("Save length", key="meeting-length-button")
        if submitted:
            try:
                set_meeting_length(engine(), user, meeting.id, int(minutes) or None)
            except ServiceError as exc:
                st.error(md(exc))
            else:
                _flash(f"Meeting length set to {int(minutes)} minutes." if minutes else "Meeting length cleared.")


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
        adding = f"add-action-box-{card.meeting_id}-{card.family_id}"
        with st.container(key=adding), st.form(f"add-action-{card.meeting_id}-{card.family_id}"):
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
                    return_focus_after_rerun(adding)
                    _flash(f"Action recorded for {card.case_reference}.")
        focus_if_returning(adding)

    if card.open_actions:
        actions = {a.action_id: a for a in card.open_actions}
        completing = f"complete-action-box-{card.meeting_id}-{card.family_id}"
        with st.container(key=completing), st.form(f"complete-action-{card.meeting_id}-{card.family_id}"):
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
                return_focus_after_rerun(completing)
                _flash(f"Action for {card.case_reference} marked done on {uk_date(done_on)}.")
        focus_if_returning(completing)


def _correction_form(user: User, card: FamilyCard) -> None:
    if message := show_correction_form(user, card.meeting_id, card.family_id, card.case_reference):
        _flash(message)
    if message := show_supervision_corrections(user, card):
        _flash(message)


def _downloads(user: User, meeting: MeetingSummary, entries: list[CaseloadEntry], *, chair: bool) -> None:
    """The record that goes on file (PDF) and the ranked caseload as a spreadsheet, each made on click; audited.
    Once the meeting has closed, the chair also gets each family's own record, zipped for the case system."""
    stem = f"supervision-{meeting.held_on:%Y-%m-%d}"
    audit = {"families": len(entries), "status": meeting.status.value}
    record_pdf, csv_file, xlsx_file, family_records = st.columns(4)
    if chair:  # drafts while the meeting is open, for the chair to check; the final records once it has closed
        closed = meeting.status is MeetingStatus.CLOSED
        download_button(
            family_records,
            "Supervision records (.zip)" if closed else "Draft family records (.zip)",
            lambda checked: supervision_records_zip(engine(), checked, meeting.id),
            what="supervision_records_zip",
            entity_id=meeting.id,
            details=audit,
            file_name=f"{stem}-{file_stem(meeting.team)}-family-records{'' if closed else '-draft'}.zip",
            mime="application/zip",
            key="download-family-records",
        )
    # Each file is made for the user re-checked when the button is pressed (dashboard/components/downloads.py).
    download_button(
        record_pdf,
        "Meeting record (PDF)",
        lambda checked: meeting_record_pdf(engine(), checked, meeting.id),
        what="meeting_record_pdf",
        entity_id=meeting.id,
        details=audit,
        file_name=f"{stem}-record.pdf",
        mime="application/pdf",
        key="download-record",
    )
    download_button(
        csv_file,
        "Ranked caseload (CSV)",
        lambda checked: caseload_csv(ranked_caseload(engine(), checked, meeting.id)[1]),
        what="caseload_csv",
        entity_id=meeting.id,
        details=audit,
        file_name=f"{stem}-caseload.csv",
        mime="text/csv",
        key="download-csv",
    )
    download_button(
        xlsx_file,
        "Ranked caseload (.xlsx)",
        lambda checked: caseload_xlsx(meeting, ranked_caseload(engine(), checked, meeting.id)[1]),
        what="caseload_xlsx",
        entity_id=meeting.id,
        details=audit,
        file_name=f"{stem}-caseload.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="download-xlsx",
    )


def _schedule_panel(user: User, team_id: int, chair: bool) -> None:
    """When the team meets next (once no meeting is open), and for the chair the team's schedule, below the rest."""
    coming = next_meeting_of(user, team_id)
    if coming is not None and not coming.is_open:
        st.caption(md(next_meeting_words(coming)))
    if chair:
        with st.expander("The team's meeting schedule"):
            schedule_editor(user, team_id)


def _close_form(user: User, meeting: MeetingSummary, not_discussed: int, without_decision: list[str]) -> None:
    with st.form("close-meeting"):
        st.markdown("**Close this meeting**")
        st.caption(
            "Closing stores every family's score and locks this meeting's ratings. Practitioners cannot change "
            "their ratings afterwards."
        )
        if not_discussed:
            st.caption(
                f"{counted(not_discussed, 'family is', 'families are')} not marked discussed. You can still close; "
                "the meeting record lists them."
            )
        if without_decision:
            st.caption(
                f"{counted(len(without_decision), 'family is', 'families are')} discussed without a decision "
                f"recorded: {md(', '.join(without_decision))}. You can still close."
            )
        confirmed = st.checkbox("I have discussed every family; lock this meeting's ratings", key="close-confirm")
        submitted = st.form_submit_button("Close meeting", type="primary", key="close-meeting-button")
    if submitted:
        if not confirmed:
            st.warning("Tick the box to confirm that every family has been discussed, then close the meeting.")
            return
        try:
            closed = close_meeting(engine(), user, meeting.id)
        except ServiceError as exc:
            st.error(md(exc))
            return
        scores = counted(closed.scores, "family score", "family scores")
        words = f"The meeting of {uk_date(meeting.held_on)} is closed and its ratings are locked: {scores} stored."
        if closed.not_discussed:
            words += f" {counted(closed.not_discussed, 'family was', 'families were')} not discussed."
        if closed.without_decision:
            words += (
                f" {counted(len(closed.without_decision), 'family was', 'families were')} discussed without a "
                f"decision: {', '.join(closed.without_decision)}."
            )
        _flash(words)


user, team_id = case_page("Meeting")
chair = user.role in MANAGER_ROLES
if message := st.session_state.pop(FLASH, None):
    st.success(md(message))

meetings = or_stop(lambda: team_meetings(engine(), user, team_id))
if chair and not any(m.status is MeetingStatus.OPEN for m in meetings):
    _open_meeting_form(user, team_id)
if not meetings:
    st.info(
        "This team has no meetings yet. Open the first one above."
        if chair
        else "No meeting is open. A team manager opens one on the Meeting page."
    )
    _schedule_panel(user, team_id, chair)
    st.stop()

left, right = st.columns([3, 1], vertical_alignment="bottom")
with left:
    meeting = choose_meeting(meetings, "Meeting", key=MEETING_KEY)
with right:
    presentation = st.toggle("Presentation mode", key=PRESENTATION_KEY, help="Larger type and darker text")
    paused = meeting.status is MeetingStatus.OPEN and st.toggle(
        "Pause live updates",
        key=PAUSE_KEY,
        help="Stops the ranking and the family card refreshing on this screen until you switch it off",
    )
    following = (
        not chair
        and meeting.status is MeetingStatus.OPEN
        and st.toggle("Follow the chair", key=FOLLOW_KEY, help="Shows the family the chair has open")
    )
# The stylesheet has a slot of its own, filled or not: an element that only sometimes exists would move everything
# after it, and while the next run draws, the moved copies (two "Close meeting" forms) would show side by side.
style_slot = st.empty()
if presentation:
    style_slot.markdown(PRESENTATION_CSS, unsafe_allow_html=True)  # PRESENTATION_CSS is a constant: see its comment
is_open = meeting.status is MeetingStatus.OPEN
refresh = REFRESH_SECONDS if is_open and not paused else None
st.caption(
    f"{md(meeting.team)} · {uk_date(meeting.held_on)}{f', {clock(meeting.starts_at)}' if meeting.starts_at else ''} · "
    + ("open: ratings are still coming in" if is_open else "closed: this record is locked")
    + (f" · chaired by {md(meeting.chair)}" if meeting.chair else "")
)

# The check's caption sits above the ranking, but the check runs after it: in a full run it then finds what was
# just drawn, and only a change made since asks for another.
watch_slot = st.container()
st.session_state.pop(DRAWN_KEY, None)
entries, record = fragment(_live)(meeting, chair, presentation, following)
st.session_state.setdefault(DRAWN_KEY, (None, time.monotonic()))  # nothing read (a refusal is on screen)
if is_open:
    with watch_slot:
        fragment(_watch, run_every=refresh)(meeting.id, paused)
if chair and is_open:
    st.divider()
    if moved := move_meeting_form(user, meeting.id, meeting.held_on, meeting.starts_at):
        _flash(moved)
    not_discussed = 0 if record is None else sum(not record.discussed(e.family_id) for e in entries)
    references = {e.family_id: e.case_reference for e in entries}
    undecided = [] if record is None else [references[f] for f in record.without_decision(list(references))]
    _close_form(user, meeting, not_discussed, undecided)
if chair:
    with st.expander("Families' names on the shared screen", expanded=NAMES_FLASH in st.session_state):
        presentation_names_form(user, meeting.team_id, meeting.team, meeting.presentation_initials)
_schedule_panel(user, team_id, chair)
