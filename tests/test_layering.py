"""Imports run one way: dashboard/ → db/ → risk/ (seed/ → db/, risk/). The risk rules stay pure so they can be
tested and reasoned about without a database or a browser; nothing below the app knows the app exists. Within a
layer they run one way too: no module imports itself back through others (a cycle means neither can be read,
changed or tested without the other, and its import order decides what works)."""

from __future__ import annotations

import ast
import graphlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PROJECT_PACKAGES = ("benchmarks", "dashboard", "db", "migrations", "risk", "seed", "tests")

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
    # dateutil: the schedule's recurrence rules (risk/schedule.py), pure date arithmetic with no I/O, rather than
    # hand-written date arithmetic
    allowed = set(sys.stdlib_module_names) | {"risk", "__future__", "dateutil"}
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


def project_modules(root: Path, packages: tuple[str, ...] = PROJECT_PACKAGES) -> dict[str, Path]:
    """Every module of the project by its dotted name (a package by its __init__.py)."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _nearest_module(name: str, modules: dict[str, Path]) -> str | None:
    """`name` if it is one of ours, else the closest package or module above it (`db.models.Family` is db.models);
    None for anything outside the project."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def module_imports(name: str, modules: dict[str, Path]) -> set[str]:
    """The project's modules that module `name` imports, anywhere in it (at the top, inside a function or under
    TYPE_CHECKING: each is a dependency of the design even where it is not one at import time). `from a.b import c`
    is an import of the module a.b.c when c is one, else of a.b."""
    path = modules[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str | None] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(_nearest_module(alias.name, modules) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            found.update(_nearest_module(f"{base}.{alias.name}", modules) for alias in node.names)
    return {module for module in found if module is not None and module != name}


def import_graph(root: Path, packages: tuple[str, ...] = PROJECT_PACKAGES) -> dict[str, set[str]]:
    modules = project_modules(root, packages)
    return {name: module_imports(name, modules) for name in modules}


def import_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One chain of imports that comes back to where it started (first and last the same), or None."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as cycle:
        return list(cycle.args[1])
    return None


def test_no_module_imports_itself_back_through_others() -> None:
    graph = import_graph(ROOT)
    assert len(graph) > 200, "the check must see the whole project"
    cycle = import_cycle(graph)
    assert cycle is None, "an import cycle: " + " → ".join(cycle or [])


def _write(root: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")


def test_the_cycle_check_finds_the_cli_cycle_through_an_import_inside_a_function(tmp_path: Path) -> None:
    """The cycle the command line had: cli.py registered records_cli.py's commands from inside build_parser, and
    records_cli.py took CommandError from cli.py."""
    _write(
        tmp_path,
        {
            "dashboard/__init__.py": "",
            "dashboard/cli.py": "def build_parser():\n    from dashboard.records_cli import add_records_commands\n",
            "dashboard/records_cli.py": "from dashboard.cli import CommandError, _date, _say\n",
        },
    )
    cycle = import_cycle(import_graph(tmp_path, ("dashboard",)))
    assert cycle is not None and set(cycle) == {"dashboard.cli", "dashboard.records_cli"}


def test_the_cycle_check_follows_packages_submodules_and_relative_imports(tmp_path: Path) -> None:
    """The cycle the service queries had (outcomes.py took the month helpers from service.py, service.py
    imported outcomes.py inside legal_status_counts), written with `from package import module` and a relative
    import; a third module that only imports both is no part of it."""
    _write(
        tmp_path,
        {
            "db/__init__.py": "",
            "db/queries/__init__.py": "",
            "db/queries/outcomes.py": "from db.queries import service\n",
            "db/queries/service.py": "def legal_status_counts():\n    from .outcomes import outcome_counts\n",
            "db/queries/calibration.py": "from db.queries.service import months_back\nfrom . import outcomes\n",
        },
    )
    graph = import_graph(tmp_path, ("db",))
    assert graph["db.queries.calibration"] == {"db.queries.service", "db.queries.outcomes"}
    cycle = import_cycle(graph)
    assert cycle is not None and set(cycle) == {"db.queries.outcomes", "db.queries.service"}
    graph["db.queries.service"] = set()  # service.py no longer importing outcomes.py ends it
    assert import_cycle(graph) is None
