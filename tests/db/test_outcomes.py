"""The outcomes framework: children on each plan at month ends, child-days looked after and new plans, per team,
office and service, against a baseline. Every figure is checked against a count made here, day by day, from the
legal status history as stored (not the same query twice)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db.models import Child, Family, LegalStatusPeriod, Office, Team, User
from db.queries.outcomes import LEVELS, changes_since, outcome_counts, outcome_totals, outcomes_report
from db.queries.service import legal_status_counts
from db.session import reading, transaction
from risk.vocabulary import LegalStatus, Role
from tests.db.factories import make_team

TODAY = dt.date(2026, 10, 20)
MONTHS = [dt.date(2026, 7, 1), dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1)]
CIN, CP, PLO, PROC, CLA, CLOSED = (
    LegalStatus.CIN,
    LegalStatus.CP,
    LegalStatus.PLO,
    LegalStatus.CARE_PROCEEDINGS,
    LegalStatus.CLA,
    LegalStatus.CLOSED,
)


def _family(
    s: Session, team: Team, ref: str, opened: dt.date, closed: dt.date | None, children: dict[str, list]
) -> None:
    """`children`: first name -> [(status, started, ended or None)]."""
    family = Family(team=team, case_reference=ref, opened_on=opened, closed_on=closed)
    s.add(family)
    for n, (name, periods) in enumerate(children.items()):
        child = Child(family=family, case_reference=f"{ref}-{n}", first_name=name, date_of_birth=dt.date(2015, 1, 1))
        s.add(child)
        for status, started, ended in periods:
            s.add(LegalStatusPeriod(child=child, status=status, started_on=started, ended_on=ended))


@pytest.fixture
def history(engine: Engine) -> dict[str, User]:
    """North: A team. Amy (F-1) on a CP plan all year. Ben escalates CIN → CP → PLO (31 Aug) → proceedings →
    looked after (5 Oct). F-A3 closes on 31 August: Cal's plan was ended that day, Dee's was left open (as
    imports did before issue 11), and neither counts from the 31st. Eve is looked after 20 July to 14 September,
    then a child in need. South: B team. Amy's namesake (F-2) on CP; Fay (F-B2) in pre-proceedings until her
    family closes on 10 September with the plan left open."""
    with transaction(engine) as s:
        a = make_team(s, name="A team", ref="F-1")
        b = make_team(s, name="B team", ref="F-2")
        b.team.office = Office(name="South")
        d = dt.date
        _family(
            s,
            a.team,
            "F-A2",
            d(2026, 3, 1),
            None,
            {
                "Ben": [
                    (CIN, d(2026, 3, 1), d(2026, 7, 15)),
                    (CP, d(2026, 7, 15), d(2026, 8, 31)),
                    (PLO, d(2026, 8, 31), d(2026, 9, 10)),
                    (PROC, d(2026, 9, 10), d(2026, 10, 5)),
                    (CLA, d(2026, 10, 5), None),
                ]
            },
        )
        _family(
            s,
            a.team,
            "F-A3",
            d(2026, 2, 1),
            d(2026, 8, 31),
            {
                "Cal": [(CP, d(2026, 2, 1), d(2026, 8, 31)), (CLOSED, d(2026, 8, 31), None)],
                "Dee": [(CIN, d(2026, 2, 1), None)],
            },
        )
        _family(
            s,
            a.team,
            "F-A4",
            d(2026, 7, 20),
            None,
            {"Eve": [(CLA, d(2026, 7, 20), d(2026, 9, 15)), (CIN, d(2026, 9, 15), None)]},
        )
        _family(s, b.team, "F-B2", d(2026, 6, 1), d(2026, 9, 10), {"Fay": [(PLO, d(2026, 6, 1), None)]})
        people = {
            "head": User(display_name="Head", email="head@example.org", role=Role.SERVICE_LEAD),
            "north": User(
                display_name="North lead", email="north@example.org", role=Role.SERVICE_LEAD, office=a.team.office
            ),
            "admin": User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR),
            "a_worker": a.social_worker,
        }
        s.add_all(people.values())
    return people


def _month_end(first: dt.date) -> dt.date:
    return min((first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1), TODAY)


def independent_counts(engine: Engine) -> dict[tuple[str, dt.date, str], tuple[int, int, int]]:
    """(team, month, plan) -> (children at the month end, child-days in the month, plans started in the month),
    counted day by day from every stored period: a child is on a plan on a day when a period of it covers the
    day and the family has not closed by then."""
    with reading(engine) as s:
        periods = s.execute(
            select(
                Team.name,
                Family.closed_on,
                LegalStatusPeriod.status,
                LegalStatusPeriod.started_on,
                LegalStatusPeriod.ended_on,
            )
            .join(Child, Child.id == LegalStatusPeriod.child_id)
            .join(Family, Family.id == Child.family_id)
            .join(Team, Team.id == Family.team_id)
        ).all()

    def on(day: dt.date) -> Counter:
        return Counter(
            (team, status.short)
            for team, closed, status, started, ended in periods
            if status is not CLOSED
            and started <= day
            and (ended is None or day < ended)
            and (closed is None or day < closed)
        )

    expected = {}
    for first in MONTHS:
        last = _month_end(first)
        days = Counter()
        for n in range((last - first).days + 1):
            days.update(on(first + dt.timedelta(days=n)))
        at_end = on(last)
        started = Counter(
            (team, status.short)
            for team, closed, status, begun, _ in periods
            if status is not CLOSED and first <= begun <= last and (closed is None or begun < closed)
        )
        for team in ("A team", "B team"):
            for status in ("CIN", "CP", "PLO", "Proceedings", "CLA"):
                key = (team, status)
                expected[(team, first, status)] = (at_end[key], days[key], started[key])
    return expected


def _as_dict(frame: pd.DataFrame) -> dict[tuple[str, dt.date, str], tuple[int, int, int]]:
    return {(r.team, r.month, r.status): (int(r.children), int(r.days), int(r.started)) for r in frame.itertuples()}


def test_every_figure_matches_a_day_by_day_count_of_the_history(engine: Engine, history: dict) -> None:
    frame = outcome_counts(engine, history["head"], 4, TODAY)
    assert _as_dict(frame) == independent_counts(engine)
    assert len(frame) == 2 * 4 * 5  # every team, month and plan, zeros included


def test_the_figures_a_lead_would_check_by_hand(engine: Engine, history: dict) -> None:
    figures = _as_dict(outcome_counts(engine, history["head"], 4, TODAY))
    aug, sep, oct_ = MONTHS[1], MONTHS[2], MONTHS[3]
    # 31 August: F-A3 closed that day, so neither Cal nor Dee counts; Ben moved to PLO that day and does
    assert figures[("A team", aug, "CP")][0] == 1  # Amy only
    assert figures[("A team", aug, "CIN")][0] == 0  # not Dee, whose plan was left open
    assert figures[("A team", aug, "PLO")] == (1, 1, 1)  # Ben, one day, started that month
    # Eve looked after 1–14 September, Ben from 5 October; October is counted to today (the 20th)
    assert figures[("A team", sep, "CLA")][1] == 14
    assert figures[("A team", oct_, "CLA")] == (1, 16, 1)
    # Fay's family closed on 10 September: nine days of pre-proceedings, none at the month end
    assert figures[("B team", sep, "PLO")] == (0, 9, 0)


def test_service_office_and_team_totals_and_the_change_in_words(engine: Engine, history: dict) -> None:
    counts = outcome_counts(engine, history["head"], 4, TODAY)
    service = outcome_totals(counts, "service")
    july, october = MONTHS[0], MONTHS[3]
    words = [c.words for c in changes_since(service, "Whole service", july, october)]
    # 31 July: Amy, Amy (B), Cal on CP; Ben on CP; Dee CIN; Eve CLA; Fay PLO. 20 October: Amy ×2 CP, Dee gone,
    # Eve CIN, Ben CLA, Fay gone.
    assert words == [
        "Children in need: 1 → 1, no change",
        "CP plans: 4 → 2, down 50%",
        "Pre-proceedings (PLO): 1 → 0, down 100%",
        "Care proceedings: 0 → 0, no change",
        "Looked after: 1 → 1, no change",
    ]
    offices = outcome_totals(counts, "office")
    assert sorted(offices["area"].unique()) == ["North", "South"]
    south = [c.words for c in changes_since(offices, "South", july, october)]
    assert south[1] == "CP plans: 1 → 1, no change" and south[2] == "Pre-proceedings (PLO): 1 → 0, down 100%"
    every_level = pd.concat([outcome_totals(counts, level) for level in LEVELS])
    report = outcomes_report(every_level, july, october)
    assert set(report["level"]) == {"service", "office", "team"}
    cp = report[(report["area"] == "Whole service") & (report["plan"] == "CP plans")].iloc[0]
    assert (cp["children_at_baseline"], cp["children_now"], cp["change"], cp["change_percent"]) == (4, 2, -2, -50)
    looked_after = report[(report["area"] == "A team") & (report["plan"] == "Looked after")].iloc[0]
    assert looked_after["child_days_in_latest_month"] == 16
    assert pd.isna(looked_after["started_in_latest_month"])  # flows are CP, PLO and proceedings only


def test_scope_office_lead_team_staff_office_filter_and_administrators(engine: Engine, history: dict) -> None:
    assert set(outcome_counts(engine, history["north"], 4, TODAY)["team"]) == {"A team"}
    assert set(outcome_counts(engine, history["a_worker"], 4, TODAY)["team"]) == {"A team"}
    assert outcome_counts(engine, history["admin"], 4, TODAY).empty
    with reading(engine) as s:
        south = s.scalar(select(Office.id).where(Office.name == "South"))
    assert set(outcome_counts(engine, history["head"], 4, TODAY, office_id=south)["team"]) == {"B team"}
    assert outcome_counts(engine, history["north"], 4, TODAY, office_id=south).empty  # never widens


def test_legal_status_counts_are_the_same_month_end_figures(engine: Engine, history: dict) -> None:
    counts = legal_status_counts(engine, history["head"], 4, today=TODAY)
    expected = independent_counts(engine)
    assert {(r.team, r.month, r.status): r.children for r in counts.itertuples()} == {
        key: value[0] for key, value in expected.items() if value[0] > 0
    }
