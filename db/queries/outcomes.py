"""The outcomes framework for service leads: children by plan at each month end, child-days looked after and new
plans started, per team, office and the whole service, and the change against a baseline month.

Family Safeguarding is judged on these figures (Hertfordshire: CP plans down 47%, pre-proceedings down 67% over
two years), so a lead must be able to show them for their own teams from the legal status history.

How it is counted, in one scan of the history: every plan period is two events, +1 on the day it starts and -1
on the day it ends (the end is exclusive, and a family's closing ends its children's plans that day, whether or
not the period was ended). The database groups the events by team, plan and month, with the sum of their days
of the month; from those a running total gives the children on each plan at each month end, and the days of the
month after each event give the child-days. The cost grows with the teams and months shown, not with the
children. Aggregates only, never a name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, Integer, SQLColumnExpression, case, cast, extract, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from db.access import scoped_team_ids
from db.models import Child, Family, LegalStatusPeriod, Office, Team, User
from db.session import reading
from risk.months import month_end, months_back
from risk.outcomes import FLOW_STATUSES, OUTCOME_NAMES, OUTCOME_STATUSES, change_in_words, change_percent
from risk.vocabulary import LegalStatus

OUTCOME_COLUMNS = ["office", "team", "month", "as_of", "status", "children", "days", "started"]
"""children: on the plan at the month end (`as_of`, today for the current month); days: child-days on the plan in
the month up to `as_of`; started: plans of that kind that began in the month."""

BEFORE = "0000-00"  # the bucket for every event before the first month shown


def _month_key(session: Session, day: SQLColumnExpression[dt.date]) -> tuple[ColumnElement[str], ColumnElement[int]]:
    """'YYYY-MM' and the day of the month of a date column, in the database's own dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(day, "YYYY-MM"), cast(extract("day", day), Integer)
    return func.strftime("%Y-%m", day), cast(func.strftime("%d", day), Integer)


def _events_by_month(
    session: Session, team_ids: set[int], first: dt.date, today: dt.date
) -> list[tuple[int, LegalStatus, str, int, int, int]]:
    """(team id, plan, month key, net events, starts, sum of sign × day of month) per team, plan and month.

    A plan counts from the day it starts up to the day before it ends or the family closes, whichever is first,
    so a child of a family closed on a month's last day is not on that month's count. Events after today are
    left out (the current month is counted as of today), and so are plans over before `first`, which add
    nothing to any month shown. Two grouped scans (starts, then ends) rather than one UNION: each reads the
    history once and groups as it goes.
    """
    closed = Family.closed_on
    ended = LegalStatusPeriod.ended_on
    stops = case(
        (closed.is_(None), ended),
        (ended.is_(None), closed),
        (ended < closed, ended),
        else_=closed,
    )
    counted = (
        Family.team_id.in_(team_ids),
        LegalStatusPeriod.status != LegalStatus.CLOSED,
        LegalStatusPeriod.started_on <= today,
        or_(closed.is_(None), LegalStatusPeriod.started_on < closed),
        or_(stops.is_(None), stops >= first),
    )
    out: list[tuple[int, LegalStatus, str, int, int, int]] = []
    for day, sign, where in (
        (LegalStatusPeriod.started_on, 1, ()),
        (stops, -1, (stops.is_not(None), stops <= today)),
    ):
        key, day_of_month = _month_key(session, day)
        bucket = case((day < first, literal(BEFORE)), else_=key).label("bucket")
        day_term = case((day < first, 0), else_=day_of_month)
        periods = (
            select(Family.team_id, LegalStatusPeriod.status, bucket, day_term.label("day_term"))
            .join(Child, Child.id == LegalStatusPeriod.child_id)
            .join(Family, Family.id == Child.family_id)
            .where(*counted, *where)
            .subquery("periods")
        )
        rows = session.execute(
            select(
                periods.c.team_id, periods.c.status, periods.c.bucket, func.count(), func.sum(periods.c.day_term)
            ).group_by(periods.c.team_id, periods.c.status, periods.c.bucket)
        )
        for team_id, status, month, n, day_sum in rows:
            out.append((team_id, LegalStatus(status), month, sign * n, n if sign > 0 else 0, sign * int(day_sum)))
    return out


