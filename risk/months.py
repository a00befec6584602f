"""Calendar months, the unit every service figure is grouped by (heatmaps, agreement, outcomes) and every baseline
is chosen in. Plain dates in, plain dates out: the queries, the pages and the seed all count months the same way."""

from __future__ import annotations

import datetime as dt


def month_start(day: dt.date) -> dt.date:
    """The first day of `day`'s month (the key every figure on the service page is grouped by)."""
    return day.replace(day=1)


def month_end(first: dt.date) -> dt.date:
    """The last day of the month starting `first`."""
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return following - dt.timedelta(days=1)


def months_back(last: dt.date, count: int) -> list[dt.date]:
    """The first days of the `count` months ending with `last`'s month, oldest first."""
    year, month = last.year, last.month
    out = []
    for _ in range(count):
        out.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]
