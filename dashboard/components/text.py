"""Showing people's words safely. Names, rationales and actions are typed by users (or imported), so they are
never rendered as HTML and are escaped wherever Streamlit would read Markdown (markdown calls, widget labels), so
no name can become a link either."""

from __future__ import annotations

import datetime as dt
import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=])")
_LINK_STARTS = re.compile(r"(\\:)(?=//)|(?i:(?<![^\W_])(w)(ww\\\.))|(?<=\w)(@)(?=\w)")
WORD_JOINER = "\u2060"


def md(text: object) -> str:
    """`text` escaped so Markdown shows it literally: no bold, no links, no images, no HTML.

    Escaping alone does not stop Streamlit turning web and email addresses into live links (it finds them in the
    text after reading the Markdown), so an invisible word joiner (U+2060) is put where a link would start: after
    the ':' of '://', inside 'www.' and after the '@' of an email address. The text looks the same."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
    return _LINK_STARTS.sub(_join, escaped)


def _join(found: re.Match[str]) -> str:
    if found.group(2):  # www.
        return found.group(2) + WORD_JOINER + found.group(3)
    return found.group(0) + WORD_JOINER


def uk_date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "–"
