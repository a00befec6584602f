"""Rate: each professional's red, amber or green for every child they work with, at their team's open meeting.

One form per family, so typing never reruns the page and a family's ratings save together (with the professional's
update for supervision: what they did with the family since the last meeting) or not at all; each form
is a fragment, so saving reruns that form alone. The version of each rating shown when the form was drawn is kept
in the session, so a save never overwrites a change made since on another tab or device: it is refused, and what
was typed stays on screen.
"""

from __future__ import annotations

import streamlit as st

from dashboard.components.case_page import case_page, or_stop
from dashboard.components.database_faults import fragment, show_refusal
from dashboard.components.focus import return_focus_to
from dashboard.components.next_meeting import meeting_time_words, next_meeting_of, next_meeting_words
from dashboard.components.text import md, uk_date
from dashboard.state import engine, live_user
from db.errors import InvalidInput, ServiceError, StaleRating
from db.models import RATIONALE_MAX, User
from db.queries.caseload import MeetingSummary, team_meetings
from db.queries.choices import Choice, choice_list
from db.queries.rating_form import FamilyToRate, rating_form
from db.services.ratings import RatingEntry, save_family_form
from db.services.supervision import UpdateEntry
from risk.presentation import band_text
from risk.supervision import UPDATE_TEXT_MAX, ChoiceKind
from risk.vocabulary import RATING_WORDS, RATINGS, MeetingStatus

CHOICES = RATINGS
RATING_MEETING_KEY = "rate-meeting"


def _rag_key(meeting_id: int, child_id: int) -> str:
    return f"rag-{meeting_id}-{child_id}"


def _why_key(meeting_id: int, child_id: int) -> str:
    return f"why-{meeting_id}-{child_id}"


def _update_key(meeting_id: int, family_id: int) -> str:
    return f"update-{meeting_id}-{family_id}"


def _kind_key(meeting_id: int, family_id: int) -> str:
    return f"work-kind-{meeting_id}-{family_id}"


def _update_version_key(meeting_id: int, family_id: int) -> str:
    return f"update-version-{meeting_id}-{family_id}"


def _loaded_update_version(meeting_id: int, family: FamilyToRate) -> int | None:
    """The version of my update as first shown (None: none then), kept across reruns like the ratings'."""
    key = _update_version_key(meeting_id, family.family_id)
    if key not in st.session_state:
        st.session_state[key] = family.my_update.version if family.my_update else None
    return st.session_state[key]


def _versions_key(meeting_id: int, family_id: int) -> str:
    return f"rate-versions-{meeting_id}-{family_id}"


def _stale_key(meeting_id: int, family_id: int) -> str:
    return f"rate-stale-{meeting_id}-{family_id}"


def _loaded_versions(meeting_id: int, family: FamilyToRate) -> dict[int, int | None]:
    """The version of each of my ratings as first shown (None: not rated then), kept across reruns."""
    key = _versions_key(meeting_id, family.family_id)
    if key not in st.session_state:
        st.session_state[key] = {c.child_id: c.current.version if c.current else None for c in family.children}
    return st.session_state[key]


def _forget(meeting_id: int, family: FamilyToRate) -> None:
    """Drop the remembered versions and typed values, so the family's form shows what is saved now."""
    for key in (
        _versions_key(meeting_id, family.family_id),
        _stale_key(meeting_id, family.family_id),
        _update_version_key(meeting_id, family.family_id),
        _update_key(meeting_id, family.family_id),
        _kind_key(meeting_id, family.family_id),
    ):
        st.session_state.pop(key, None)
    for child in family.children:
        st.session_state.pop(_rag_key(meeting_id, child.child_id), None)
        st.session_state.pop(_why_key(meeting_id, child.child_id), None)


def _entries(meeting_id: int, family: FamilyToRate) -> list[RatingEntry]:
    """The ratings chosen in the family's form, against the versions shown when the page loaded."""
    versions = _loaded_versions(meeting_id, family)
    entries = []
    for child in family.children:
        rag = st.session_state.get(_rag_key(meeting_id, child.child_id))
        why = (st.session_state.get(_why_key(meeting_id, child.child_id)) or "").strip()
        if rag is None:
            if why:
                raise InvalidInput(f"Choose {RATING_WORDS} for {child.first_name}, or clear the reason.")
            continue
        loaded = versions.get(child.child_id, child.current.version if child.current else None)
        entries.append(RatingEntry(child.child_id, rag, why or None, loaded))
    return entries


