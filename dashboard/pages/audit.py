"""Audit trail: who did what and when, searched by person, family, child, entity, kind of event and date, and
exported.

Administrators only (the queries refuse everyone else too). Exporting the trail is itself recorded in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

import streamlit as st

from dashboard.components.downloads import download_button
from dashboard.components.grids import show_grid
from dashboard.components.text import md
from dashboard.state import engine, require_user
from db.errors import ServiceError
from db.exports.cell_safety import csv_bytes
from db.queries.audit_search import EXPORT_LIMIT, PAGE_SIZE, AuditQuery, entity_types, export, search, verbs
from risk.vocabulary import Role

ANY_VERB = "Any kind of event"
ANY_ENTITY = "Any kind of record"

user = require_user()
st.title("Audit trail")
if user.role is not Role.ADMINISTRATOR:
    st.error("Only administrators can search the audit trail.")
    st.stop()

with st.form("audit-search"):
    person, family, child, kind = st.columns(4)
    who = person.text_input("Person (part of a name or email)", key="audit-person")
    reference = family.text_input("Family case reference", key="audit-family")
    child_reference = child.text_input("Child case reference", key="audit-child")
    verb = kind.selectbox("Kind of event", [ANY_VERB, *verbs(engine(), user)], key="audit-verb")
    entity_col, id_col, since_col, until_col = st.columns(4)
    entity = entity_col.selectbox("Record", [ANY_ENTITY, *entity_types(engine(), user)], key="audit-entity")
    entity_id = id_col.text_input("Record number", key="audit-entity-id")
    since = since_col.date_input(
        "From", value=dt.date.today() - dt.timedelta(days=30), format="DD/MM/YYYY", key="audit-since"
    )
    until = until_col.date_input("Until", value=dt.date.today(), format="DD/MM/YYYY", key="audit-until")
    session_id = st.text_input(
        "Session (everything done in one sign-in)",
        key="audit-session",
        help="The Session column of any event: the search then lists every event of that session.",
    )
    st.form_submit_button("Search", type="primary")
if since > until:
    st.error("The 'From' date is after the 'Until' date. Swap them and search again.")
    st.stop()
query = AuditQuery(
    person=who,
    case_reference=reference,
    child_reference=child_reference,
    entity_type="" if entity == ANY_ENTITY else entity,
    entity_id=entity_id,
    verb="" if verb == ANY_VERB else verb,
    since=since,
    until=until,
    session_id=session_id,
)
page = int(st.number_input("Page", min_value=1, value=1, step=1, key="audit-page")) - 1
try:
    table, total = search(engine(), user, query, page=page)
except ServiceError as exc:
    st.error(md(exc))
    st.stop()
pages = max(1, -(-total // PAGE_SIZE))
st.caption(f"{total:,} events match · page {page + 1} of {pages} · {PAGE_SIZE} per page · newest first")
if total == 0:
    st.info("No event matches. Widen the dates or clear a box, then search again.")
    st.stop()
if table.empty:
    st.info(f"There are only {pages} pages. Go back to page {pages} or earlier.")
    st.stop()
show_grid(table, hide_index=True, width="stretch")

filters = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(query).items() if v}
download_button(  # made only when pressed, for the re-checked user, and audited in the same step
    st.container(),
    f"Download all {min(total, EXPORT_LIMIT):,} matching events (CSV)",
    lambda checked: csv_bytes(export(engine(), checked, query)),
    what="audit_csv",
    entity_id=None,
    details={"rows": min(total, EXPORT_LIMIT), "filters": filters},
    file_name=f"audit-{since:%Y%m%d}-{until:%Y%m%d}.csv",
    mime="text/csv",
)
if total > EXPORT_LIMIT:
    st.caption(f"A download holds the newest {EXPORT_LIMIT:,} events: narrow the dates for older ones.")
