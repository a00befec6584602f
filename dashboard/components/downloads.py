"""Download buttons whose file is made, checked and audited in one server-side step.

Streamlit makes a deferred download's file on the server when the button is pressed, outside any page run. So the
file is made from the session's record (db.access.SignedIn), never from the user of the last page load: the user
is re-checked first (signed in, not idle, active, same role and team), then the file is built, then its download
is written to the audit trail, and only then are the bytes handed to Streamlit to send. The button asks for no
rerun, and none is needed: a browser that sends nothing else still leaves its event behind.

A file that cannot be made is logged by its kind and the exception's type only (the message may quote names from
the data), and the person gets Streamlit's "failed to generate file" notice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy import Engine
from streamlit.delta_generator import DeltaGenerator

from dashboard.components.request_audit import audited_run
from dashboard.state import engine, idle_limit_seconds, signed_in
from db.access import SignedIn, recheck_session
from db.models import User
from db.request_context import current
from db.services.disclosures import record_download

logger = logging.getLogger(__name__)


class DownloadRefused(Exception):
    """Raised to Streamlit, which logs it: its message names the kind of file and why, never any data."""


def audited_file(
    engine: Engine,
    session: SignedIn,
    build: Callable[[User], bytes],
    *,
    what: str,
    entity_id: int | None,
    details: dict[str, Any],
    idle_limit: float,
    clock: Callable[[], float] = time.monotonic,
) -> Callable[[], bytes]:
    """The callable Streamlit runs when the button is pressed: re-check, build, audit, return the bytes."""

    drawn_in = current()  # the page run that drew the button: its session, address and browser

    def make() -> bytes:
        if drawn_in is None:  # drawn outside a page run (the page tests)
            return _make()
        with audited_run(replace(drawn_in, refusals=[]), engine):
            return _make()

    def _make() -> bytes:
        try:
            user = recheck_session(engine, session, now=clock(), idle_limit=idle_limit)
        except Exception as exc:
            logger.warning("Download of %s refused: %s", what, getattr(exc, "reason", type(exc).__name__))
            raise DownloadRefused(
                f"{what}: the session may not download ({getattr(exc, 'reason', 'refused')})"
            ) from None
        try:
            data = build(user)
        except Exception as exc:
            logger.error("Download of %s could not be made: %s", what, type(exc).__name__)
            raise DownloadRefused(f"{what}: the file could not be made ({type(exc).__name__})") from None
        record_download(engine, user, what, entity_id, details)
        return data

    return make


def download_button(
    container: DeltaGenerator,
    label: str,
    build: Callable[[User], bytes],
    *,
    what: str,
    entity_id: int | None,
    details: dict[str, Any],
    file_name: str,
    mime: str,
    key: str | None = None,
) -> None:
    """A download button for a file made by `build(user)` when pressed, audited as `what` (see the module)."""
    container.download_button(
        label,
        audited_file(
            engine(),
            signed_in(),
            build,
            what=what,
            entity_id=entity_id,
            details=details,
            idle_limit=idle_limit_seconds(),
        ),
        file_name=file_name,
        mime=mime,
        on_click="ignore",
        key=key,
    )
