"""Spreadsheet formula injection: a cell that begins with =, +, -, @ (or a tab or carriage return) is run as a
formula by Excel and LibreOffice. Every exported text cell goes through `neutralise`, which prefixes such a value
with an apostrophe so the spreadsheet shows it as text."""

from __future__ import annotations

from typing import Any

import pandas as pd

from db.plain_text import printable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Also makes stored text printable (control characters become U+FFFD), so an export never fails on it."""
    if isinstance(value, str):
        value = printable(value)
        if value.startswith(FORMULA_STARTS):
            return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell neutralised (numbers and dates are left as they are)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """`frame` exactly as shown, as CSV for Excel (UTF-8 with a byte-order mark), formula-like cells neutralised."""
    return neutralise_frame(frame).to_csv(index=False).encode("utf-8-sig")
