"""The Admin page's records management tab: subject access exports, the retention rule, and where backups come
from. Every action calls a service in db/records, which checks the administrator again and audits it. Nothing of
an export is shown on screen or kept in the session: each file is gathered when its button is pressed, for the
user re-checked then (dashboard.components.downloads), and both the gathering and the download are audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboard.components.downloads import download_button
from dashboard.components.family_records_panel import family_records_panel
from dashboard.components.grids import show_grid
from dashboard.components.text import md, uk_date
from dashboard.state import engine
from db.errors import ServiceError
from db.models import User
from db.records.retention import (
    MAX_YEARS,
    MIN_YEARS,
    RetentionPolicy,
    anonymise_due_families,
    delete_due_families,
    families_due,
    families_due_for_deletion,
    set_deletion_policy,
    set_retention_policy,
)
from db.records.subject_access import (
    SubjectAccessExport,
    export_file_stem,
    find_subject,
    subject_access_export,
    subject_access_zip,
)
from db.records.subject_access_pdf import subject_access_pdf

EXPORT_KEY = "records_export"
RESULT_KEY = "records_retention_result"
DELETED_KEY = "records_deletion_result"
FAMILY, CHILD = "Family", "Child"
ZIP_LABEL = "Machine-readable .zip (CSV per table)"


def records_panel(user: User) -> None:
    _subject_access(user)
    st.divider()
    family_records_panel(user)
    st.divider()
    _retention(user)
    st.divider()
    _deletion(user)
    st.divider()
    st.markdown("**Backups and the data exit**")
    st.caption(
        "Backups are taken on the server, not downloaded through the browser: `fsdash backup FILE` makes a "
        "verified copy while the app runs, and `fsdash restore FILE` puts one back. See fsdash's records "
        "management guide (docs/records.md)."
    )
    st.caption(
        "The data exit, every table as CSV with a description of every column (a Frictionless datapackage.json), "
        "is made on the server too: `fsdash export --all DIR`. See the deployment guide's end of contract."
    )


def _subject_access(user: User) -> None:
    st.markdown("**Subject access: everything held about one family or one child**")
    with st.form("subject-access"):
        kind = st.radio("About", [FAMILY, CHILD], horizontal=True, key="sar-kind")
        reference = st.text_input("Case reference", key="sar-reference")
        if st.form_submit_button("Prepare the export"):
            st.session_state.pop(EXPORT_KEY, None)
            wanted = {"family_reference": reference} if kind == FAMILY else {"child_reference": reference}
            try:
                subject = find_subject(engine(), user, **wanted)
            except ServiceError as exc:
                st.error(md(exc))
            else:
                st.session_state[EXPORT_KEY] = (subject, wanted)
    if not (prepared := st.session_state.get(EXPORT_KEY)):
        return
    subject, wanted = prepared
    st.success(md(f"Ready: the files for {subject} are made when you press a button below."))
    stem = export_file_stem(subject, dt.date.today())
    database = engine()

    def build(render: Callable[[SubjectAccessExport], bytes]) -> Callable[[User], bytes]:
        # Made when pressed, for the user re-checked then; gathering is itself audited with its counts.
        return lambda person: render(subject_access_export(database, person, **wanted))

    left, right = st.columns(2)
    for container, label, render, what, suffix, mime in (
        (left, "Readable PDF", subject_access_pdf, "subject_access_pdf", "pdf", "application/pdf"),
        (right, ZIP_LABEL, subject_access_zip, "subject_access_zip", "zip", "application/zip"),
    ):
        download_button(
            container,
            label,
            build(render),
            what=what,
            entity_id=None,
            details={"subject": subject},
            file_name=f"{stem}.{suffix}",
            mime=mime,
            key=f"sar-{suffix}",
        )
    st.caption("Review both for information about other people before disclosure.")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _policy_words(policy: RetentionPolicy) -> str:
    years = f"{policy.years_after_closure} year{'s' if policy.years_after_closure != 1 else ''}"
    if not policy.is_set:
        return f"No retention rule set yet: {years} after closure is only the default, and nothing is anonymised."
    when = uk_date(policy.set_at.date()) if policy.set_at else "–"
    return f"Closed families are kept {years} after closure (set {when} by {policy.set_by})."


def _retention(user: User) -> None:
    st.markdown("**Retention: how long closed families are kept**")
    try:
        policy, due = families_due(engine(), user)
    except ServiceError as exc:
        st.error(md(exc))
        return
    st.write(md(_policy_words(policy)))
    with st.form("retention-rule"):
        years = st.number_input(
            "Years after closure (from your council's retention schedule)",
            min_value=MIN_YEARS,
            max_value=MAX_YEARS,
            value=policy.years_after_closure,
            step=1,
            key="retention-years",
        )
        if st.form_submit_button("Set the rule"):
            try:
                set_retention_policy(engine(), user, int(years))
            except ServiceError as exc:
                st.error(md(exc))
            else:
                st.rerun()
    if result := st.session_state.pop(RESULT_KEY, None):
        st.success(md(result))
    if not due:
        st.caption("No closed family is due for anonymising.")
        return
    show_grid(
        pd.DataFrame(
            [
                {
                    "Case reference": d.case_reference,
                    "Team": d.team,
                    "Closed": uk_date(d.closed_on),
                    "Due": uk_date(d.due_on),
                    "Children": d.children,
                }
                for d in due
            ],
            columns=["Case reference", "Team", "Closed", "Due", "Children"],
        ),
        hide_index=True,
    )
    st.caption(
        f"{'1 closed family is' if len(due) == 1 else f'{len(due)} closed families are'} due. Anonymising "
        "replaces their references, children's names, dates of "
        "birth (to the year), rationales and action texts, and pseudonymises the audit trail the same way; "
        "colours, scores and legal status history stay, so figures do not change. It cannot be undone."
    )
    if not policy.is_set:
        st.info("Set the rule above before anything can be anonymised.")
        return
    with st.form("retention-apply"):
        checked = st.checkbox("I have checked this list against our retention schedule", key="retention-checked")
        if st.form_submit_button(f"Anonymise {_count(len(due), 'family', 'families')}", type="primary"):
            if not checked:
                st.error("Tick the box to confirm the list was checked: nothing was anonymised.")
                return
            try:
                done = anonymise_due_families(engine(), user)
            except ServiceError as exc:
                st.error(md(exc))
                return
            st.session_state[RESULT_KEY] = (
                f"Anonymised {_count(done.families, 'family', 'families')} "
                f"({_count(done.children, 'child', 'children')}); "
                f"{done.audit_events_pseudonymised} audit events pseudonymised."
            )
            st.rerun()


def _deletion(user: User) -> None:
    """Deleting anonymised families after a further period: off unless the council's policy asks for it."""
    st.markdown("**Deletion after anonymising (only if your council's policy asks for it)**")
    st.caption(
        "An anonymised family keeps its team, dates, ratings' colours, scores and legal status history, so the "
        "service figures stay true. Some councils' policies keep even that for a set time only: then anonymised "
        "families are deleted that many years after they were anonymised, as erasing does, and the past figures "
        "drop them."
    )
    try:
        policy, due = families_due_for_deletion(engine(), user)
    except ServiceError as exc:
        st.error(md(exc))
        return
    if policy.years_after_anonymisation is None:
        st.write("Anonymised families are kept: deletion is off.")
    else:
        when = uk_date(policy.set_at.date()) if policy.set_at else "–"
        st.write(
            md(
                f"Anonymised families are deleted {policy.years_after_anonymisation} year(s) after anonymising "
                f"(set {when} by {policy.set_by})."
            )
        )
    with st.form("deletion-rule"):
        keep = st.checkbox("Keep anonymised families (no deletion)", value=policy.years_after_anonymisation is None)
        years = st.number_input(
            "Otherwise delete them this many years after anonymising",
            min_value=MIN_YEARS,
            max_value=MAX_YEARS,
            value=policy.years_after_anonymisation or MIN_YEARS,
            step=1,
            key="deletion-years",
        )
        if st.form_submit_button("Set the deletion rule"):
            try:
                set_deletion_policy(engine(), user, None if keep else int(years))
            except ServiceError as exc:
                st.error(md(exc))
            else:
                st.rerun()
    if result := st.session_state.pop(DELETED_KEY, None):
        st.success(md(result))
    if not due:
        st.caption("No anonymised family is due for deletion.")
        return
    show_grid(
        pd.DataFrame(
            [
                {
                    "Pseudonym": d.case_reference,
                    "Team": d.team,
                    "Anonymised": uk_date(d.anonymised_on),
                    "Due": uk_date(d.due_on),
                }
                for d in due
            ],
            columns=["Pseudonym", "Team", "Anonymised", "Due"],
        ),
        hide_index=True,
    )
    with st.form("deletion-apply"):
        checked = st.checkbox("I have checked this list against our policy", key="deletion-checked")
        if st.form_submit_button(f"Delete {_count(len(due), 'family', 'families')}", type="primary"):
            if not checked:
                st.error("Tick the box to confirm the list was checked: nothing was deleted.")
                return
            try:
                done = delete_due_families(engine(), user)
            except ServiceError as exc:
                st.error(md(exc))
                return
            st.session_state[DELETED_KEY] = f"Deleted {_count(done.families, 'family', 'families')}."
            st.rerun()
