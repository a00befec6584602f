"""Where the database is. One setting, read from the environment, so the app, the CLI and Alembic agree."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_SQLITE_PATH = Path("var") / "fsdash.db"


def database_url() -> str:
    """`DATABASE_URL` if set, else a SQLite file `var/fsdash.db` under the current directory.

    A relative SQLite path is made absolute here so that the app started by `fsdash run` and the CLI that
    started it open the same file whatever directory Streamlit later runs in.
    """
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{(Path.cwd() / DEFAULT_SQLITE_PATH).resolve()}"
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and ":memory:" not in url:
        return f"sqlite:///{Path(url.removeprefix('sqlite:///')).resolve()}"
    return url


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")
