"""Rater calibration: agreement between the professionals rating the same child (Krippendorff's alpha, ordinal)
per team and month, and how each role rates beside its colleagues. The expected figures are worked out by hand
in the docstrings, from the ratings the fixture writes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import Engine, select

from db.models import Child, Meeting, Office, Rating, User
from db.queries.calibration import alpha_from_counts, rater_agreement, role_severity
from db.services.meeting_summaries import store_meeting_summaries
from db.session import reading, transaction
from risk.vocabulary import RAG, MeetingStatus, Role
from tests.db.factories import make_team

G, A, R = RAG.GREEN, RAG.AMBER, RAG.RED
SEPT, OCT = dt.date(2026, 9, 1), dt.date(2026, 10, 1)
CLOSED_AT = dt.datetime(2026, 10, 15, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def ratings(engine: Engine) -> dict[str, User]:
    """A team (North), closed meetings in September and October, an open one in November:

    September: Amy G/G, Ben A/A, Cal R/R, Dee G/A (social worker / mental health), Eve rated by the social worker
    alone (no one to agree with). October: Amy G by the social worker, R by mental health and R by the domestic
    abuse practitioner. November (open, not counted): Amy R/G.
    B team (South): a closed September meeting where one professional rated its child.
    """
    with transaction(engine) as s:
        a = make_team(s, name="A team", ref="F-1")
        b = make_team(s, name="B team", ref="F-2")
        b.team.office = Office(name="South")
        da = User(display_name="DA A", email="da.a@example.org", role=Role.DOMESTIC_ABUSE_PRACTITIONER, team=a.team)
        s.add(da)
        kids = {"Amy": a.child}
        for name in ("Ben", "Cal", "Dee", "Eve"):
            kids[name] = Child(
                family=a.family, case_reference=f"F-1-{name}", first_name=name, date_of_birth=dt.date(2017, 5, 1)
            )
        s.add_all(kids.values())
        sept = Meeting(team=a.team, held_on=dt.date(2026, 9, 16), status=MeetingStatus.CLOSED, closed_at=CLOSED_AT)
        october = a.meeting
        october.status, october.closed_at = MeetingStatus.CLOSED, CLOSED_AT
        november = Meeting(team=a.team, held_on=dt.date(2026, 11, 11), status=MeetingStatus.OPEN)
        b_sept = b.meeting
        b_sept.held_on, b_sept.status, b_sept.closed_at = dt.date(2026, 9, 20), MeetingStatus.CLOSED, CLOSED_AT
        s.add_all([sept, november])
        sw, mh = a.social_worker, a.mental_health
        for meeting, child, person, rag in [
            (sept, "Amy", sw, G),
            (sept, "Amy", mh, G),
            (sept, "Ben", sw, A),
            (sept, "Ben", mh, A),
            (sept, "Cal", sw, R),
            (sept, "Cal", mh, R),
            (sept, "Dee", sw, G),
            (sept, "Dee", mh, A),
            (sept, "Eve", sw, R),
            (october, "Amy", sw, G),
            (october, "Amy", mh, R),
            (october, "Amy", da, R),
            (november, "Amy", sw, R),
            (november, "Amy", mh, G),
        ]:
            s.add(Rating(meeting=meeting, child=kids[child], practitioner=person, rag=rag))
        s.add(Rating(meeting=b_sept, child=b.child, practitioner=b.social_worker, rag=G))
        people = {
            "head": User(display_name="Head", email="head@example.org", role=Role.SERVICE_LEAD),
            "north": User(
                display_name="North lead", email="north@example.org", role=Role.SERVICE_LEAD, office=a.team.office
            ),
            "admin": User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR),
        }
        s.add_all(people.values())
        s.flush()
        store_meeting_summaries(s, [sept.id, october.id, b_sept.id])  # as their closing would
    return people


def test_agreement_per_team_and_month_worked_by_hand(engine: Engine, ratings: dict) -> None:
    """September, A team: units (G,G) (A,A) (R,R) (G,A); values G 3, A 3, R 2 (n = 8). Observed: the one mixed
    pair, o(G,A) = o(A,G) = 1, ordinal distance (3 + 3 − 3)² = 9, so Σoδ = 18. Expected: Σ n_c n_k δ =
    2 × (3·3·9 + 3·2·30.25 + 3·2·6.25) = 600. Alpha = 1 − (n − 1) · 18 / 600 = 0.79.
    October: one child rated G, R, R: observed o(G,R) = o(R,G) = 1 (δ = 2.25), Σoδ = 4.5; expected
    2 · 1 · 2 · 2.25 = 9; alpha = 1 − 2 · 4.5 / 9 = 0: no better than chance."""
    frame = rater_agreement(engine, ratings["head"], 12)
    rows = frame[["team", "month", "alpha", "children", "ratings"]].astype(object)
    rows = rows.where(rows.notna(), None).values.tolist()
    assert rows == [
        ["A team", SEPT, 0.79, 4, 8],  # Eve, rated once, is not a unit; November is still open
        ["A team", OCT, 0.0, 1, 3],
        ["B team", SEPT, None, 0, 0],  # met, but nobody rated a child alongside anyone: '–', not a gap
    ]
    words = dict(zip(frame["month"].astype(str) + frame["team"], frame["in_words"], strict=True))
    assert words["2026-09-01A team"] == "professionals mostly rate alike; look at the children where they differ"
    assert words["2026-10-01A team"].startswith("professionals often see the same child differently")


def test_the_package_agrees_from_ratings_laid_out_by_rater() -> None:
    """The same September figure from the raters × children layout the package documents, not from counts."""
    by_rater = np.array([[1, 2, 3, 1, 3], [1, 2, 3, 2, np.nan]])  # social worker, mental health; Eve rated once
    import krippendorff

    assert round(krippendorff.alpha(reliability_data=by_rater, level_of_measurement="ordinal"), 3) == 0.79
    counts = np.array([[2, 0, 0], [0, 2, 0], [0, 0, 2], [1, 1, 0]])
    assert alpha_from_counts(counts) == 0.79
    assert alpha_from_counts(np.array([[2, 0, 0], [3, 0, 0]])) is None  # everyone green: nothing to measure
    assert alpha_from_counts(np.zeros((0, 3))) is None


def test_each_role_beside_its_colleagues_worked_by_hand(engine: Engine, ratings: dict) -> None:
    """Social worker: September same ×3 and G beside A (less severe); October G beside R and R (less ×2):
    6 comparisons, 3 the same, 3 less severe. Mental health: same ×3, A beside G (more); October R beside G
    (more) and R (same): 6 comparisons, 4 the same, 2 more severe. Domestic abuse: R beside G (more) and R."""
    frame = role_severity(engine, ratings["head"], 12)
    assert frame.values.tolist() == [
        ["Social worker", 5, 6, 0.0, 0.5, 0.5],
        ["Mental health practitioner", 5, 6, 0.3333, 0.6667, 0.0],
        ["Domestic abuse practitioner (victims)", 1, 2, 0.5, 0.5, 0.0],
    ]
    with reading(engine) as s:
        names = set(s.scalars(select(User.display_name)))
    cells = {str(v) for v in frame.values.ravel()}
    assert set(frame["role"]) <= {role.label.capitalize() for role in Role} and not cells & names


def test_scope_and_office_filter(engine: Engine, ratings: dict) -> None:
    assert set(rater_agreement(engine, ratings["north"], 12)["team"]) == {"A team"}
    assert rater_agreement(engine, ratings["admin"], 12).empty
    assert role_severity(engine, ratings["admin"], 12).empty
    with reading(engine) as s:
        south = s.scalar(select(Office.id).where(Office.name == "South"))
    assert set(rater_agreement(engine, ratings["head"], 12, office_id=south)["team"]) == {"B team"}
    assert role_severity(engine, ratings["head"], 12, office_id=south).empty  # nobody rated beside anyone there
    assert rater_agreement(engine, ratings["north"], 12, office_id=south).empty  # narrowing never widens
    # one month back from the latest closed meeting (October) leaves September out
    assert rater_agreement(engine, ratings["head"], 1)["month"].tolist() == [OCT]
