"""Child-days looked after and new plans against the baseline, from one area's outcome rows (no database)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from db.queries.baseline_figures import DaysLookedAfter, days_looked_after, new_plans, plans_started_since

JAN, FEB, MAR = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)


def area(*rows: tuple[dt.date, str, int, int]) -> pd.DataFrame:
    """Rows of `outcome_totals` for one area: (month, plan, days, started)."""
    return pd.DataFrame(
        [
            {"level": "team", "area": "A", "month": m, "status": s, "children": 0, "days": d, "started": n}
            for m, s, d, n in rows
        ]
    )


FIGURES = area(
    (JAN, "CLA", 310, 1),
    (JAN, "CP", 0, 4),
    (FEB, "CLA", 280, 0),
    (FEB, "CP", 0, 2),
    (FEB, "PLO", 0, 1),
    (MAR, "CLA", 90, 0),  # the current month, to today
    (MAR, "CP", 0, 3),
    (MAR, "CIN", 40, 9),  # not a flow
)


def test_days_looked_after_compare_the_baseline_with_the_last_full_month() -> None:
    assert days_looked_after(FIGURES, JAN) == DaysLookedAfter(JAN, 310, FEB, 280)


def test_with_one_month_alone_it_is_its_own_last_full_month() -> None:
    assert days_looked_after(area((MAR, "CLA", 90, 0)), MAR) == DaysLookedAfter(MAR, 90, MAR, 90)


def test_plans_started_since_the_baseline_in_the_frameworks_order_with_zeros() -> None:
    assert plans_started_since(FIGURES, JAN) == {"CP": 5, "PLO": 1, "Proceedings": 0}
    assert list(plans_started_since(FIGURES, MAR)) == ["CP", "PLO", "Proceedings"]


def test_new_plans_are_the_flow_plans_only() -> None:
    assert set(new_plans(FIGURES)["status"]) == {"CP", "PLO"}
