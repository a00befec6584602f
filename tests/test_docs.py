"""The docs say what the code does: the CLI reference and the SSD column table are made from the code and fail here
when stale (regenerate with `make docs`), every link between the docs leads somewhere, and the README stays a
five-minute read."""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

import pytest

from dashboard.cli import build_parser
from dashboard.cli.docs import (
    CLI_REFERENCE,
    COMMAND,
    SSD_IMPORT,
    _subcommands,
    cli_reference,
    ssd_tables,
    stale_docs,
    with_region,
)
from db.imports.ssd.tables import TABLES

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted([README, *(ROOT / "docs").glob("*.md")])


def test_the_generated_docs_are_up_to_date() -> None:
    stale = [str(path.relative_to(ROOT)) for path in stale_docs(ROOT)]
    assert stale == [], f"out of date: {', '.join(stale)}. Run `{COMMAND}` (or `make docs`) and commit the result."


def test_a_changed_help_text_or_table_makes_the_docs_stale(tmp_path: Path) -> None:
    """The check above can fail: an edited copy of the docs is found out, file by file."""
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    assert stale_docs(tmp_path) == []
    cli = tmp_path / CLI_REFERENCE
    cli.write_text(cli.read_text(encoding="utf-8").replace("Restore a backup", "Restore the backup"), encoding="utf-8")
    assert stale_docs(tmp_path) == [cli]
    ssd = tmp_path / SSD_IMPORT
    ssd.write_text(ssd.read_text(encoding="utf-8").replace("`pers_forename`, ", ""), encoding="utf-8")
    assert stale_docs(tmp_path) == [cli, ssd]


def _commands(parser: argparse.ArgumentParser, prefix: str = "fsdash") -> list[str]:
    found = []
    for name, _, sub in _subcommands(parser):
        found.append(f"{prefix} {name}")
        found += _commands(sub, f"{prefix} {name}")
    return found


def test_the_cli_reference_has_every_command_and_option() -> None:
    reference = cli_reference()
    commands = _commands(build_parser())
    assert len(commands) > 15
    for command in commands:
        assert f"`{command}`" in reference
    assert "--close-missing" in reference and "--password-stdin" in reference and "`--from DIR\\|URL`" in reference


def test_the_ssd_table_has_every_table_and_column_the_import_reads() -> None:
    table = ssd_tables()
    for spec in TABLES.values():
        row = next(line for line in table.splitlines() if line.startswith(f"| `{spec.name}` |"))
        assert all(f"`{column}`" in row for column in spec.all_columns)
        assert spec.about and spec.about in row
        assert ("required" if spec.required else "optional") in row


def test_a_generated_region_replaces_only_what_lies_between_its_markers() -> None:
    document = "before\n<!-- B -->\nold\nlines\n<!-- E -->\nafter\n"
    assert with_region(document, "<!-- B -->", "<!-- E -->", "new") == "before\n<!-- B -->\nnew\n<!-- E -->\nafter\n"
    with pytest.raises(ValueError, match="missing"):
        with_region("no markers", "<!-- B -->", "<!-- E -->", "new")


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"(?ms)^```.*?^```", "", path.read_text(encoding="utf-8"))
    return {_anchor(match) for match in re.findall(r"(?m)^#+ (.+)$", text)}


LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_every_link_between_the_docs_leads_somewhere(doc: Path) -> None:
    broken = []
    for target in LINK.findall(doc.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue  # a web address
        file, _, anchor = target.partition("#")
        path = (doc.parent / file).resolve() if file else doc
        if not path.exists():
            broken.append(f"{target}: no such file")
        elif anchor and anchor not in _anchors(path):
            broken.append(f"{target}: no such heading")
    assert broken == []


def test_the_anchor_rule_matches_githubs() -> None:
    assert _anchor("How a family's risk is worked out") == "how-a-familys-risk-is-worked-out"
    assert _anchor("`fsdash import ssd`") == "fsdash-import-ssd"


def test_the_readme_is_a_five_minute_read_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.encode()) < 12_288, "the README is for a newcomer's first five minutes: move detail to docs/"
    assert "make run" in text and "make test" in text
    assert text.index("## Quick start") < text.index("## Layout") < text.index("## Who sees what")
