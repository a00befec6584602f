"""Admin: offices, teams, accounts and who works with which family. Administrators see no ratings here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.components.text import md, uk_date
from dashboard.risk.vocabulary import Role
from dashboard.state import engine, require_user
from db.errors import ServiceError
from db.queries import admin as lists
from db.services.accounts import MIN_PASSWORD_LENGTH, create_user
from db.services.admin import (
    add_involvement,
    add_office,
    add_team,
    end_involvement,
    reset_password,
    update_team,
    update_user,
)

FLASH = "admin_flash"
NO_TEAM = "No team"
NO_OFFICE = "No office (whole service)"


def _attempt(action: Callable[[], Any], done: str) -> None:
    """Run a change; on success say so after the rerun, on refusal say why and keep what was typed."""
    try:
        action()
    except ServiceError as exc:
        st.error(md(exc))
        return
    st.session_state[FLASH] = done
    st.rerun()


def _offices_and_teams() -> None:
    offices = lists.offices(engine(), user)
    teams = lists.teams(engine(), user)
    st.dataframe(
        pd.DataFrame(
            [
                {"Office": t.office, "Team": t.name, "Active staff": t.staff, "Open families": t.open_families}
                for t in teams
            ]
        ),
        hide_index=True,
    )
    left, middle, right = st.columns(3)
    with left, st.form("add-office", clear_on_submit=False):
        st.markdown("**Add an office**")
        name = st.text_input("Office name", key="office-name")
        if st.form_submit_button("Add office"):
            _attempt(lambda: add_office(engine(), user, name), f"Office {name} added.")
    with middle, st.form("add-team"):
        st.markdown("**Add a team**")
        team_name = st.text_input("Team name", key="team-name")
        office_id = st.selectbox(
            "Office", list(offices), format_func=offices.__getitem__, index=None, key="team-office"
        )
        if st.form_submit_button("Add team"):
            if office_id is None:
                st.error("Choose the office the team works from.")
            else:
                _attempt(lambda: add_team(engine(), user, team_name, office_id), f"Team {team_name} added.")
    with right:
        by_id = {t.id: t for t in teams}
        if by_id:
            with st.form("edit-team"):
                st.markdown("**Rename or move a team**")
                team_id = st.selectbox("Team", list(by_id), format_func=lambda i: by_id[i].name, key="edit-team")
                new_name = st.text_input("New name (leave empty to keep)", key="edit-team-name")
                new_office = st.selectbox(
                    "Office", list(offices), format_func=offices.__getitem__, key="edit-team-office"
                )
                if st.form_submit_button("Save team"):
                    chosen = by_id[team_id]
                    _attempt(
                        lambda: update_team(engine(), user, chosen.id, new_name or chosen.name, new_office),
                        f"Team {new_name or chosen.name} saved.",
                    )


def _accounts() -> None:
    accounts = lists.users(engine(), user)
    offices = lists.offices(engine(), user)
    teams = {t.id: t.name for t in lists.teams(engine(), user)}
    search = st.text_input("Find a person (name or email)", key="user-search").strip().lower()
    shown = [a for a in accounts if search in a.name.lower() or search in a.email.lower()]
    st.dataframe(
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
                }
                for a in shown
            ]
        ),
        hide_index=True,
    )
    left, right = st.columns(2)
    with left, st.form("create-user"):
        st.markdown("**Create an account**")
        name = st.text_input("Name", key="new-name")
        email = st.text_input("Email", key="new-email")
        role = st.selectbox("Role", list(Role), format_func=lambda r: r.label.capitalize(), key="new-role")
        team = st.selectbox("Team", [NO_TEAM, *teams.values()], key="new-team")
        office = st.selectbox(
            "Office (psychologists and service leads)", [NO_OFFICE, *offices.values()], key="new-office"
        )
        password = st.text_input(
            f"First password (at least {MIN_PASSWORD_LENGTH} characters)", type="password", key="new-password"
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
                    password=password,
                ),
                f"Account created for {email}. Give them the first password in person.",
            )
    with right:
        by_id = {a.id: a for a in shown}
        if not by_id:
            st.caption("No account matches the search.")
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
        with st.form(f"reset-{person.id}"):
            st.markdown(f"**New password for {md(person.name)}** (also unlocks the account)")
            new_password = st.text_input("New password", type="password")
            if st.form_submit_button("Set password"):
                _attempt(
                    lambda: reset_password(engine(), user, person.id, new_password), f"Password of {person.name} set."
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
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Professional": r.name,
                    "Role": r.role.label,
                    "From": uk_date(r.started_on),
                    "Until": uk_date(r.ended_on) if r.ended_on else "now",
                }
                for r in rows
            ]
        ),
        hide_index=True,
    )
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
offices_tab, accounts_tab, involvement_tab = st.tabs(["Offices and teams", "Accounts", "Who works with which family"])
with offices_tab:
    _offices_and_teams()
with accounts_tab:
    _accounts()
with involvement_tab:
    _involvement()
