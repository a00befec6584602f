"""Every setting of the schedule and the reminders (db.settings.SETTINGS) is in docs/configuration.md with its
default, so a service desk reading the page sets what the code reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.settings import SETTINGS, Setting

CONFIGURATION = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented_with_its_default(setting: Setting) -> None:
    rows = [line for line in CONFIGURATION.read_text(encoding="utf-8").splitlines() if f"| `{setting.name}` |" in line]
    assert len(rows) == 1, f"{setting.name} needs one row in docs/configuration.md"
    default = rows[0].rstrip(" |").rsplit("|", 1)[1].strip()
    assert (f"`{setting.default}`" == default) if setting.default else default.startswith(("unset", "the system")), (
        setting.name,
        default,
    )