def _update_entry(meeting_id: int, family: FamilyToRate) -> UpdateEntry | None:
    """The update as typed, against the version shown when the page loaded; None when there is none to save."""
    text = st.session_state.get(_update_key(meeting_id, family.family_id)) or ""
    kind = st.session_state.get(_kind_key(meeting_id, family.family_id))
    loaded = _loaded_update_version(meeting_id, family)
    if not text.strip() and kind is None and loaded is None:
        return None
    return UpdateEntry(family.family_id, text, kind, loaded)


def _save(user: User, meeting_id: int, family: FamilyToRate, families: list[FamilyToRate]) -> None:
    """Save the family's form as typed (its ratings and my update, together), and say above the form how it went
    and how many are left in all."""
    try:
        form = save_family_form(
            engine(), user, meeting_id, _entries(meeting_id, family), _update_entry(meeting_id, family)
        )
    except StaleRating as exc:
        st.session_state[_stale_key(meeting_id, family.family_id)] = True
        st.error(md(exc))
        return
    except ServiceError as exc:
        show_refusal(exc)
        return
    # The versions just saved are the ones the next save from this form is made against.
    saved = form.ratings
    _loaded_versions(meeting_id, family).update({rating.child_id: rating.version for rating in saved})
    if form.update is not None:
        st.session_state[_update_version_key(meeting_id, family.family_id)] = form.update.version
    st.session_state.pop(_stale_key(meeting_id, family.family_id), None)
    changed = "no changes to save" if not saved else f"{len(saved)} saved"
    if form.update is not None:
        changed += "; your update saved"
    st.success(md(f"Your ratings for {family.label}: {changed}. {_progress_words(meeting_id, families)}"))


def _rated(meeting_id: int, family: FamilyToRate) -> int:
    return sum(version is not None for version in _loaded_versions(meeting_id, family).values())


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _progress_words(meeting_id: int, families: list[FamilyToRate]) -> str:
    """'5 of 6 rated; 1 still to rate.' over every family on the page, as saved from this screen."""
    rated = sum(_rated(meeting_id, family) for family in families)
    total = sum(len(family.children) for family in families)
    if rated == total:
        return "Every child you work with is rated."
    return f"{rated} of {total} rated; {total - rated} still to rate."


def _update_fields(meeting_id: int, family: FamilyToRate, kinds: list[Choice]) -> None:
    """My update for supervision and the kind of work, below the family's ratings. A kind retired since I chose it
    is still shown (and kept) on my update; it is not offered to anyone choosing anew."""
    mine = family.my_update
    labels = {k.choice_id: k.label for k in kinds if not k.retired or (mine and mine.work_kind_id == k.choice_id)}
    st.text_area(
        "Your update for supervision (optional)",
        value=(mine.text or "") if mine else "",
        max_chars=UPDATE_TEXT_MAX,
        help=f"What you have done with the family since the last meeting, in plain text (up to {UPDATE_TEXT_MAX:,} "
        "characters). The chair and the team see it beside your ratings.",
        key=_update_key(meeting_id, family.family_id),
    )
    current = mine.work_kind_id if mine else None
    st.selectbox(
        "The kind of work (optional)",
        list(labels),
        index=list(labels).index(current) if current in labels else None,
        format_func=labels.__getitem__,
        placeholder="Choose the kind of work",
        key=_kind_key(meeting_id, family.family_id),
    )


