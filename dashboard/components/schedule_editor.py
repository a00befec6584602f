"""The team's meeting schedule, as its keeper edits it (the administrator on the Admin page, the team manager on the
Meeting page): the rule, the coming meetings with their moves and cancellations, and the chair's move of an open
meeting. Every change goes through db.services.schedules or db.services.meetings, which check who may make it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from dashboard.components.text import md
from dashboard.state import engine
from db.errors import ServiceError
from db.models import User
from db.queries.schedules import ComingMeeting, TeamSchedule, team_schedule
from db.services.meetings import move_meeting
from db.services.schedules import change_scheduled_meeting, remove_schedule, set_schedule, undo_schedule_change
from risk.schedule import (
    DEFAULT_OPEN_DAYS_BEFORE,
    LONGEST_EVERY_WEEKS,
    LONGEST_MEETING_MINUTES,
    LONGEST_OPEN_DAYS_BEFORE,
    NTH_WORDS,
    WEEKDAYS,
    Pattern,
    ScheduleRule,
    clock,
    long_day,
    short_day,
    when_words,
)

FLASH = "schedule_flash"
PATTERN_WORDS = {Pattern.MONTHLY: "A weekday of each month", Pattern.WEEKLY: "Every few weeks on a weekday"}


def _attempt(change: Callable[[], object], done: str) -> None:
    """Make the change; on success say so after the rerun, on refusal say why (what was chosen stays chosen)."""
    try:
        change()
    except ServiceError as exc:
        st.error(md(exc))
        return
    st.session_state[FLASH] = done
    st.rerun()


def schedules_panel(user: User, teams: dict[int, str]) -> None:
    """The Admin page's tab: any team's schedule."""
    if not teams:
        st.info("Add a team first.")
        return
    team_id = st.selectbox(
        "Team whose schedule to see or change",
        list(teams),
        format_func=teams.__getitem__,
        index=None,
        placeholder="Choose a team",
        key="schedule-team",
    )
    if team_id is not None:
        schedule_editor(user, team_id)


def schedule_editor(user: User, team_id: int, *, today: dt.date | None = None) -> None:
    """The whole editor for one team: flash message, rule form, coming meetings, one-off changes."""
    if message := st.session_state.pop(FLASH, None):
        st.success(md(message))
    try:
        view = team_schedule(engine(), user, team_id, today=today)
    except ServiceError as exc:
        st.error(md(exc))
        return
    if view.rule is None:
        st.info(
            f"{md(view.team)} has no meeting schedule: its meetings are opened by hand. Set its rule below and each "
            "meeting opens for ratings by itself."
        )
    else:
        st.markdown(f"**{md(view.team)}** meets {md(view.rule.describe())}.")
        st.caption(
            f"Each meeting opens for ratings by itself {view.rule.open_days_before} days before it is held, and "
            "whoever has ratings to enter is reminded by email."
        )
    left, right = st.columns(2)
    with left:
        _rule_form(user, view)
    with right:
        if view.rule is not None:
            _coming(user, view)


def _rule_form(user: User, view: TeamSchedule) -> None:
    rule = view.rule
    key = f"schedule-{view.team_id}"
    with st.form(f"{key}-rule"):
        st.markdown("**Set the schedule**" if rule is None else "**Change the schedule**")
        patterns = list(Pattern)
        pattern = st.radio(
            "Meetings are held on",
            patterns,
            index=patterns.index(rule.pattern) if rule else 0,
            format_func=PATTERN_WORDS.__getitem__,
            key=f"{key}-pattern",
        )
        week, weekday = st.columns(2)
        nths = list(NTH_WORDS)
        nth = week.selectbox(
            "Which week of the month (for a weekday of each month)",
            nths,
            index=nths.index(rule.nth) if rule and rule.nth in nths else 1,
            format_func=lambda n: NTH_WORDS[n].capitalize(),
            key=f"{key}-nth",
        )
        day = weekday.selectbox(
            "Day of the week",
            list(range(7)),
            index=rule.weekday if rule else 1,
            format_func=WEEKDAYS.__getitem__,
            key=f"{key}-weekday",
        )
        every, starts = st.columns(2)
        every_weeks = every.number_input(
            "Every how many weeks (for every few weeks)",
            min_value=1,
            max_value=LONGEST_EVERY_WEEKS,
            value=(rule.every_weeks or 4) if rule else 4,
            key=f"{key}-every",
        )
        starts_on = starts.date_input(
            "First meeting on or after",
            value=rule.starts_on if rule else dt.date.today(),
            format="DD/MM/YYYY",
            key=f"{key}-starts-on",
        )
        at, minutes, opens = st.columns(3)
        time = at.time_input("Starts at", value=rule.time if rule else dt.time(10, 0), step=300, key=f"{key}-time")
        length = minutes.number_input(
            "Length (minutes)",
            min_value=1,
            max_value=LONGEST_MEETING_MINUTES,
            value=rule.planned_minutes if rule else 150,
            step=5,
            key=f"{key}-minutes",
        )
        open_days = opens.number_input(
            "Opens for ratings (days before)",
            min_value=0,
            max_value=LONGEST_OPEN_DAYS_BEFORE,
            value=rule.open_days_before if rule else DEFAULT_OPEN_DAYS_BEFORE,
            key=f"{key}-open-days",
        )
        submitted = st.form_submit_button("Save schedule", type="primary")
    if submitted:
        new = ScheduleRule(
            pattern=pattern,
            weekday=int(day),
            time=time,
            planned_minutes=int(length),
            starts_on=starts_on,
            nth=int(nth) if pattern is Pattern.MONTHLY else None,
            every_weeks=int(every_weeks) if pattern is Pattern.WEEKLY else None,
            open_days_before=int(open_days),
        )
        _attempt(
            lambda: set_schedule(engine(), user, view.team_id, new, view.version),
            f"{view.team}'s schedule saved: {new.describe()}.",
        )
    if rule is not None and st.button(
        "Stop opening meetings by themselves",
        key=f"{key}-remove",
        help="Removes the schedule; the team manager then opens each meeting by hand",
    ):
        _attempt(lambda: remove_schedule(engine(), user, view.team_id), f"{view.team}'s schedule removed.")


def _state(meeting: ComingMeeting) -> str:
    o = meeting.occurrence
    if o.cancelled:
        return "cancelled"
    if meeting.standing:
        return "open for ratings"
    if o.moved:
        return f"moved from {short_day(o.scheduled_on)}"
    return f"opens {short_day(o.opens_on)}"


def _when(meeting: ComingMeeting) -> str:
    o = meeting.occurrence
    return short_day(o.scheduled_on) if o.cancelled else when_words(o.held_on, o.time)


def _coming(user: User, view: TeamSchedule) -> None:
    st.markdown("**Coming meetings**")
    # a list, not a table: the Meeting page keeps tables for its ranking (presentation mode switches them)
    st.markdown("\n".join(f"- {_when(c)} · {_state(c)}" for c in view.coming))
    changeable = {c.occurrence.scheduled_on: c for c in view.coming if not c.standing}
    if not changeable:
        return
    key = f"schedule-{view.team_id}-change"
    with st.form(key):
        st.markdown("**Move or cancel one meeting** (a bank holiday, leave)")
        day = st.selectbox(
            "Meeting",
            list(changeable),
            format_func=lambda d: long_day(d) + (" (cancelled)" if changeable[d].occurrence.cancelled else ""),
            key=f"{key}-day",
        )
        what = st.radio("Change", ["Move it", "Cancel it", "Put it back on its usual day"], key=f"{key}-what")
        to_day, to_time = st.columns(2)
        moved_to = to_day.date_input("Move to", value=day, format="DD/MM/YYYY", key=f"{key}-to")
        moved_time = to_time.time_input("At", value=changeable[day].occurrence.time, step=300, key=f"{key}-time")
        submitted = st.form_submit_button("Save change")
    if not submitted:
        return
    if what == "Cancel it":
        _attempt(
            lambda: change_scheduled_meeting(engine(), user, view.team_id, day, None),
            f"The meeting of {long_day(day)} is cancelled.",
        )
    elif what == "Move it":
        _attempt(
            lambda: change_scheduled_meeting(engine(), user, view.team_id, day, moved_to, moved_time),
            f"The meeting of {long_day(day)} is moved to {long_day(moved_to)}, {clock(moved_time)}.",
        )
    else:
        _attempt(
            lambda: undo_schedule_change(engine(), user, view.team_id, day),
            f"The meeting of {long_day(day)} is back on its usual day.",
        )


def move_meeting_form(user: User, meeting_id: int, held_on: dt.date, starts_at: dt.time | None) -> str | None:
    """The chair moves the open meeting to another day or time (its ratings so far stay with it). Returns what to
    tell the chair once it is moved; a refusal is shown in the form, which keeps what was chosen."""
    with st.popover("Move this meeting"):
        with st.form(f"move-meeting-{meeting_id}"):
            day = st.date_input("New date", value=held_on, format="DD/MM/YYYY", key=f"move-day-{meeting_id}")
            time = st.time_input(
                "Starts at", value=starts_at or dt.time(10, 0), step=300, key=f"move-time-{meeting_id}"
            )
            submitted = st.form_submit_button("Move meeting")
        if submitted:
            try:
                move_meeting(engine(), user, meeting_id, day, time)
            except ServiceError as exc:
                st.error(md(exc))
                return None
            return f"The meeting is now on {long_day(day)}, {clock(time)}."
    return None
