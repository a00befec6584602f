"""The one place a page shows a database fault: the database restarting or unreachable, a connection cut, a
statement or a lock wait past the app's limits, a full or read-only disk (db.errors.DatabaseFault, raised by every
unit of work in db.session instead of the driver's error).

What a person sees is a calm sentence saying what happened, that nothing was saved and that what they typed is
kept, never Streamlit's crash box. Faults reach here three ways:
- a refusal the page itself handles (a save's `except ServiceError`): `show_refusal`;
- a fault nobody caught in a page's run: app.py runs every page inside `database_faults_shown`;
- a fault in a fragment's own rerun (a live part, a form's save), which never passes through app.py: pages use
  `fragment` instead of `st.fragment`.

Both wrappers keep a slot of their own at the top of what they draw (empty while all is well), and say what
happened there. For a fault that passes by itself (a restart, a cut connection) they then wait a few seconds for
the database and rerun, again and again, until it answers: a rerun leaves everything on the screen as it was
(dimmed while the run goes on), so every choice and every unsent word stays where the person put it, and the page
carries on by itself once the database is back, saying so once. (A run that stops instead clears what it had not
drawn yet, and with it what was typed there.) A fault that does not pass by itself (a full disk, a timeout) is
said in the slot, and the run stops.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal, NoReturn, ParamSpec, TypeVar

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard.components.request_audit import audited_run
from dashboard.components.text import md
from dashboard.state import engine
from db.errors import DatabaseFault, ServiceError
from db.session import database_answers

P = ParamSpec("P")
T = TypeVar("T")

WAIT_SECONDS = 3.0  # how long one run waits for the database before rerunning (and so re-checking the session)
POLL_SECONDS = 0.5
MAX_TRIES_WHILE_ANSWERING = 3
BACK_MESSAGE = (
    "The database is answering again. Everything saved before it stopped is kept. If you pressed a button while it "
    "was not answering, that did not go through: your choices are still on screen, so press it again."
)
_BACK_KEY = "database-back"
_CALLBACK_FAULT_KEY = "database-fault-in-callback"
_TRIES_KEY = "database-fault-tries"


def _icon(fault: DatabaseFault) -> str:
    return "⏳" if fault.passes_by_itself else "⚠️"


def show_refusal(refusal: ServiceError) -> None:
    """A refusal the page handles, in words: a database fault as a calm warning, any other refusal (not allowed,
    not found, changed elsewhere) as an error. A fault that passes by itself is raised on instead, to the page's or
    the fragment's wrapper, which waits for the database and carries on by itself (see the module)."""
    if isinstance(refusal, DatabaseFault):
        if refusal.passes_by_itself:
            raise refusal
        st.warning(md(refusal), icon=_icon(refusal))
    else:
        st.error(md(refusal))


def _waited_for_the_database() -> bool:
    """Wait up to WAIT_SECONDS for the database to answer; whether it was answering all along."""
    deadline = time.monotonic() + WAIT_SECONDS
    answering = database_answers(engine())
    at_once = answering
    while not answering and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        answering = database_answers(engine())
    return at_once


def _meet(fault: DatabaseFault, slot: DeltaGenerator, scope: Literal["app", "fragment"], back_key: str) -> NoReturn:
    """Say what happened in the slot; then wait for the database and rerun (a fault that passes), or stop.

    A database that answers at once and yet fails the page again and again (a statement that itself breaks the
    connection) is not waited for for ever: after a few tries the page stops with the sentence, and the next click
    tries again."""
    slot.warning(md(fault), icon=_icon(fault))
    if fault.passes_by_itself:
        st.session_state[back_key] = True
        tries = st.session_state.get(_TRIES_KEY, 0)
        if not _waited_for_the_database():
            st.session_state[_TRIES_KEY] = 0
            st.rerun(scope=scope)
        if tries < MAX_TRIES_WHILE_ANSWERING:
            st.session_state[_TRIES_KEY] = tries + 1
            st.rerun(scope=scope)
    st.session_state.pop(_TRIES_KEY, None)
    st.stop()


def _said_back(slot: DeltaGenerator, back_key: str) -> bool:
    if st.session_state.pop(back_key, False):
        slot.info(BACK_MESSAGE, icon="✅")
        return True
    return False


@contextmanager
def database_faults_shown() -> Iterator[None]:
    """Around a whole page run (app.py): a database fault that nobody caught is said at the top of the page, and
    the page waits for the database to come back (or stops, for a fault that does not pass by itself). A fault a
    widget's callback met (`calm_callback`) is said here too, in the run that follows the click."""
    slot = st.empty()
    if not _said_back(slot, _BACK_KEY) and (kept := st.session_state.pop(_CALLBACK_FAULT_KEY, None)) is not None:
        slot.warning(md(kept), icon=_icon(kept))
    try:
        yield
    except DatabaseFault as fault:
        _meet(fault, slot, "app", _BACK_KEY)
    st.session_state.pop(_TRIES_KEY, None)


def fragment(body: Callable[P, T], *, run_every: float | None = None) -> Callable[P, T]:
    """`st.fragment(body, run_every=…)`, with a database fault in the fragment said at its top and met as
    `database_faults_shown` meets one (a fragment's rerun never passes through app.py)."""
    back_key = f"{_BACK_KEY}-{body.__module__}.{body.__qualname__}"

    @functools.wraps(body)
    def calmly(*args: P.args, **kwargs: P.kwargs) -> T:
        slot = st.empty()
        _said_back(slot, back_key)
        try:
            with audited_run():  # a fragment's own rerun is a run of its own, on a thread of its own
                result = body(*args, **kwargs)
        except DatabaseFault as fault:
            ctx = get_script_run_ctx()
            # a fragment can rerun alone only in its own rerun; inside the page's run the page reruns
            _meet(fault, slot, "fragment" if ctx and ctx.fragment_ids_this_run else "app", back_key)
        st.session_state.pop(_TRIES_KEY, None)
        return result

    return st.fragment(calmly, run_every=run_every)


def calm_callback(callback: Callable[P, None]) -> Callable[P, None]:
    """A widget's callback whose database fault is said by the run that follows (a callback runs before the page
    and cannot draw): the fault is kept, and `database_faults_shown` says it at the top of that run."""

    @functools.wraps(callback)
    def calmly(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            with audited_run():  # before the run's own context is bound
                callback(*args, **kwargs)
        except DatabaseFault as fault:
            st.session_state[_CALLBACK_FAULT_KEY] = fault

    return calmly
