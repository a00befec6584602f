"""Which baseline month the Service page offers first, and where its charts start: dates in, dates out."""

from __future__ import annotations

import datetime as dt

import pytest

from risk.outcomes import baseline_choice


def months(first: str, count: int) -> list[dt.date]:
    """`count` first-of-month dates from `first` ('2021-01'), oldest first."""
    year, month = map(int, first.split("-"))
    out = []
    for _ in range(count):
        out.append(dt.date(year, month, 1))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return out


M = dt.date  # a month's first day


@pytest.mark.parametrize(
    ("shown", "first_meeting", "default", "begins"),
    [
        (months("2021-12", 60), None, M(2024, 11, 1), M(2021, 12, 1)),  # two years before the latest (11/2026)
        (months("2021-12", 60), dt.date(2023, 3, 14), M(2024, 11, 1), M(2023, 3, 1)),  # records began earlier
        (months("2021-12", 60), dt.date(2025, 6, 9), M(2025, 6, 1), M(2025, 6, 1)),  # never before the records
        (months("2021-12", 60), dt.date(2026, 11, 2), M(2026, 10, 1), M(2026, 11, 1)),  # began this month: last choice
        (months("2026-01", 6), None, M(2026, 1, 1), M(2026, 1, 1)),  # fewer months than two years: the first
        (months("2026-06", 1), None, M(2026, 6, 1), M(2026, 6, 1)),  # one month alone is its own baseline
    ],
    ids=["two-years", "records-earlier", "records-later", "records-this-month", "short", "one-month"],
)
def test_the_baseline_offered_first(
    shown: list[dt.date], first_meeting: dt.date | None, default: dt.date, begins: dt.date
) -> None:
    offered = baseline_choice(shown, first_meeting)
    assert (offered.default, offered.records_begin) == (default, begins)
    assert offered.default in offered.choices
    assert offered.choices == tuple(shown[:-1] or shown)


@pytest.mark.parametrize(
    ("baseline", "too_early"), [(M(2023, 2, 1), True), (M(2023, 3, 1), False), (M(2024, 1, 1), False)]
)
def test_a_baseline_before_the_first_meeting_is_too_early(baseline: dt.date, too_early: bool) -> None:
    assert baseline_choice(months("2021-12", 60), dt.date(2023, 3, 14)).too_early(baseline) is too_early


@pytest.mark.parametrize(
    ("baseline", "start"),
    [(M(2024, 11, 1), M(2024, 5, 1)), (M(2022, 3, 1), M(2021, 12, 1)), (M(2021, 12, 1), M(2021, 12, 1))],
    ids=["six-months-before", "clipped-to-the-first-month", "the-first-month"],
)
def test_the_charts_start_six_months_before_the_baseline(baseline: dt.date, start: dt.date) -> None:
    assert baseline_choice(months("2021-12", 60), None).context_start(baseline) == start
