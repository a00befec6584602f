"""The outcomes a lead sends to the performance team: every area's change against the baseline as CSV and .xlsx,
the same figures as the page, and no cell a spreadsheet would run as a formula (team names are typed by people)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from db.exports.outcome_files import outcomes_csv, outcomes_xlsx
from db.models import User
from db.queries.outcomes import LEVELS, outcome_counts, outcome_totals, outcomes_report
from db.session import transaction
from risk.vocabulary import Role
from tests.db.factories import make_team

HOSTILE_TEAM = '=HYPERLINK("http://example.org")'
TODAY = dt.date(2026, 10, 20)


@pytest.fixture
def figures(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One team with a hostile name, its one child on a CP plan since 5 January 2026; baseline December 2025."""
    with transaction(engine) as s:
        make_team(s, name=HOSTILE_TEAM)
        head = User(display_name="Head", email="head@example.org", role=Role.SERVICE_LEAD)
        s.add(head)
    counts = outcome_counts(engine, head, 12, TODAY)
    totals = pd.concat([outcome_totals(counts, level) for level in LEVELS])
    return outcomes_report(totals, dt.date(2025, 12, 1), dt.date(2026, 10, 1)), totals


def test_csv_holds_every_area_and_plan_with_formulas_neutralised(figures: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    report, _ = figures
    rows = list(csv.reader(io.StringIO(outcomes_csv(report).decode("utf-8-sig"))))
    assert rows[0][:4] == ["Level", "Area", "Plan", "Baseline month"]
    cp = [r for r in rows[1:] if r[2] == "CP plans"]
    assert [(r[0], r[1], r[3], r[4], r[5], r[6], r[7]) for r in cp] == [
        ("service", "Whole service", "12/2025", "10/2026", "0", "1", "1"),
        ("office", "North", "12/2025", "10/2026", "0", "1", "1"),
        ("team", "'" + HOSTILE_TEAM, "12/2025", "10/2026", "0", "1", "1"),
    ]
    assert all(r[8] == "" for r in cp)  # no percentage from nothing
    assert cp[0][9] == "CP plans: 0 → 1 (none at the baseline)"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_workbook_has_the_baseline_and_the_month_by_month_sheets(figures: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    report, totals = figures
    book = load_workbook(io.BytesIO(outcomes_xlsx(report, totals)))
    assert book.sheetnames == ["Against baseline", "By month"]
    baseline, monthly = book["Against baseline"], book["By month"]
    assert baseline.freeze_panes == "A2" and baseline["A1"].font.bold
    assert baseline.max_row == 1 + 3 * 5  # service, office, team × five plans
    names = {c.value for c in baseline["B"]} | {c.value for c in monthly["B"]}
    assert "'" + HOSTILE_TEAM in names and HOSTILE_TEAM not in names
    header = [c.value for c in monthly[1]]
    assert header == [
        "Level",
        "Area",
        "Month",
        "Counted at",
        "Plan",
        "Children at the month end",
        "Child-days in the month",
        "Started in the month",
    ]
    october_cp = [
        [c.value for c in row]
        for row in monthly.iter_rows(min_row=2)
        if row[0].value == "team" and row[2].value == "10/2026" and row[4].value == "CP"
    ]
    assert october_cp == [["team", "'" + HOSTILE_TEAM, "10/2026", "20/10/2026", "CP", 1, 20, 0]]
