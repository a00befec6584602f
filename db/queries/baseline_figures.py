"""What the Service page says about one area's outcomes against its baseline month besides the counts of children
on each plan (`db.queries.outcomes.changes_since`): the child-days looked after then and now, and the new plans
started since. Read from one area's rows of `outcome_totals`; aggregates only, never a name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from risk.outcomes import FLOW_STATUSES
from risk.vocabulary import LegalStatus


@dataclass(frozen=True)
class DaysLookedAfter:
    """Child-days looked after in the baseline month and in the last month already over."""

    baseline: dt.date
    then: int
    last_full: dt.date
    """The month before the latest: the current month runs only to today, so it is not the one compared (the
    latest itself when it is the only month)."""
    now: int


def looked_after(area: pd.DataFrame) -> pd.DataFrame:
    """The area's rows for children looked after (what the days chart draws)."""
    return area[area["status"] == LegalStatus.CLA.short]


def days_looked_after(area: pd.DataFrame, baseline: dt.date) -> DaysLookedAfter:
    """Child-days looked after in the baseline month and in the last full month, for one area."""
    months = sorted(area["month"].unique())
    last_full = months[-2] if len(months) > 1 else months[-1]
    rows = looked_after(area)
    then = int(rows[rows["month"] == baseline]["days"].sum())
    now = int(rows[rows["month"] == last_full]["days"].sum())
    return DaysLookedAfter(baseline, then, last_full, now)


def new_plans(area: pd.DataFrame) -> pd.DataFrame:
    """The area's rows for the plans whose starts are reported as flows (CP, PLO, proceedings)."""
    return area[area["status"].isin([status.short for status in FLOW_STATUSES])]


def plans_started_since(area: pd.DataFrame, baseline: dt.date) -> dict[str, int]:
    """How many plans of each flow kind began after the baseline month, by short name, in the framework's order
    (0 where none did)."""
    rows = new_plans(area)
    started = rows[rows["month"] > baseline].groupby("status")["started"].sum()
    return {status.short: int(started.get(status.short, 0)) for status in FLOW_STATUSES}
