"""The Import caseload page's second way in: a .zip of the council's Standard Safeguarding Dataset (SSD) CSV files
and the mapping file. Checked in full (a dry run, rolled back) before anything is written; the administrator sees
what would change per team, or every problem by table, row id and column, then confirms."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from dashboard.components.downloads import download_button
from dashboard.components.grids import show_grid
from dashboard.components.import_problems import show_problems
from dashboard.components.import_steps import confirmed, progress_bar
from dashboard.components.text import md
from db.errors import ServiceError
from db.imports import ImportRefused, ImportSummary
from db.imports.problems import problem_rows
from db.imports.ssd import draft_mapping, import_ssd, load_mapping, read_zip
from db.models import User

PREVIEW = "ssd-preview"
UPLOADS = "ssd-uploads"
FLASH = "ssd-flash"


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _draft_button(name: str, data: bytes, mapping_data: bytes | None) -> None:
    """A mapping file started from this extract (keeping the uploaded mapping's choices, if any), made when pressed
    for the re-checked user and audited (it names the council's staff)."""
    try:
        existing = load_mapping(mapping_data, "The mapping") if mapping_data else None
        extract = read_zip(name, data)
    except ServiceError as exc:
        st.error(md(exc))
        return
    download_button(
        st.container(),
        "Download a mapping file for this extract (.toml)",
        lambda _checked: draft_mapping(extract, existing).encode("utf-8"),
        what="ssd_mapping",
        entity_id=None,
        details={"extract": name},
        file_name="ssd-mapping.toml",
        mime="application/toml",
    )


def _show_summary(summary: ImportSummary) -> None:
    for sentence in summary.sentences():
        st.markdown("- " + md(sentence))
    if summary.families_by_team:
        show_grid(
            pd.DataFrame(
                [
                    {"Team": team, "Families added": c.created, "Updated": c.updated, "Closed": c.closed}
                    for team, c in sorted(summary.families_by_team.items())
                ]
            ),
            hide_index=True,
        )
    if summary.accounts_to_create:
        with st.expander(f"Accounts to create ({len(summary.accounts_to_create):,})"):
            show_grid(
                pd.DataFrame(
                    [
                        {"SSD id": a.professional_id, "Name": a.name, "Email": a.email, "Role": a.role, "Team": a.team}
                        for a in summary.accounts_to_create
                    ]
                ),
                hide_index=True,
            )
    if summary.without_email:
        with st.expander(f"Professionals with no email in the mapping ({len(summary.without_email):,})"):
            show_grid(pd.DataFrame(summary.without_email, columns=["SSD id", "Name"]), hide_index=True)


def ssd_import(engine_: Engine, user: User) -> None:
    """The whole SSD section: uploads, options, preview or problems, confirmation."""
    if message := st.session_state.pop(FLASH, None):
        st.success(md(message))
    st.caption(
        "Upload the SSD extract as a .zip of its CSV files (ssd_person.csv, ssd_family.csv, ssd_professionals.csv, "
        "ssd_involvements.csv and the episode tables) with your mapping file, which says which SSD teams are your "
        "Family Safeguarding teams, what each role id means and each professional's email. No mapping yet? Upload "
        "the .zip alone and download one to edit. fsdash's guide to the SSD import (docs/ssd-import.md) explains "
        "every rule."
    )
    round_ = st.session_state.get(UPLOADS, 0)
    left, right = st.columns(2)
    extract_file = left.file_uploader("SSD extract (.zip of CSV files)", type=["zip"], key=f"ssd-zip-{round_}")
    mapping_file = right.file_uploader("Mapping file (.toml)", type=["toml"], key=f"ssd-mapping-{round_}")
    close_missing = left.checkbox(
        "Close families the extract no longer has",
        key="ssd-close-missing",
        help="Open families of the mapped teams that are not in the extract are closed (never deleted).",
    )
    create_accounts = right.checkbox(
        "Create accounts for professionals who have none",
        key="ssd-create-accounts",
        help="Created inactive and without a password, from the mapping's emails: activate them on the Admin page.",
    )
    if extract_file is None:
        st.info("Choose the .zip of the SSD extract to check.")
        return
    name, data = extract_file.name, extract_file.getvalue()
    mapping_data = mapping_file.getvalue() if mapping_file is not None else None
    _draft_button(name, data, mapping_data)
    if mapping_data is None:
        st.info("Add the mapping file to check what the import would do.")
        return
    key = (
        hashlib.sha256(data).hexdigest(),
        hashlib.sha256(mapping_data).hexdigest(),
        close_missing,
        create_accounts,
    )
    cached = st.session_state.get(PREVIEW)
    if cached is None or cached[0] != key:
        result: ImportSummary | ServiceError
        try:
            progress = progress_bar("Reading the extract…")
            mapping = load_mapping(mapping_data, mapping_file.name if mapping_file else "The mapping")
            result = import_ssd(
                engine_,
                user,
                read_zip(name, data, progress),
                mapping,
                dry_run=True,
                close_missing=close_missing,
                create_accounts=create_accounts,
                progress=progress,
            )
        except ServiceError as exc:
            result = exc
        st.session_state[PREVIEW] = cached = (key, result)
    result = cached[1]
    if isinstance(result, ImportRefused):
        show_problems(
            "the extract",
            problem_rows(result.problems),
            "Fix them in the case system or the extract and upload it again.",
            "ssd-import-problems.csv",
        )
        return
    if isinstance(result, ServiceError):
        st.error(md(result))
        return
    st.success(f"{md(name)} passed every check ({result.rows:,} rows read). Importing it would do this:")
    _show_summary(result)
    if not result.changed:
        st.info("The caseload already matches this extract: there is nothing to import.")
        return
    if not confirmed(
        "ssd",
        "I have checked what would change; import the extract",
        reminder="Tick the box to confirm, then press Import.",
    ):
        return
    try:
        progress = progress_bar("Reading the extract…")
        done = import_ssd(
            engine_,
            user,
            read_zip(name, data, progress),
            load_mapping(mapping_data),
            close_missing=close_missing,
            create_accounts=create_accounts,
            progress=progress,
        )
    except ServiceError as exc:  # the caseload changed since the check: the new problems show on rerun
        st.session_state.pop(PREVIEW, None)
        st.error(md(exc))
        return
    families = done.families
    st.session_state[FLASH] = (
        f"Imported {name}: {_count(families.created, 'family', 'families')} added, {families.updated:,} updated, "
        f"{families.closed:,} closed; {_count(done.children.created, 'child', 'children')} added. The import is in "
        "the audit trail."
    )
    st.session_state.pop(PREVIEW, None)
    st.session_state[UPLOADS] = round_ + 1
    st.rerun()
