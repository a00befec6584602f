"""The lock files are what `make run` and `make test` install: each pin has its hashes and lies inside the range
pyproject.toml supports, so a change of range without `make lock` fails here rather than installing something else."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+) \\$")


def _pins(lock: str) -> dict[str, str]:
    lines = (ROOT / "requirements" / lock).read_text(encoding="utf-8").splitlines()
    pins = {}
    for at, line in enumerate(lines):
        if found := PIN.match(line):
            assert lines[at + 1].strip().startswith("--hash=sha256:"), f"{found.group(1)} has no hash in {lock}"
            pins[canonicalize_name(found.group(1))] = found.group(2)
    return pins


@pytest.mark.parametrize(("lock", "extra"), [("app.lock", None), ("dev.lock", "dev")])
def test_every_supported_range_is_locked_with_hashes(lock: str, extra: str | None) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + (project["optional-dependencies"][extra] if extra else [])
    pins = _pins(lock)
    for line in wanted:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements/{lock}: run `make lock`"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {requirement.specifier}"
    assert "setuptools" in pins  # fsdash itself is installed without build isolation, from the lock's setuptools


def test_make_installs_only_from_the_locks() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    installs = [line.strip() for line in makefile.splitlines() if "pip install" in line]
    assert installs and all("$(LOCKED)" in line or "$(SELF)" in line for line in installs), installs
    assert "--require-hashes --no-deps" in makefile
