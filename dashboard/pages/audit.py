"""Audit trail: who did what and when, searched by person, family, kind of event and date, and exported."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.components.text import md
from dashboard.risk.vocabulary import Role
from dashboard.state import engine, require_user
from db.errors import ServiceError
from db.exports.cell_safety import csv_bytes
from db.queries.audit_search import PAGE_SIZE, AuditQuery, search, verbs
from db.services.disclosures import record_download

ANY = "Any kind of event"

user = require_user()
st.title("Audit trail")
if user.role is not Role.ADMINISTRATOR:
    st.error("Only administrators can search the audit trail.")
    st.stop()

with st.form("audit-search"):
    person, family, kind = st.columns(3)
    who = person.text_input("Person (part of a name or email)")
    reference = family.text_input("Family case reference")
    verb = kind.selectbox("Kind of event", [ANY, *verbs(engine(), user)])
    since_col, until_col = st.columns(2)
    since = since_col.date_input("From", value=dt.date.today() - dt.timedelta(days=30), format="DD/MM/YYYY")
    until = until_col.date_input("Until", value=dt.date.today(), format="DD/MM/YYYY")
    st.form_submit_button("Search", type="primary")
query = AuditQuery(person=who, case_reference=reference, verb="" if verb == ANY else verb, since=since, until=until)
if since > until:
    st.error("The 'From' date is after the 'Until' date. Swap them and search again.")
    st.stop()
page = st.number_input("Page", min_value=1, value=1, step=1) - 1
try:
    table, total = search(engine(), user, query, page=int(page))
except ServiceError as exc:
    st.error(md(exc))
    st.stop()
pages = max(1, -(-total // PAGE_SIZE))
st.caption(f"{total:,} events match · page {int(page) + 1} of {pages} · newest first")
if table.empty:
    st.info("No event matches. Widen the dates or clear a box.")
    st.stop()
st.dataframe(table, hide_index=True, width="stretch")
st.download_button(
    "Download this page (CSV)",
    csv_bytes(table),
    file_name=f"audit-{since:%Y%m%d}-{until:%Y%m%d}.csv",
    mime="text/csv",
    on_click=record_download,
    args=(engine(), user, "audit_csv", None, {"rows": len(table), "verb": query.verb, "page": int(page) + 1}),
)
