"""A family is shown as its case reference and, when one is held, its name: the rule written once."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk.presentation import FAMILY_NAME_MAX, family_initials, family_label, family_name_from_surnames


@pytest.mark.parametrize(
    ("display_name", "full", "initials"),
    [
        ("Jones / Ahmed", "F-100088 · Jones / Ahmed", "F-100088 · J / A"),
        ("Jones", "F-100088 · Jones", "F-100088 · J"),
        ("  Jones \t /  Ahmed\n", "F-100088 · Jones / Ahmed", "F-100088 · J / A"),
        ("o'brien-smith", "F-100088 · o'brien-smith", "F-100088 · O"),
        ("'t Hooft / Øberg", "F-100088 · 't Hooft / Øberg", "F-100088 · T / Ø"),
        (None, "F-100088", "F-100088"),
        ("", "F-100088", "F-100088"),
        ("   ", "F-100088", "F-100088"),
        (" / ", "F-100088 · /", "F-100088"),
    ],
)
def test_a_family_reads_as_its_reference_and_its_name(display_name: str | None, full: str, initials: str) -> None:
    assert family_label("F-100088", display_name) == full
    assert family_label("F-100088", display_name, initials_only=True) == initials


def test_hostile_text_is_kept_as_text_for_the_screen_to_escape() -> None:
    assert family_label("F-1", "<b>x</b>") == "F-1 · <b>x</b>"
    assert family_label("F-1", "=HYPERLINK(1)", initials_only=True) == "F-1 · H"


@given(st.text(max_size=60))
def test_initials_never_show_more_than_one_letter_a_surname(name: str) -> None:
    shown = family_initials(name)
    assert all(len(part) == 1 for part in shown.split(" / ")) if shown else True
    assert family_label("F-1", name, initials_only=True).startswith("F-1")


def test_surnames_make_one_name_each_once_in_a_stable_order() -> None:
    assert family_name_from_surnames(["Jones", "Ahmed", "jones", None, " ", "Ahmed"]) == "Ahmed / Jones"
    assert family_name_from_surnames(["Ahmed", "Jones"]) == family_name_from_surnames(["Jones", "Ahmed"])
    assert family_name_from_surnames([None, ""]) is None
    assert family_name_from_surnames(["Smith/Jones"]) == "Smith Jones"


def test_a_name_from_many_surnames_stops_at_a_whole_surname_within_the_limit() -> None:
    name = family_name_from_surnames([f"Surname{i:03d}" for i in range(40)])
    assert name is not None and len(name) <= FAMILY_NAME_MAX
    assert all(part.startswith("Surname") and len(part) == 10 for part in name.split(" / "))
