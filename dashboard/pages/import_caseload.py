"""Import the caseload: an administrator uploads the council's spreadsheet, sees every problem (or what would be
created, updated and closed) before anything is written, then confirms. All or nothing: one transaction."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from dashboard.components.downloads import download_button
from dashboard.components.grids import show_grid
from dashboard.components.import_problems import show_problems
from dashboard.components.import_steps import confirmed, progress_bar
from dashboard.components.ssd_import import ssd_import
from dashboard.components.text import md
from dashboard.state import engine, require_user
from db.errors import ServiceError
from db.exports.template import caseload_rows, rows_xlsx, template_csv, template_xlsx
from db.imports import ImportRefused, ImportSummary, import_caseload
from db.imports.columns import COLUMNS
from db.imports.problems import problem_rows
from db.queries import admin as lists
from risk.vocabulary import Role

ALL_TEAMS = "Every team named in the file"
SPREADSHEET = "Spreadsheet (.csv or .xlsx)"
SSD = "Standard Safeguarding Dataset (SSD) extract"
PREVIEW = "import-preview"
UPLOADS = "import-uploads"
FLASH = "import-flash"
COUNT_LABELS = {
    "families": "Families",
    "children": "Children",
    "legal_statuses": "Legal status periods",
    "involvements": "Who works with the family",
}


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else many or one.removesuffix('y') + 'ies'}"


def _counts_table(summary: ImportSummary) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Record": COUNT_LABELS[entity],
                "Added": c["created"],
                "Updated": c["updated"],
                "Closed or ended": c["closed"],
            }
            for entity, c in summary.counts().items()
        ]
    )


def _downloads() -> None:
    st.markdown("**Start from the template**, or from the caseload as it is now.")
    blank_csv, blank_xlsx, current = st.columns(3)
    blank_csv.download_button(
        "Template (CSV)", template_csv(), file_name="caseload-import-template.csv", mime="text/csv"
    )
    blank_xlsx.download_button(
        "Template (.xlsx)",
        template_xlsx(),
        file_name="caseload-import-template.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    download_button(  # made only when pressed, for the re-checked user, and audited in the same step
        current,
        "Current caseload in this format (.xlsx)",
        lambda checked: rows_xlsx(caseload_rows(engine(), checked)),
        what="caseload_import_file",
        entity_id=None,
        details={"teams": "all"},
        file_name="caseload-current.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    with st.expander("What goes in each column"):
        show_grid(
            pd.DataFrame(
                [{"Column": c.name, "Required": "yes" if c.required else "no", "What": c.what} for c in COLUMNS]
            ),
            hide_index=True,
        )


def _preview(name: str, data: bytes, team: str | None, close_missing: bool) -> None:
    """Check the file (a dry run, rolled back) once per file and options; show problems or counts."""
    key = (hashlib.sha256(data).hexdigest(), name, team, close_missing)
    cached = st.session_state.get(PREVIEW)
    if cached is None or cached[0] != key:
        try:
            result: ImportSummary | ServiceError = import_caseload(
                engine(),
                user,
                name,
                data,
                dry_run=True,
                team=team,
                close_missing=close_missing,
                progress=progress_bar("Reading the file…"),
            )
        except ServiceError as exc:
            result = exc
        st.session_state[PREVIEW] = cached = (key, result)
    result = cached[1]
    if isinstance(result, ImportRefused):
        show_problems(
            md(name),
            problem_rows(result.problems),
            "Fix them in your spreadsheet and upload it again.",
            "import-problems.csv",
        )
        return
    if isinstance(result, ServiceError):
        st.error(md(result))
        return
    _confirm(name, data, team, close_missing, result)


def _confirm(name: str, data: bytes, team: str | None, close_missing: bool, preview: ImportSummary) -> None:
    st.success(f"{md(name)} passed every check: {preview.rows:,} rows. Importing it would make these changes.")
    show_grid(_counts_table(preview), hide_index=True)
    if preview.references["closed"]:
        st.caption("Families that would be closed: " + md(", ".join(preview.references["closed"])))
    if not preview.changed:
        st.info("The caseload already matches this file: there is nothing to import.")
        return
    if not confirmed(
        "import",
        "I have checked these counts; import the file",
        reminder="Tick the box to confirm the counts, then press Import.",
    ):
        return
    try:
        done = import_caseload(
            engine(),
            user,
            name,
            data,
            team=team,
            close_missing=close_missing,
            progress=progress_bar("Reading the file…"),
        )
    except ServiceError as exc:  # the caseload changed since the check: the new problems are shown on rerun
        st.session_state.pop(PREVIEW, None)
        st.error(md(exc))
        return
    families, children = done.families, done.children
    st.session_state[FLASH] = (
        f"Imported {name}: {_n(families.created, 'family')} added, {families.updated} updated, "
        f"{families.closed} closed; {_n(children.created, 'child', 'children')} added. "
        "The import is in the audit trail."
    )
    st.session_state.pop(PREVIEW, None)
    st.session_state[UPLOADS] = st.session_state.get(UPLOADS, 0) + 1  # an empty upload box for the next file
    st.rerun()


user = require_user()
st.title("Import the caseload")
if user.role is not Role.ADMINISTRATOR:
    st.error("Only administrators can import the caseload.")
    st.stop()
if message := st.session_state.pop(FLASH, None):
    st.success(md(message))
if st.radio("Import from", [SPREADSHEET, SSD], horizontal=True, key="import-source") == SSD:
    ssd_import(engine(), user)
    st.stop()
st.caption(
    "Upload the caseload from your case system as a .csv or .xlsx file, one row per child. The whole file is "
    "checked first and nothing is written until you confirm; if any row is wrong, nothing is written at all. "
    "Families and children are matched by their case references. Nothing is ever deleted."
)
teams = {t.id: t.name for t in lists.teams(engine(), user)}
_downloads()
st.divider()
if not teams:
    st.info("Add the teams and their staff on the Admin page first: every row names its team and practitioners.")
    st.stop()
uploaded = st.file_uploader(
    "Caseload file (.csv or .xlsx, at most 50 MB)",
    type=["csv", "xlsx"],
    key=f"import-file-{st.session_state.get(UPLOADS, 0)}",
)
left, right = st.columns(2)
team_choice = left.selectbox("Teams", [ALL_TEAMS, *teams.values()], key="import-team")
close_missing = right.checkbox(
    "Close families the file no longer lists",
    key="import-close-missing",
    help="For a full monthly file: open families of the imported teams that are not in the file are closed "
    "(never deleted). Leave it unticked for a file holding only some families.",
)
if uploaded is None:
    st.info("Choose a file to check. Start from the template above if this is your first import.")
    st.stop()
_preview(uploaded.name, uploaded.getvalue(), None if team_choice == ALL_TEAMS else team_choice, close_missing)
