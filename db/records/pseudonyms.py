"""Replacing what identifies a family inside text and JSON: case references, children's names, free text.

Kept apart from the retention service because the same rules decide what a subject access export shows of an
event that mentions several families (only the parts about this one).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from typing import Any

REMOVED = "[removed under the retention rule]"
FREE_TEXT_KEYS = frozenset({"rationale", "text", "reason", "display_name"})
"""Audit event details that hold words a professional typed (a rating's rationale, an action, a correction's
reason) or the family's name (its members' surnames, from an import or a correction): removed whole, because
any of them may name the family."""

JsonValue = Any


def new_pseudonym() -> str:
    """A case reference that cannot be traced back: random, never derived from the old reference (a hash of a
    short reference in a known format could be reversed by trying every one)."""
    return f"ANON-{secrets.token_hex(6).upper()}"


def reference_pattern(references: Iterable[str]) -> re.Pattern[str] | None:
    """Whole references only, in any capitals: 'F-1' matches in 'F-1' and 'closed F-1,' but not in 'F-1-2'."""
    ordered = sorted(set(references), key=len, reverse=True)
    if not ordered:
        return None
    alternatives = "|".join(re.escape(reference) for reference in ordered)
    return re.compile(rf"(?<![\w-])({alternatives})(?![\w-])", re.IGNORECASE)


class ReferenceReplacer:
    """Finds and replaces many case references at once, in one pass over a text however many there are.

    A reference made of letters, digits, '_' and '-' (every reference seen so far) is a whole token of the text,
    so the text is split into such tokens once and each is looked up; any other reference falls back to a
    pattern. Matching is whole-reference and in any capitals, as `reference_pattern`.
    """

    def __init__(self, pseudonyms: Mapping[str, str]) -> None:
        self.tokens = {old.lower(): new for old, new in pseudonyms.items() if _is_token(old)}
        others = {old: new for old, new in pseudonyms.items() if not _is_token(old)}
        self.others = {old.lower(): new for old, new in others.items()}
        self.pattern = reference_pattern(others)

    def found_in(self, text: str) -> bool:
        if any(token.lower() in self.tokens for token in _TOKEN.findall(text)):
            return True
        return self.pattern is not None and self.pattern.search(text) is not None

    def found_in_json(self, raw: str | None) -> bool:
        """Whether the stored JSON text of an event's details mentions a reference (decoded only when a reference
        is not a plain token, since stored JSON may escape other characters)."""
        if not raw:
            return False
        if any(token.lower() in self.tokens for token in _TOKEN.findall(raw)):
            return True
        return self.pattern is not None and mentions(json.loads(raw), self.pattern)

    def __call__(self, text: str) -> str:
        text = _TOKEN.sub(lambda match: self.tokens.get(match.group(0).lower(), match.group(0)), text)
        if self.pattern is not None:
            text = self.pattern.sub(lambda match: self.others[match.group(1).lower()], text)
        return text


_TOKEN = re.compile(r"[A-Za-z0-9_-]+")


def _is_token(reference: str) -> bool:
    return _TOKEN.fullmatch(reference) is not None


def like_contains(value: str) -> str:
    """A LIKE pattern (escape character backslash) matching text that contains `value`, lower-cased."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", value.lower()) + "%"


def map_json(value: JsonValue, text: Callable[[str], str], free_text: bool = False) -> JsonValue:
    """`value` with `text` applied to every string (keys included); with `free_text`, the values of FREE_TEXT_KEYS
    are replaced by REMOVED."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            removed = free_text and key in FREE_TEXT_KEYS and item is not None
            out[text(str(key))] = REMOVED if removed else map_json(item, text, free_text)
        return out
    if isinstance(value, list):
        return [map_json(item, text, free_text) for item in value]
    if isinstance(value, str):
        return text(value)
    return value


def mentions(value: JsonValue, pattern: re.Pattern[str]) -> bool:
    if isinstance(value, dict):
        return any(pattern.search(str(key)) or mentions(item, pattern) for key, item in value.items())
    if isinstance(value, list):
        return any(mentions(item, pattern) for item in value)
    return isinstance(value, str) and pattern.search(value) is not None


def only_mentions(value: JsonValue, pattern: re.Pattern[str]) -> JsonValue:
    """The parts of `value` that mention a reference: other families' entries in an event about many (an import's
    lists, a download's filters) are left out, so one family's export never discloses another's."""
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            if pattern.search(str(key)):
                kept[key] = item
            elif mentions(item, pattern):
                kept[key] = only_mentions(item, pattern)
        return kept
    if isinstance(value, list):
        return [only_mentions(item, pattern) for item in value if mentions(item, pattern)]
    return value


def rename_children(explanation: str, names: Mapping[str, str]) -> str | None:
    """The stored explanation with each child's first name replaced, or None if a name would still be left.

    Explanations name children only inside sentences ('2 of 3 professionals rated Ben red'), never as a
    sentence's first word, which is always a band, a trend or a role ('Amber: …', 'Improved …'): only words after
    a space that does not end a sentence are replaced, so a child called Amber does not turn the band into a name.
    """
    text = explanation
    for old in sorted(names, key=len, reverse=True):
        text = re.sub(rf"(?<=[^.] ){re.escape(old)}(?![\w'-])", names[old], text)
    for old in names:
        if re.search(rf"(?<![\w'-]){re.escape(old)}(?![\w'-])", text):
            return None
    return text
