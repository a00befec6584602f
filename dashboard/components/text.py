"""Showing people's words safely. Names, rationales and actions are typed by users (or imported), so they are
never rendered as HTML and are escaped wherever Streamlit would read Markdown (markdown calls, widget labels)."""

from __future__ import annotations

import datetime as dt
import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=])")


def md(text: object) -> str:
    """`text` escaped so Markdown shows it literally: no bold, no links, no images, no HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def uk_date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "–"
