""" "No actor is the command line" is one rule (db.access.require_admin_or_command_line): the command line, run on
the server with the database's own credentials, is let through; anyone signed in must be an active
administrator. No module decides it again for itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from db.access import AccessDenied, require_admin_or_command_line
from db.models import User
from risk.vocabulary import Role

ROOT = Path(__file__).resolve().parents[2]


def test_the_command_line_and_active_administrators_pass() -> None:
    assert require_admin_or_command_line(None) is None
    admin = User(display_name="Ada", email="ada@example.org", role=Role.ADMINISTRATOR, active=True)
    assert require_admin_or_command_line(admin) is admin


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMINISTRATOR])
def test_everyone_else_signed_in_is_refused(role: Role) -> None:
    with pytest.raises(AccessDenied, match="Only an administrator"):
        require_admin_or_command_line(User(display_name="Someone", email="s@example.org", role=role, active=True))


def test_a_deactivated_administrator_is_refused() -> None:
    gone = User(display_name="Gone", email="gone@example.org", role=Role.ADMINISTRATOR, active=False)
    with pytest.raises(AccessDenied, match="active account"):
        require_admin_or_command_line(gone)


def _decides_it_again(node: ast.AST) -> bool:
    """`if actor is (not) None:` around a `require_…(actor)` call: the rule written out once more."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    test = node.test
    about_actor = isinstance(test.left, ast.Name) and test.left.id == "actor"
    against_none = all(isinstance(op, ast.Is | ast.IsNot) for op in test.ops) and all(
        isinstance(c, ast.Constant) and c.value is None for c in test.comparators
    )
    calls = [
        n
        for branch in (node.body, node.orelse)
        for statement in branch
        for n in ast.walk(statement)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id.startswith("require_")
    ]
    return about_actor and against_none and bool(calls)


def test_no_module_decides_the_command_line_rule_for_itself() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for folder in ("db", "dashboard")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != ROOT / "db" / "access.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if _decides_it_again(node)
    ]
    assert found == [], "call db.access.require_admin_or_command_line instead"


def test_the_check_finds_the_rule_written_out_again() -> None:
    source = "def f(actor):\n    if actor is not None:\n        require_admin(actor)\n"
    assert any(_decides_it_again(node) for node in ast.walk(ast.parse(source)))
