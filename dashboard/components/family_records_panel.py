"""The Admin page's tools for one family's record (UK GDPR Art 16-18): find it by a family's or a child's case
reference, then correct its details, restrict it or lift the restriction, or erase it (or one child) if it should
never have been here. Each button calls one service in db/services, which checks the administrator again, refuses
in words and audits with the reason. Nothing of a rating is shown here."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.components.family_name_form import family_name_form
from dashboard.components.grids import show_grid
from dashboard.components.text import md, uk_date
from dashboard.state import engine
from db.errors import ServiceError
from db.models import User
from db.queries import admin as lists
from db.queries.family_records import FamilyDetails, family_details, restricted_families
from db.services.erasure import CHOSEN_REASONS, erase_child, erase_family
from db.services.family_details import EARLIEST_BIRTH, correct_child, correct_family
from db.services.restriction import lift_restriction, restrict_family
from risk.presentation import family_label

FOUND_KEY = "records_family"
DONE_KEY = "records_family_done"
NOBODY = "Nobody allocated"
WHOLE_FAMILY = "The whole family"


def family_records_panel(user: User) -> None:
    st.markdown("**One family's record: correct, restrict or erase it**")
    st.caption(
        "For when what fsdash holds is wrong and the next import will not put it right (correct the case system "
        "first), when a family must not be used while a concern is looked into (restrict), or when a family or a "
        "child should never have been here: imported into the wrong team, a duplicate, test data (erase)."
    )
    if done := st.session_state.pop(DONE_KEY, None):
        st.success(md(done))
    with st.form("records-find"):
        reference = st.text_input("Case reference of the family or of one of its children", key="records-reference")
        if st.form_submit_button("Find"):
            st.session_state.pop(FOUND_KEY, None)
            try:
                st.session_state[FOUND_KEY] = family_details(engine(), user, reference).case_reference
            except ServiceError as exc:
                st.error(md(exc))
    _restricted(user)
    if not (found := st.session_state.get(FOUND_KEY)):
        return
    try:
        family = family_details(engine(), user, found)
    except ServiceError as exc:  # erased meanwhile, or its reference corrected in another tab
        st.session_state.pop(FOUND_KEY, None)
        st.error(md(exc))
        return
    _summary(family)
    correct, restrict, erase = st.tabs(["Correct details", "Restrict", "Erase"])
    with correct:
        _correct_family(user, family)
        if family.restricted_at is None:  # a restricted family's name changes once the restriction is lifted
            family_name_form(user, family.id, family.case_reference, family.display_name)
        _correct_child(user, family)
    with restrict:
        _restriction(user, family)
    with erase:
        _erase(user, family)


def _done(message: str, reference: str | None) -> None:
    """After a change: say so after the rerun, and keep showing the family under its (perhaps new) reference."""
    st.session_state[DONE_KEY] = message
    if reference is None:
        st.session_state.pop(FOUND_KEY, None)
    else:
        st.session_state[FOUND_KEY] = reference
    st.rerun()


def _summary(family: FamilyDetails) -> None:
    status = f"restricted since {uk_date(family.restricted_at.date())}" if family.restricted_at else "not restricted"
    closed = f", closed {uk_date(family.closed_on)}" if family.closed_on else ""
    st.write(
        md(
            f"{family_label(family.case_reference, family.display_name)}: {family.team}, allocated to "
            f"{family.social_worker or 'nobody'}, opened "
            f"{uk_date(family.opened_on)}{closed}; {status}."
        )
    )
    show_grid(
        pd.DataFrame(
            [
                {"Case reference": c.case_reference, "First name": c.first_name, "Born": uk_date(c.date_of_birth)}
                for c in family.children
            ],
            columns=["Case reference", "First name", "Born"],
        ),
        hide_index=True,
    )


def _correct_family(user: User, family: FamilyDetails) -> None:
    teams = {t.id: t.name for t in lists.teams(engine(), user)}
    team_ids = list(teams)
    team_id = st.selectbox(
        "Team",
        team_ids,
        index=team_ids.index(family.team_id),
        format_func=teams.__getitem__,
        key=f"records-team-{family.id}",
        help="Moving the family ends, today, the involvement of every professional outside the new team.",
    )
    workers: dict[int | None, str] = {None: NOBODY}
    for person_id, name in lists.professionals(engine(), user, team_id).items():
        workers[person_id] = name
    worker_ids = list(workers)
    with st.form(f"records-correct-family-{family.id}"):
        st.markdown(f"**The family's details** (team: {md(teams[team_id])})")
        reference = st.text_input("Case reference", value=family.case_reference)
        worker = st.selectbox(
            "Allocated social worker",
            worker_ids,
            index=worker_ids.index(family.social_worker_id) if family.social_worker_id in workers else 0,
            format_func=lambda i: workers[i],
        )
        opened = st.date_input("Case opened", value=family.opened_on, format="DD/MM/YYYY")
        reason = st.text_input("Reason for the correction (kept in the audit trail)", key=f"records-why-{family.id}")
        if st.form_submit_button("Correct the family"):
            try:
                correct_family(
                    engine(),
                    user,
                    family.id,
                    case_reference=reference,
                    team_id=team_id,
                    social_worker_id=worker,
                    opened_on=opened,
                    reason=reason,
                )
            except ServiceError as exc:
                st.error(md(exc))
            else:
                _done(f"The details of {reference.strip()} were corrected.", reference.strip())


def _correct_child(user: User, family: FamilyDetails) -> None:
    if not family.children:
        return
    by_id = {c.id: c for c in family.children}
    child_id = st.selectbox(
        "Child to correct",
        list(by_id),
        format_func=lambda i: f"{by_id[i].case_reference} · {by_id[i].first_name}",
        key=f"records-child-{family.id}",
    )
    child = by_id[child_id]
    with st.form(f"records-correct-child-{child.id}"):
        st.markdown(f"**The details of {md(child.case_reference)}**")
        reference = st.text_input("Case reference", value=child.case_reference)
        first_name = st.text_input("First name", value=child.first_name)
        born = st.date_input(
            "Date of birth",
            value=child.date_of_birth,
            min_value=EARLIEST_BIRTH,
            max_value=dt.date.today(),
            format="DD/MM/YYYY",
        )
        reason = st.text_input("Reason for the correction (kept in the audit trail)")
        if st.form_submit_button("Correct the child"):
            try:
                correct_child(
                    engine(),
                    user,
                    child.id,
                    case_reference=reference,
                    first_name=first_name,
                    date_of_birth=born,
                    reason=reason,
                )
            except ServiceError as exc:
                st.error(md(exc))
            else:
                _done(f"The details of {reference.strip()} were corrected.", family.case_reference)


def _restriction(user: User, family: FamilyDetails) -> None:
    if family.restricted_at is None:
        st.caption(
            "While restricted, the family is on nobody's caseload, Rate page, Meeting or Family page, nothing about it "
            "can be changed (imports leave it as it is), and the retention rule holds it back. Only administrators "
            "see it, here. The service figures keep counting it. Lifting the restriction brings it back."
        )
        action, verb, done = restrict_family, "Restrict the family", "is now restricted"
    else:
        st.caption("Lifting the restriction puts the family back on its team's caseload from now on.")
        action, verb, done = lift_restriction, "Lift the restriction", "is no longer restricted"
    with st.form(f"records-restriction-{family.id}"):
        reason = st.text_input("Reason (kept in the audit trail)")
        if st.form_submit_button(verb):
            try:
                action(engine(), user, family.id, reason)
            except ServiceError as exc:
                st.error(md(exc))
            else:
                _done(f"{family.case_reference} {done}.", family.case_reference)


def _erase(user: User, family: FamilyDetails) -> None:
    st.caption(
        "Erasing deletes the record and everything about it: children, legal status, ratings, scores (the meetings "
        "affected are scored again), actions, who worked with it, the record of discussion, and what the audit "
        "trail held about it. One audit event remains, saying what was erased, by whom and why, naming nobody. It "
        "cannot be undone: only erase what should never have been here."
    )
    targets: dict[int | None, str] = {None: WHOLE_FAMILY, **{c.id: f"Only {c.case_reference}" for c in family.children}}
    with st.form(f"records-erase-{family.id}"):
        target = st.selectbox("What to erase", list(targets), format_func=lambda i: targets[i])
        reasons = list(CHOSEN_REASONS)
        reason = st.radio("Why", reasons, format_func=lambda k: CHOSEN_REASONS[k].capitalize())
        explanation = st.text_input("Explanation (no names, references or dates of birth: it outlives the record)")
        confirm = st.text_input("Type the case reference of what you erase, to confirm")
        if st.form_submit_button("Erase", type="primary"):
            try:
                if target is None:
                    erase_family(
                        engine(), user, family.id, reason=reason, explanation=explanation, confirm_reference=confirm
                    )
                    _done("Erased. The audit trail keeps one event saying what, by whom and why.", None)
                else:
                    done = erase_child(
                        engine(), user, target, reason=reason, explanation=explanation, confirm_reference=confirm
                    )
                    left = (
                        f" {done.mentions_left} rationale(s) or action(s) of the family still mention the child's "
                        "first name: review them with the team."
                        if done.mentions_left
                        else ""
                    )
                    _done(f"The child was erased and the family's scores made again.{left}", family.case_reference)
            except ServiceError as exc:
                st.error(md(exc))


def _restricted(user: User) -> None:
    try:
        restricted = restricted_families(engine(), user)
    except ServiceError as exc:
        st.error(md(exc))
        return
    if not restricted:
        st.caption("No family is restricted.")
        return
    st.caption(f"Restricted families ({len(restricted)}): find one above to lift its restriction.")
    show_grid(
        pd.DataFrame(
            [
                {
                    "Case reference": r.case_reference,
                    "Team": r.team,
                    "Restricted since": uk_date(r.restricted_at.date()),
                }
                for r in restricted
            ],
            columns=["Case reference", "Team", "Restricted since"],
        ),
        hide_index=True,
    )
