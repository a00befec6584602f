"""The files a page's download buttons would make, for page tests.

Streamlit makes a download's file only when the button is pressed, in the running server; the page-test harness
has no server, so it drops the callable. This fixture keeps each one (by what its download is audited as), so a
test presses the button the way the server would: by calling it, with no page run around it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import dashboard.components.downloads as downloads


@pytest.fixture(name="made_files")
def made_files_fixture(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], bytes]]:
    kept: dict[str, Callable[[], bytes]] = {}
    real = downloads.audited_file

    def keeping(*args: Any, **kwargs: Any) -> Callable[[], bytes]:
        make = real(*args, **kwargs)
        kept[kwargs["what"]] = make
        return make

    monkeypatch.setattr(downloads, "audited_file", keeping)
    return kept