def outcome_counts(
    engine: Engine, actor: User | None, months: int = 24, today: dt.date | None = None, *, office_id: int | None = None
) -> pd.DataFrame:
    """Per team and month (the `months` ending with today's): children on each plan at the month end, child-days
    on it in the month and plans of that kind started in the month. Every team in scope has a row for every month
    and plan, zeros included, so a baseline can be compared with any month.

    Columns: OUTCOME_COLUMNS, status as the short name (CIN, CP, PLO, Proceedings, CLA).
    """
    today = today or dt.date.today()
    firsts = months_back(today, months)
    with reading(engine) as session:
        team_ids = scoped_team_ids(session, actor, office_id)
        if not team_ids:
            return pd.DataFrame(columns=OUTCOME_COLUMNS)
        teams = session.execute(select(Team.id, Team.name, Office.name).join(Office).where(Team.id.in_(team_ids))).all()
        events = _events_by_month(session, team_ids, firsts[0], today)
    by_key: dict[tuple[int, LegalStatus, str], tuple[int, int, int]] = {}
    for team_id, status, month, net, started, day_sum in events:  # a month's starts and ends add up
        n0, s0, d0 = by_key.get((team_id, status, month), (0, 0, 0))
        by_key[(team_id, status, month)] = (n0 + net, s0 + started, d0 + day_sum)
    rows = []
    for team_id, team, office in teams:
        for status in OUTCOME_STATUSES:
            on_plan = by_key.get((team_id, status, BEFORE), (0, 0, 0))[0]  # at the start of the first month
            for first in firsts:
                as_of = min(month_end(first), today)
                net, started, day_sum = by_key.get((team_id, status, first.strftime("%Y-%m")), (0, 0, 0))
                # each child on the plan at the month's start is on it every day to as_of; each event adds (or
                # takes away) the days from its own day to as_of
                days = on_plan * as_of.day + net * (as_of.day + 1) - day_sum
                on_plan += net
                rows.append((office, team, first, as_of, status.short, on_plan, days, started))
    frame = pd.DataFrame(rows, columns=OUTCOME_COLUMNS)
    return frame.sort_values(["office", "team", "month", "status"], key=_status_order).reset_index(drop=True)


def _status_order(column: pd.Series) -> pd.Series:
    """Sort plans in the framework's order (CIN first), everything else as it is."""
    if column.name != "status":
        return column
    order = {s.short: i for i, s in enumerate(OUTCOME_STATUSES)}
    return column.map(order)


LEVELS = ("service", "office", "team")


def outcome_totals(counts: pd.DataFrame, level: str) -> pd.DataFrame:
    """The team figures added up for the whole service ('service'), per office ('office') or left per team.

    Columns: level, area, month, as_of, status, children, days, started (area: 'Whole service', the office or
    the team).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    keys = ["month", "as_of", "status"]
    if level == "service":
        grouped = counts.groupby(keys, as_index=False, sort=False)[["children", "days", "started"]].sum()
        grouped.insert(0, "area", "Whole service")
    else:
        area = "office" if level == "office" else "team"
        grouped = counts.groupby([area, *keys], as_index=False, sort=False)[["children", "days", "started"]].sum()
        grouped = grouped.rename(columns={area: "area"})
    grouped.insert(0, "level", level)
    return grouped.sort_values(["area", "month", "status"], key=_status_order).reset_index(drop=True)


@dataclass(frozen=True)
class OutcomeChange:
    """One plan's count at the baseline month end and now, and the change in words."""

    status: str
    name: str
    then: int
    now: int
    percent: int | None
    words: str


def changes_since(totals: pd.DataFrame, area: str, baseline: dt.date, latest: dt.date) -> list[OutcomeChange]:
    """For one area of `outcome_totals` (of one level): each plan's children at the end of the `baseline` month
    against the `latest` month, in the framework's order, with the sentence a lead would write."""
    rows = totals[totals["area"] == area]
    then = rows[rows["month"] == baseline].set_index("status")["children"]
    now = rows[rows["month"] == latest].set_index("status")["children"]
    out = []
    for status in OUTCOME_STATUSES:
        a, b = int(then.get(status.short, 0)), int(now.get(status.short, 0))
        name = OUTCOME_NAMES[status]
        out.append(OutcomeChange(status.short, name, a, b, change_percent(a, b), change_in_words(name, a, b)))
    return out


def outcomes_report(totals: pd.DataFrame, baseline: dt.date, latest: dt.date) -> pd.DataFrame:
    """One row per area and plan: the baseline and latest month ends, children then and now, the change (number and
    percentage) and the sentence, then child-days looked after and new plans started in the latest month. What a
    lead sends to the performance team: every figure shown on the page for every area in scope."""
    records = []
    for level, area in totals[["level", "area"]].drop_duplicates().itertuples(index=False):
        of_level = totals[totals["level"] == level]
        rows = of_level[of_level["area"] == area]
        latest_rows = rows[rows["month"] == latest].set_index("status")
        for change in changes_since(of_level, area, baseline, latest):
            records.append(
                {
                    "level": level,
                    "area": area,
                    "plan": change.name,
                    "baseline_month": baseline.strftime("%m/%Y"),
                    "latest_month": latest.strftime("%m/%Y"),
                    "children_at_baseline": change.then,
                    "children_now": change.now,
                    "change": change.now - change.then,
                    "change_percent": change.percent,
                    "in_words": change.words,
                    "child_days_in_latest_month": int(latest_rows["days"].get(change.status, 0)),
                    "started_in_latest_month": (
                        int(latest_rows["started"].get(change.status, 0))
                        if change.status in {s.short for s in FLOW_STATUSES}
                        else None
                    ),
                }
            )
    return pd.DataFrame(records)
