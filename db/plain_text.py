"""Text people type or import, checked once where it enters (import, admin forms, the command line, single
sign-on claims): no longer than its column allows, and free of control characters. A NUL byte is refused by
PostgreSQL but stored by SQLite; other control characters are stored and then make a spreadsheet export fail
(openpyxl refuses them); bidirectional overrides make a name display as something else. None of them belongs in
a name, a reference or a sentence.

Text already stored before these checks existed is made `printable` by every export, so a file is always made.
"""

from __future__ import annotations

import re

from db.errors import InvalidInput

_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_FORBIDDEN_MULTILINE = re.compile(f"[{_CONTROL}]")
_FORBIDDEN_LINE = re.compile(f"[{_CONTROL}\t\n\r]")
_UNPRINTABLE = re.compile(f"[{_CONTROL}]")


def text_problem(value: str, *, limit: int, multiline: bool = False) -> str | None:
    """What is wrong with `value` as stored text (None if nothing), in words to show after the field's name."""
    if len(value) > limit:
        return f"is {len(value):,} characters long; the most it can hold is {limit:,}"
    found = (_FORBIDDEN_MULTILINE if multiline else _FORBIDDEN_LINE).search(value)
    if found:
        return (
            f"holds a control character (code {ord(found.group()):#06x}) at position {found.start() + 1}, which "
            "cannot be stored; retype it, or copy it again from plain text"
        )
    return None


def clean_text(value: str, *, what: str, limit: int, multiline: bool = False, required: bool = True) -> str:
    """`value` with its ends trimmed, or InvalidInput with a sentence naming `what` (e.g. "The name")."""
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"{what} is empty: fill it in.")
    if problem := text_problem(value, limit=limit, multiline=multiline):
        raise InvalidInput(f"{what} {problem}.")
    return value


def printable(value: str) -> str:
    """For exports: control characters in text stored before they were refused become U+FFFD, never an error."""
    return _UNPRINTABLE.sub("\ufffd", value)
