"""Finding and replacing case references inside audit details: whole references only, any capitals, however the
reference is written and however the JSON stores it."""

from __future__ import annotations

import json

from db.records.pseudonyms import REMOVED, ReferenceReplacer, map_json, only_mentions, reference_pattern


def test_whole_references_are_replaced_in_any_capitals_never_inside_a_longer_one() -> None:
    replace = ReferenceReplacer({"F-1": "ANON-A", "F-1-2": "ANON-B"})
    assert replace("closed f-1, F-1-2 and F-1-23; F-10") == "closed ANON-A, ANON-B and F-1-23; F-10"
    assert replace.found_in("plans: F-1-2: cp") and not replace.found_in("F-1-23 only")


def test_unusual_references_are_found_even_where_the_stored_json_escapes_them() -> None:
    replace = ReferenceReplacer({"F/77 A": "ANON-C", "É-1": "ANON-D"})
    assert replace("families F/77 A and é-1") == "families ANON-C and ANON-D"
    stored = json.dumps({"families": ["É-1"]})  # '\\u00c9-1', as SQLite keeps it
    assert "É" not in stored and replace.found_in_json(stored)
    assert not replace.found_in_json(json.dumps({"families": ["É-12"]}))


def test_free_text_of_an_events_own_records_is_removed_and_references_replaced() -> None:
    replace = ReferenceReplacer({"F-1": "ANON-A"})
    details = {"rationale": "F-1 again", "text": None, "children": ["F-1"], "reason": "mistake", "rag": "red"}
    assert map_json(details, replace, free_text=True) == {
        "rationale": REMOVED,
        "text": None,
        "children": ["ANON-A"],
        "reason": REMOVED,
        "rag": "red",
    }
    assert map_json(details, replace)["rationale"] == "ANON-A again"


def test_an_event_about_many_families_is_cut_to_the_one_asked_about() -> None:
    pattern = reference_pattern(["F-1"])
    assert pattern is not None
    after = {"file_name": "caseload.csv", "families": {"updated": ["F-1", "F-2"], "closed": ["F-3"]}, "rows": 3}
    assert only_mentions(after, pattern) == {"families": {"updated": ["F-1"]}}
