"""Who is asking, from where, in which session: what a breach investigation needs on every audit event.

The dashboard binds a `RequestContext` at the start of each page run (and each fragment's or download's run,
which happen on threads of their own); the audit trail's `record` copies its session identifier, source address
and user agent onto every event, so "everything done in this session" is one search. A refused access
(`AccessDenied`) made while a context is bound is noted here and written as its own audit event when the run ends,
in a transaction of its own: the refused work's transaction rolls back, its refusal must not.

The command line binds nothing: its events carry no session, as before.
"""

from __future__ import annotations

import contextvars
import ipaddress
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

USER_AGENT_MAX = 200
ADDRESS_MAX = 45  # the longest IPv6 text


@dataclass
class RequestContext:
    session_id: str
    source_address: str | None
    user_agent: str | None
    actor_id: int | None = None
    page: str | None = None
    refusals: list[Refusal] = field(default_factory=list)


@dataclass(frozen=True)
class Refusal:
    reason: str
    asked_for: str


_CURRENT: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("fsdash_request", default=None)


def current() -> RequestContext | None:
    return _CURRENT.get()


@contextmanager
def bound(context: RequestContext) -> Iterator[RequestContext]:
    token = _CURRENT.set(context)
    try:
        yield context
    finally:
        _CURRENT.reset(token)


def note_refusal(reason: str) -> None:
    """Called as an AccessDenied is made: remembered with the service or query that refused, if a run is bound."""
    context = _CURRENT.get()
    if context is not None:
        context.refusals.append(Refusal(reason, _asked_for()))


def _asked_for() -> str:
    """The outermost db function on the stack (the page's query or service call, not the check inside it)."""
    frame = sys._getframe(2)
    found = "unknown"
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith(("db.queries.", "db.services.", "db.exports.", "db.records.", "db.imports.")):
            found = f"{module.removeprefix('db.')}.{frame.f_code.co_name}"
        frame = frame.f_back  # type: ignore[assignment]
    return found


def client_address(peer: str | None, forwarded_for: str | None, trusted_proxies: Sequence[str]) -> str | None:
    """The client's address: the peer's own, unless the peer is one of the configured trusted proxies, in which
    case the right-most address in `X-Forwarded-For` that is not itself a trusted proxy (a client can write
    anything at the left of that header; only what the council's own proxies appended is believed)."""
    networks = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]

    def trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks)

    if peer is None or not trusted(peer) or not forwarded_for:
        return peer[:ADDRESS_MAX] if peer else None
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return None  # not an address: believe nothing rather than store what a client wrote
    return peer[:ADDRESS_MAX]
