"""Admin: offices, teams, accounts, who works with which family, and the short lists supervision records choose
from (the kinds of work, the outcomes). Administrators see no ratings here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.components.choice_lists import choice_lists_panel
from dashboard.components.grids import show_grid
from dashboard.components.presentation_names import presentation_names_form
from dashboard.components.records_panel import records_panel
from dashboard.components.reminder_log import reminder_log_panel
from dashboard.components.schedule_editor import schedules_panel
from dashboard.components.text import md, uk_date
from dashboard.state import engine, keep_session_after_own_change, require_user
from db.errors import ServiceError
from db.queries import admin as lists
from db.services import mfa
from db.services.accounts import MIN_PASSWORD_LENGTH, create_user
from db.services.admin import (
    add_involvement,
    add_office,
    add_team,
    end_involvement,
    rename_office,
    reset_password,
    sign_out_everywhere,
    unlock_user,
    update_team,
    update_user,
)
from db.services.scores import set_team_policy
from risk.policies import POLICIES, known_or_default
from risk.vocabulary import Role

FLASH = "admin_flash"
NO_TEAM = "No team"
NO_OFFICE = "No office (whole service)"


def _attempt(action: Callable[[], Any], done: str, clear: tuple[str, ...] = ()) -> None:
    """Run a change; on success say so after the rerun and empty the boxes in `clear`; on refusal say why and
    keep what was typed so it can be corrected."""
    try:
        action()
    except ServiceError as exc:
        st.error(md(exc))
        return
    for key in clear:
        st.session_state.pop(key, None)
    st.session_state[FLASH] = done
    st.rerun()


def _offices_and_teams() -> None:
    offices = lists.offices(engine(), user)
    teams = lists.teams(engine(), user)
    staffed = {t.office_id for t in teams}
    rows = [
        {
            "Office": t.office,
            "Team": t.name,
            "Active staff": t.staff,
            "Open families": t.open_families,
            "Risk rule": t.policy,
        }
        for t in teams
    ] + [{"Office": name, "Team": "no team yet"} for office_id, name in offices.items() if office_id not in staffed]
    columns = ["Office", "Team", "Active staff", "Open families", "Risk rule"]
    show_grid(pd.DataFrame(rows, columns=columns), hide_index=True)
    if not offices:
        st.info("There are no offices yet. Add the first office, then its teams.")
    left, middle, right = st.columns(3)
    with left, st.form("add-office"):
        st.markdown("**Add an office**")
        name = st.text_input("Office name", key="office-name")
        if st.form_submit_button("Add office"):
            _attempt(lambda: add_office(engine(), user, name), f"Office {name} added.", clear=("office-name",))
    if offices:
        with left, st.form("rename-office"):
            st.markdown("**Rename an office**")
            office_id = st.selectbox("Office", list(offices), format_func=offices.__getitem__, key="rename-office")
            new_name = st.text_input("New name", key="rename-office-name")
            if st.form_submit_button("Rename office"):
                _attempt(
                    lambda: rename_office(engine(), user, office_id, new_name),
                    f"Office renamed {new_name}.",
                    clear=("rename-office-name",),
                )
    with middle, st.form("add-team"):
        st.markdown("**Add a team**")
        team_name = st.text_input("Team name", key="team-name")
        team_office_id = st.selectbox(
            "Office", list(offices), format_func=offices.__getitem__, index=None, key="team-office"
        )
        if st.form_submit_button("Add team"):
            if team_office_id is None:
                st.error("Choose the office the team works from.")
            else:
                _attempt(
                    lambda: add_team(engine(), user, team_name, team_office_id),
                    f"Team {team_name} added.",
                    clear=("team-name",),
                )
    with right:
        by_id = {t.id: t for t in teams}
        if not by_id:
            st.caption("Teams you add can be renamed or moved to another office here.")
            return
        team_id = st.selectbox("Team to rename or move", list(by_id), format_func=lambda i: by_id[i].name)
        chosen = by_id[team_id]
        office_ids = list(offices)
        with st.form(f"edit-team-{chosen.id}"):
            st.markdown(f"**Rename or move {md(chosen.name)}**")
            new_name = st.text_input("Name", value=chosen.name, key=f"edit-team-name-{chosen.id}")
            new_office = st.selectbox(
                "Office", office_ids, index=office_ids.index(chosen.office_id), format_func=offices.__getitem__
            )
            if st.form_submit_button("Save team"):
                _attempt(
                    lambda: update_team(engine(), user, chosen.id, new_name, new_office),
                    f"Team {new_name} saved.",
                    clear=(f"edit-team-name-{chosen.id}",),
                )
    st.divider()
    _team_rule(teams)
    _team_presentation(teams)


def _rule_words(name: str) -> str:
    return f"the {name} rule: {POLICIES[name].description}"


def _team_rule(teams: list[lists.TeamRow]) -> None:
    """Which rule a team combines its professionals' ratings by: one of the registry's, changed on purpose."""
    st.markdown("**A team's risk rule**")
    st.caption(
        "How the ratings the professionals give a child make the child's rating. The team's live ranking, its "
        "family cards and every meeting it closes from now on follow the rule chosen here; the chair can compare "
        "it with the others on the Meeting page."
    )
    by_id = {t.id: t for t in teams}
    team_id = st.selectbox("Team", list(by_id), format_func=lambda i: by_id[i].name, key="rule-team")
    chosen = by_id[team_id]
    rule = known_or_default(chosen.policy)
    if rule.name != chosen.policy:
        now = (
            f"{md(chosen.name)} is set to a rule this version does not know ({md(chosen.policy)}), so it is ranked "
            f"by {_rule_words(rule.name)}."
        )
    else:
        now = f"{md(chosen.name)} uses {_rule_words(rule.name)}."
        if chosen.policy_version != rule.version:
            now += f" It was set at version {chosen.policy_version}; the rule is now at version {rule.version}."
    st.caption(now)
    names = list(POLICIES)
    with st.form(f"team-rule-{chosen.id}"):
        policy = st.radio(
            "Rule", names, index=names.index(rule.name), format_func=lambda n: f"{n}: {POLICIES[n].description}"
        )
        rebuild = st.checkbox(
            "Also rebuild the team's stored scores of closed meetings under this rule",
            help="Closed meetings otherwise keep the scores they were stored with, the record of what each meeting "
            "saw; the first meeting under a new rule then measures its trends against scores made by the old one.",
        )
        if st.form_submit_button("Save rule"):
            rebuilt = " Its stored scores were rebuilt under it." if rebuild else ""
            _attempt(
                lambda: set_team_policy(engine(), user, chosen.id, policy, rebuild=rebuild),
                f"{chosen.name} now uses the {policy} rule.{rebuilt}",
            )


def _team_presentation(teams: list[lists.TeamRow]) -> None:
    """Whether a team's shared screen shows families' names in full or as initials."""
    st.markdown("**How a team's families' names show on the shared screen**")
    by_id = {t.id: t for t in teams}
    team_id = st.selectbox("Team", list(by_id), format_func=lambda i: by_id[i].name, key="presentation-team")
    chosen = by_id[team_id]
    presentation_names_form(user, chosen.id, chosen.name, chosen.presentation_initials)


def _accounts() -> None:
    offices = lists.offices(engine(), user)
    teams = {t.id: t.name for t in lists.teams(engine(), user)}
    search, role_filter, team_filter, status_filter = st.columns(4)
    text = search.text_input("Find a person (name or email)", key="user-search")
    role_choice = role_filter.selectbox(
        "Role",
        list(Role),
        format_func=lambda r: r.label.capitalize(),
        index=None,
        placeholder="Any role",
        key="filter-role",
    )
    team_choice = team_filter.selectbox(
        "Team", list(teams), format_func=teams.__getitem__, index=None, placeholder="Any team", key="filter-team"
    )
    status_choice = status_filter.selectbox(
        "Status",
        lists.ACCOUNT_STATUSES,
        format_func=str.capitalize,
        index=None,
        placeholder="Any status",
        key="filter-status",
    )
    shown = lists.users(engine(), user, search=text, role=role_choice, team_id=team_choice, status=status_choice)
    show_grid(
        pd.DataFrame(
            [
                {
                    "Name": a.name,
                    "Email": a.email,
                    "Role": a.role.label,
                    "Team": a.team or "",
                    "Office": a.office or "",
                    "Active": "Yes" if a.active else "No",
                    "Locked": "Locked" if a.locked else "",
                    "Signs in with": _sign_in_with(a),
                }
                for a in shown
            ],
            columns=["Name", "Email", "Role", "Team", "Office", "Active", "Locked", "Signs in with"],
        ),
        hide_index=True,
    )
    st.caption(f"{len(shown)} accounts shown. Locked: locked out after repeated failed sign-ins.")
    left, right = st.columns(2)
    with left, st.form("create-user"):
        st.markdown("**Create an account**")
        name = st.text_input("Name", key="new-name")
        email = st.text_input("Email", key="new-email")
        roles = list(Role)  # named first: given inline, mypy infers the options from the overload for no options
        role = st.selectbox("Role", roles, format_func=lambda r: r.label.capitalize(), key="new-role")
        team = st.selectbox("Team", [NO_TEAM, *teams.values()], key="new-team")
        office = st.selectbox(
            "Office (psychologists and service leads)", [NO_OFFICE, *offices.values()], key="new-office"
        )
        sso_only = st.checkbox(
            "Council account only (no dashboard password: signs in with single sign-on)", key="new-sso-only"
        )
        password = st.text_input(
            f"First password (at least {MIN_PASSWORD_LENGTH} characters; they choose their own at first sign-in)",
            type="password",
            key="new-password",
        )
        if st.form_submit_button("Create account", type="primary"):
            _attempt(
                lambda: create_user(
                    engine(),
                    user,
                    email=email,
                    display_name=name,
                    role=role,
                    team_name=None if team == NO_TEAM else team,
                    office_name=None if office == NO_OFFICE else office,
                    password=None if sso_only else password,
                ),
                f"Account created for {email}. "
                + (
                    "They sign in with their council account."
                    if sso_only
                    else "Give them the first password in person: they choose their own at first sign-in."
                ),
                clear=("new-name", "new-email", "new-password", "new-sso-only"),
            )
    with right:
        by_id = {a.id: a for a in shown}
        if not by_id:
            st.caption("No account matches these filters. Clear a filter to see more.")
            return
        person_id = st.selectbox(
            "Account to change", list(by_id), format_func=lambda i: f"{by_id[i].name} · {by_id[i].email}"
        )
        person = by_id[person_id]
        with st.form(f"edit-user-{person.id}"):
            st.markdown(f"**Change {md(person.name)}**")
            roles = list(Role)
            new_role = st.selectbox(
                "Role", roles, index=roles.index(person.role), format_func=lambda r: r.label.capitalize()
            )
            team_ids = [None, *teams]
            new_team = st.selectbox(
                "Team", team_ids, index=team_ids.index(person.team_id), format_func=lambda i: teams.get(i, NO_TEAM)
            )
            office_ids = [None, *offices]
            new_office = st.selectbox(
                "Office",
                office_ids,
                index=office_ids.index(person.office_id),
                format_func=lambda i: offices.get(i, NO_OFFICE),
            )
            active = st.checkbox("Active (untick to end their access at once)", value=person.active)
            if st.form_submit_button("Save account"):
                _attempt(
                    lambda: update_user(
                        engine(), user, person.id, role=new_role, team_id=new_team, office_id=new_office, active=active
                    ),
                    f"Account of {person.name} saved.",
                )
        if person.locked:
            st.warning(f"{md(person.name)} is locked out after repeated failed sign-ins.")
            if st.button("Unlock (keeps their password)", key=f"unlock-{person.id}"):
                _attempt(lambda: unlock_user(engine(), user, person.id), f"Account of {person.name} unlocked.")
        with st.form(f"reset-{person.id}"):
            st.markdown(f"**New password for {md(person.name)}** (also unlocks the account)")
            new_password = st.text_input(
                f"New password (at least {MIN_PASSWORD_LENGTH} characters)", type="password", key="reset-password"
            )
            if st.form_submit_button("Set password"):
                _attempt(
                    lambda: _reset_password(person.id, new_password),
                    f"Password of {person.name} set. Give it to them in person: they choose their own at next "
                    "sign-in. Their sessions were signed out.",
                    clear=("reset-password",),
                )
        _sessions_and_two_step(person)


def _reset_password(person_id: int, password: str) -> None:
    generation = reset_password(engine(), user, person_id, password)
    if person_id == user.id:  # one's own: this session carries on, the others end
        keep_session_after_own_change(generation)


def _sign_in_with(account: lists.UserRow) -> str:
    if not account.password:
        return "council account"
    return "password and code" if account.mfa else "password"


def _sessions_and_two_step(person: lists.UserRow) -> None:
    """Ending every session of an account, and resetting its two-step sign-in (never one's own)."""
    if person.mfa and person.id != user.id:
        with st.form(f"mfa-reset-{person.id}"):
            st.markdown(f"**Reset two-step sign-in of {md(person.name)}** (a lost or new phone)")
            reason = st.text_input("Why (for the audit trail)", key="mfa-reset-reason")
            if st.form_submit_button("Reset two-step sign-in"):
                _attempt(
                    lambda: mfa.reset(engine(), user, person.id, reason),
                    f"Two-step sign-in of {person.name} reset: their sessions were signed out, and they set it up "
                    "again at their next sign-in.",
                    clear=("mfa-reset-reason",),
                )
    if st.button(f"Sign {md(person.name)} out everywhere", key=f"sign-out-everywhere-{person.id}"):
        _attempt(
            lambda: sign_out_everywhere(engine(), user, person.id),
            f"Every session of {person.name} ends at its next click or refresh.",
        )


def _involvement() -> None:
    teams = {t.id: f"{t.name} ({t.office})" for t in lists.teams(engine(), user)}
    if not teams:
        st.info("Add a team first.")
        return
    left, right = st.columns(2)
    team_id = left.selectbox("Team", list(teams), format_func=teams.__getitem__, key="inv-team")
    families = lists.families(engine(), user, team_id)
    if not families:
        st.info("This team has no open families. Import the caseload, or add families through an import file.")
        return
    family_id = right.selectbox("Family", list(families), format_func=families.__getitem__, key="inv-family")
    rows = lists.involvements(engine(), user, family_id)
    show_grid(
        pd.DataFrame(
            [
                {
                    "Professional": r.name,
                    "Role": r.role.label,
                    "From": uk_date(r.started_on),
                    "Until": uk_date(r.ended_on) if r.ended_on else "now",
                }
                for r in rows
            ],
            columns=["Professional", "Role", "From", "Until"],
        ),
        hide_index=True,
    )
    if not rows:
        st.caption("Nobody is recorded as working with this family yet: add its professionals below.")
    people = lists.professionals(engine(), user, team_id)
    add, end = st.columns(2)
    with add, st.form("add-involvement"):
        st.markdown(f"**Add a professional to {md(families[family_id])}**")
        person = st.selectbox("Professional", list(people), format_func=people.__getitem__, index=None)
        started = st.date_input("From", value=dt.date.today(), format="DD/MM/YYYY")
        if st.form_submit_button("Add"):
            if person is None:
                st.error("Choose the professional who will work with the family.")
            else:
                _attempt(
                    lambda: add_involvement(engine(), user, family_id, person, started),
                    f"{people[person]} added to {families[family_id]}.",
                )
    current = {r.id: r for r in rows if r.ended_on is None}
    with end:
        if current:
            with st.form("end-involvement"):
                st.markdown(f"**End someone's work with {md(families[family_id])}**")
                involvement = st.selectbox("Professional", list(current), format_func=lambda i: current[i].name)
                ended = st.date_input("Stops working with the family on", value=dt.date.today(), format="DD/MM/YYYY")
                if st.form_submit_button("End"):
                    _attempt(
                        lambda: end_involvement(engine(), user, involvement, ended),
                        f"{current[involvement].name} no longer works with {families[family_id]}.",
                    )


user = require_user()
st.title("Admin")
if user.role is not Role.ADMINISTRATOR:
    st.error("Only administrators can use this page.")
    st.stop()
if message := st.session_state.pop(FLASH, None):
    st.success(md(message))
offices_tab, accounts_tab, involvement_tab, records_tab, schedules_tab, lists_tab, reminders_tab = st.tabs(
    [
        "Offices and teams",
        "Accounts",
        "Who works with which family",
        "Records management",
        "Meeting schedules",
        "Supervision lists",
        "Reminders sent",
    ]
)
with offices_tab:
    _offices_and_teams()
with accounts_tab:
    _accounts()
with involvement_tab:
    _involvement()
with records_tab:
    records_panel(user)
with schedules_tab:
    schedules_panel(user, {t.id: f"{t.name} ({t.office})" for t in lists.teams(engine(), user)})
with lists_tab:
    choice_lists_panel(user)
with reminders_tab:
    reminder_log_panel(user)
