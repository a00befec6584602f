"""Keep personal data out of the server's log.

Streamlit logs an uncaught exception (a page or a live refresh that failed, a download whose file could not be
made) with its full message, and messages quote data: a spreadsheet library names the text it could not write,
the database names the key that clashed. Every logger Streamlit has made (and the ones that log such failures)
gets a filter that keeps the exception's kind and where in our code it happened, and drops its message and
traceback text. Queries' bound parameters never reach a message in the first place (`hide_parameters=True` on
every engine, see db/session.py).
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from streamlit import logger as streamlit_logger

ROOT = Path(__file__).resolve().parents[1]
FAILURE_LOGGERS = (
    "streamlit.error_util",
    "streamlit.runtime.scriptrunner.script_runner",
    "streamlit.runtime.scriptrunner.exec_code",
    "streamlit.runtime.fragment",
    "streamlit.runtime.backend_operation_handler",
    "streamlit.runtime.app_session",
)
WITHHELD = "message withheld: it may quote personal data"


class WithoutPersonalData(logging.Filter):
    """Rewrites a record that carries an exception: its kinds (with causes) and our innermost frame, no text."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info or record.exc_info[1] is None:
            return True
        failure = record.exc_info[1]
        kinds: list[str] = []
        cause: BaseException | None = failure
        while cause is not None and len(kinds) < 5:
            kinds.append(type(cause).__name__)
            cause = cause.__cause__ or cause.__context__
        record.msg = f"{record.getMessage()}: {' from '.join(kinds)} at {where(failure)} ({WITHHELD})"
        record.args = None
        record.exc_info = None
        record.exc_text = None
        return True


def where(failure: BaseException) -> str:
    """The innermost frame of the failure (or of its causes) that is in this project's code, as file:line."""
    found = "an unknown place"
    cause: BaseException | None = failure
    while cause is not None:
        for frame in traceback.extract_tb(cause.__traceback__):
            path = Path(frame.filename)
            if ROOT in path.parents and ".venv" not in path.parts:
                found = f"{path.relative_to(ROOT)}:{frame.lineno}"
        cause = cause.__cause__ or cause.__context__
    return found


_FILTER = WithoutPersonalData()


def keep_personal_data_out_of_logs() -> None:
    """Install the filter on the loggers that report failures (idempotent: the app script runs on every click)."""
    names = set(FAILURE_LOGGERS) | set(getattr(streamlit_logger, "_loggers", {}))
    for name in names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
