"""`md`: people's words shown literally where Streamlit reads Markdown, and never as a link. Streamlit finds web
and email addresses in text after reading the Markdown, so escaping is not enough; the browser test
(tests/browser/test_no_links.py) shows the rendered page has no link."""

from __future__ import annotations

import re

import pytest

from dashboard.components.text import WORD_JOINER, md

# What GitHub-flavoured Markdown turns into links: a scheme and '://', 'www.', an email address.
_AUTOLINK = re.compile(r"(?i)\b(?:https?|ftp)://|(?<![\w.])www\.|[\w.+-]@[\w-]+\.[\w.-]+")


def _as_read(text: str) -> str:
    """The text Markdown leaves after escapes (a backslash before punctuation is dropped)."""
    return re.sub(r"\\(.)", r"\1", text)


@pytest.mark.parametrize(
    "name",
    [
        "Amy http://evil.example/x",
        "HTTPS://evil.example",
        "www.evil.example",
        "WWW.Evil.Example",
        "(www.evil.example)",
        "contact a.b@evil.example",
        "mailto:a@evil.example",
        "ftp://evil.example",
    ],
)
def test_an_address_in_a_name_cannot_form_a_link(name: str) -> None:
    shown = _as_read(md(name))
    assert _AUTOLINK.search(name) and not _AUTOLINK.search(shown)
    assert shown.replace(WORD_JOINER, "") == name  # and it reads the same


@pytest.mark.parametrize("text", ["Amy O'Brien", "Review on 20/11/2026 at 10:30. Done: yes", "ratings 3/4 · 75%"])
def test_ordinary_text_is_only_escaped(text: str) -> None:
    assert WORD_JOINER not in md(text) and _as_read(md(text)) == text
