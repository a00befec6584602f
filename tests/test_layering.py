"""Imports run one way: dashboard/ → db/ → risk/ (seed/ → db/, risk/). The risk rules stay pure so they can be
tested and reasoned about without a database or a browser; nothing below the app knows the app exists."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "risk": {"db", "dashboard", "seed", "migrations", "benchmarks", "streamlit", "sqlalchemy"},
    "db": {"dashboard", "seed", "benchmarks"},
    "seed": {"dashboard", "benchmarks"},
    "migrations": {"dashboard", "seed", "benchmarks"},
}


def imported_packages(source: str) -> set[str]:
    """Top-level names of every module a source file imports, at module level or inside functions."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def violations(package: str) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in sorted(imported_packages(path.read_text(encoding="utf-8")) & FORBIDDEN[package]):
            found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_lower_layers_never_import_higher_ones(package: str) -> None:
    assert violations(package) == []


def test_the_risk_rules_use_only_the_standard_library_and_themselves() -> None:
    allowed = set(sys.stdlib_module_names) | {"risk", "__future__"}
    outside = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / "risk").rglob("*.py")
        for name in imported_packages(path.read_text(encoding="utf-8")) - allowed
    }
    assert outside == set()


def test_the_check_sees_imports_in_every_form() -> None:
    source = "import streamlit as st\nfrom db.models import Family\n\ndef f():\n    import dashboard.app\n"
    assert imported_packages(source) == {"streamlit", "db", "dashboard"}


def test_relative_imports_stay_inside_the_package() -> None:
    assert imported_packages("from .scoring import score_family\nfrom . import vocabulary\n") == set()
