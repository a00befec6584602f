"""Months as the service figures count them: a month is keyed by its first day, and a run of months back from a
day crosses year ends and February without skipping or repeating one."""

from __future__ import annotations

import datetime as dt

from risk.months import month_end, month_start, months_back


def test_a_day_belongs_to_the_month_of_its_first_day() -> None:
    assert month_start(dt.date(2026, 3, 31)) == dt.date(2026, 3, 1)


def test_the_month_ends_on_its_last_day_february_included() -> None:
    assert month_end(dt.date(2024, 2, 1)) == dt.date(2024, 2, 29)
    assert month_end(dt.date(2025, 2, 1)) == dt.date(2025, 2, 28)
    assert month_end(dt.date(2025, 12, 1)) == dt.date(2025, 12, 31)


def test_months_back_run_oldest_first_across_the_year_end() -> None:
    assert months_back(dt.date(2026, 2, 14), 4) == [
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]
    assert months_back(dt.date(2026, 2, 14), 0) == []
