"""Synthetic demo data: an invented Family Safeguarding service (names from Faker's en_GB locale, emails on
example.org), deterministic for a given random seed and date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Engine

from seed.load import is_empty, write_rows
from seed.scales import SCALES
from seed.simulate import ServiceSimulation

__all__ = ["SCALES", "is_empty", "load_seed"]


def load_seed(
    engine: Engine,
    scale: str,
    random_seed: int = 1,
    today: dt.date | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, int]:
    """Invent a `scale` service (see `SCALES`) leading up to `today` and load it; returns counts per table.

    The database must be migrated and empty: the caller checks (see `is_empty`). Scores are not stored here;
    closing past meetings' scores is the risk engine's job (`db.services.scores.rebuild_scores`).
    """
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}: choose one of {', '.join(SCALES)}.")
    size = SCALES[scale]
    progress(
        f"Inventing the '{scale}' service: {len(size.offices)} office(s), {size.team_count} teams, "
        f"{size.meetings_per_team} monthly meetings each…"
    )
    rows = ServiceSimulation(size, random_seed, today or dt.date.today()).run()
    progress("Writing it to the database…")
    return write_rows(engine, rows, progress)
