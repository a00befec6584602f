"""Every run of the dashboard says who is asking, from where and in which session (db/request_context.py), and
writes the refusals it met to the audit trail when it ends.

The session identifier is made once per browser session (a tab), kept in its session state, and carried by every
event of that session from its sign-in to its sign-out. The source address is the peer's, or, when the peer is one
of the proxies named in `FSDASH_TRUSTED_PROXIES`, the client's from `X-Forwarded-For`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import streamlit as st
from sqlalchemy import Engine

from dashboard.state import SIGNED_IN_KEY, engine
from db.access import SignedIn
from db.request_context import RequestContext, bound, client_address
from db.services.refusals import record_refusals
from db.settings import trusted_proxies

SESSION_ID_KEY = "audit-session-id"


def this_request() -> RequestContext:
    """The context of this run, read from the browser session's request."""
    session_id = st.session_state.get(SESSION_ID_KEY)
    if session_id is None:
        session_id = st.session_state[SESSION_ID_KEY] = secrets.token_hex(8)
    headers = st.context.headers
    signed_in = st.session_state.get(SIGNED_IN_KEY)
    forwarded = _text(headers.get("X-Forwarded-For"))
    # Streamlit gives no address for a connection from this machine (a proxy on it, or a browser): a request that
    # has a Host header came over the network all the same, from the loopback address
    peer = _text(st.context.ip_address) or ("127.0.0.1" if _text(headers.get("Host")) else None)
    return RequestContext(
        session_id=session_id,
        source_address=client_address(peer, forwarded, trusted_proxies()),
        user_agent=_text(headers.get("User-Agent")),
        actor_id=signed_in.user_id if isinstance(signed_in, SignedIn) else None,
        page=urlsplit(_text(st.context.url) or "").path or None,
    )


def _text(value: object) -> str | None:
    """A request's value as text, or None where there is none (a run with no browser behind it, as in tests)."""
    return value if isinstance(value, str) and value else None


@contextmanager
def audited_run(context: RequestContext | None = None, database: Engine | None = None) -> Iterator[RequestContext]:
    """Bind the run's context (this request's, or one kept from a page run for a download made later) and
    write its refusals to `database` (the app's) when it ends, however it ends."""
    context = context or this_request()
    with bound(context):
        try:
            yield context
        finally:
            record_refusals(database or engine(), context)