def _family_form(
    user: User, meeting_id: int, family: FamilyToRate, families: list[FamilyToRate], kinds: list[Choice]
) -> None:
    """One family's form, run as a fragment: pressing Save reruns this form alone, not the page, so thirty people
    saving at once each cost the server one small form, and what is typed in the other forms is never touched.

    The save is made before the form is drawn (the button's state says it was pressed), so the same run shows the
    counts as saved. (How many are left in all is said in the confirmation: a form's rerun cannot redraw the
    rest of the page.)"""
    user = live_user()  # a form's rerun skips the page's own check: signed out, idle or deactivated ends it here
    save_key = f"save-{meeting_id}-{family.family_id}"
    saved = bool(st.session_state.get(save_key))
    if saved:
        _save(user, meeting_id, family, families)
    rated = _rated(meeting_id, family)
    count = f"{rated} of {len(family.children)} rated"
    box = f"family-{meeting_id}-{family.family_id}"
    with (
        st.container(key=box),
        st.expander(f"{md(family.label)} · {count}", expanded=rated < len(family.children)),
    ):
        with st.form(f"rate-form-{meeting_id}-{family.family_id}", border=False):
            for child in family.children:
                status = f" · {child.legal_status.short}" if child.legal_status else ""
                st.radio(
                    f"{md(child.first_name)}, {child.age}{status}",  # plain: a screen reader reads ** aloud
                    CHOICES,
                    index=CHOICES.index(child.current.rag) if child.current else None,
                    format_func=band_text,
                    horizontal=True,
                    key=_rag_key(meeting_id, child.child_id),
                )
                last = band_text(child.last_month) if child.last_month else "not rated by you"
                st.caption(f"Last month: {last}")
                st.text_input(
                    f"Why, for {md(child.first_name)} (optional)",
                    value=(child.current.rationale or "") if child.current else "",
                    max_chars=RATIONALE_MAX,
                    key=_why_key(meeting_id, child.child_id),
                )
            _update_fields(meeting_id, family, kinds)
            st.form_submit_button(f"Save ratings for {md(family.label)}", type="primary", key=save_key)
        if saved:
            return_focus_to(box)
        if st.session_state.get(_stale_key(meeting_id, family.family_id)) and st.button(
            f"Load the latest saved ratings for {md(family.label)}",
            key=f"reload-{meeting_id}-{family.family_id}",
            help="Replaces what you typed for this family with what is saved now.",
        ):
            _forget(meeting_id, family)
            st.rerun()  # the whole page, which reads what is saved now


def _meeting_to_rate(meetings: list[MeetingSummary]) -> MeetingSummary | None:
    """The team's open meeting; or, once, the meeting this screen was rating if it has closed since, so a save
    pressed after the chair closed it (on this server or another) is answered and what was typed stays on screen."""
    rating = st.session_state.pop(RATING_MEETING_KEY, None)
    meeting = next((m for m in meetings if m.status is MeetingStatus.OPEN), None)
    if meeting is None:
        return next((m for m in meetings if m.id == rating), None)
    st.session_state[RATING_MEETING_KEY] = meeting.id
    return meeting


user, team_id = case_page("Rate")

meeting = _meeting_to_rate(or_stop(lambda: team_meetings(engine(), user, team_id)))
coming = next_meeting_of(user, team_id)
if meeting is None:
    st.info(
        f"No meeting is open yet. {md(next_meeting_words(coming))}"
        if coming is not None
        else "No meeting is open. A team manager opens one on the Meeting page."
    )
    st.stop()
st.caption(f"{md(meeting.team)} · supervision meeting of {uk_date(meeting.held_on)}")
if coming is not None and coming.is_open and coming.held_on == meeting.held_on and coming.starts_at:
    st.caption(meeting_time_words(coming))
if meeting.status is not MeetingStatus.OPEN:
    st.warning(
        f"The chair closed the meeting of {uk_date(meeting.held_on)} while you were rating: its ratings are locked. "
        "Anything you had not saved is still on screen below but cannot be saved now."
    )

meeting_id = meeting.id
families = or_stop(lambda: rating_form(engine(), user, meeting_id))
if not families:
    st.info(
        f"You are not recorded as working with any family of this team on {uk_date(meeting.held_on)}, so there is "
        "nobody for you to rate. If that is wrong, ask your team manager to add you to the family."
    )
    st.stop()

for family in families:
    if not any(_rag_key(meeting.id, child.child_id) in st.session_state for child in family.children):
        # a form drawn anew (the page just opened) starts from what is saved now
        st.session_state.pop(_versions_key(meeting.id, family.family_id), None)
        st.session_state.pop(_update_version_key(meeting.id, family.family_id), None)
    _loaded_versions(meeting.id, family)
    _loaded_update_version(meeting.id, family)
children = sum(len(family.children) for family in families)
st.markdown(  # numbers that stay true while forms are saved one by one; what is left is said after each save
    f"{_count(children, 'child', 'children')} in {_count(len(families), 'family', 'families')} you work with. "
    "Each family's ratings are saved with its own button, with your update for supervision."
)
kinds = or_stop(lambda: choice_list(engine(), user, ChoiceKind.WORK_KIND, with_retired=True))
for family in families:
    fragment(_family_form)(user, meeting.id, family, families, kinds)
