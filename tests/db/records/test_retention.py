"""The retention rule: closed families past their period are anonymised in one transaction, the audit trail's
mentions of them pseudonymised the same way, and every team and service figure stays exactly as it was."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import JSON, Engine, String, Text, cast, func, select

from db.access import AccessDenied
from db.errors import InvalidInput
from db.models import (
    Action,
    AuditEvent,
    AuditPseudonymisation,
    Base,
    Child,
    Family,
    FamilyAnonymisation,
    FamilyRiskScore,
    LegalStatusPeriod,
    Rating,
)
from db.queries.service import legal_status_counts, office_month_scores, team_month_scores
from db.records.pseudonyms import REMOVED, rename_children
from db.records.retention import (
    anonymise_due_families,
    families_due,
    retention_policy,
    set_retention_policy,
)
from db.session import reading
from tests.db.factories import MEETING_DAY
from tests.db.records.conftest import CLOSED_ON, IDENTIFYING, Records

DUE_DAY = CLOSED_ON.replace(year=CLOSED_ON.year + 1)


def service_figures(engine: Engine, records: Records) -> list[pd.DataFrame]:
    """What the Service overview shows the head of service: team and office heatmaps and legal status counts."""
    teams = team_month_scores(engine, records.head_of_service, months=24)
    outcomes = legal_status_counts(engine, records.head_of_service, 24, MEETING_DAY)
    return [teams, office_month_scores(teams), outcomes]


def case_figures(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Everything the figures are made of: ratings' colours, stored bands and scores, legal status history."""
    with reading(engine) as s:
        return {
            "ratings": s.execute(select(Rating.id, Rating.rag, Rating.version).order_by(Rating.id)).all(),
            "scores": s.execute(
                select(FamilyRiskScore.id, FamilyRiskScore.band, FamilyRiskScore.score).order_by(FamilyRiskScore.id)
            ).all(),
            "legal_status": s.execute(
                select(
                    LegalStatusPeriod.id,
                    LegalStatusPeriod.child_id,
                    LegalStatusPeriod.status,
                    LegalStatusPeriod.started_on,
                    LegalStatusPeriod.ended_on,
                ).order_by(LegalStatusPeriod.id)
            ).all(),
            "families": s.execute(
                select(Family.id, Family.team_id, Family.opened_on, Family.closed_on).order_by(Family.id)
            ).all(),
        }


def text_containing(engine: Engine, needle: str) -> list[str]:
    """Every table.column (text and JSON columns of every table) holding `needle`, in any capitals."""
    found = []
    with reading(engine) as s:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, String | Text | JSON):
                    continue
                as_text = func.lower(cast(column, String)) if isinstance(column.type, JSON) else func.lower(column)
                hits = s.scalar(select(func.count()).select_from(table).where(as_text.like(f"%{needle.lower()}%")))
                if hits:
                    found.append(f"{table.name}.{column.name}")
    return found


def test_the_family_is_due_only_once_its_years_after_closure_have_passed(engine: Engine, records: Records) -> None:
    set_retention_policy(engine, records.admin, 1)
    _, due = families_due(engine, records.admin, today=DUE_DAY - dt.timedelta(days=1))
    assert due == []
    policy, due = families_due(engine, records.admin, today=DUE_DAY)
    assert policy.years_after_closure == 1 and policy.set_by == "Ada Admin"
    assert [(d.case_reference, d.closed_on, d.due_on, d.children) for d in due] == [("F-77", CLOSED_ON, DUE_DAY, 2)]


def test_anonymising_is_judged_as_of_today_or_earlier_only_a_dry_run_looks_ahead(
    engine: Engine, records: Records
) -> None:
    set_retention_policy(engine, records.admin, 90)
    later = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(InvalidInput, match="only be anonymised as of today"):
        anonymise_due_families(engine, records.admin, today=later)
    assert anonymise_due_families(engine, records.admin, dry_run=True, today=dt.date(2114, 7, 1)).families == 1
    assert anonymise_due_families(engine, records.admin).families == 0
    with reading(engine) as s:
        assert s.scalar(select(Family.case_reference).where(Family.id == records.subject.family.id)) == "F-77"


def test_nothing_is_anonymised_until_an_administrator_sets_the_councils_own_rule(
    engine: Engine, records: Records
) -> None:
    assert not retention_policy(engine, records.admin).is_set
    with pytest.raises(InvalidInput, match="No retention rule has been set"):
        anonymise_due_families(engine, records.admin)
    with reading(engine) as s:
        assert s.scalar(select(Family.case_reference).where(Family.id == records.subject.family.id)) == "F-77"


@pytest.mark.parametrize("years", [0, 101])
def test_a_rule_outside_1_to_100_years_is_refused(engine: Engine, records: Records, years: int) -> None:
    with pytest.raises(InvalidInput, match="between 1 and 100 years"):
        set_retention_policy(engine, records.admin, years)
    assert not retention_policy(engine, records.admin).is_set


def test_only_administrators_review_set_or_apply_the_rule(engine: Engine, records: Records) -> None:
    for person in (records.subject.manager, records.head_of_service, records.subject.social_worker):
        with pytest.raises(AccessDenied):
            set_retention_policy(engine, person, 1)
        with pytest.raises(AccessDenied):
            families_due(engine, person)
        with pytest.raises(AccessDenied):
            anonymise_due_families(engine, person, dry_run=True)


def test_a_dry_run_counts_exactly_what_applying_changes_and_changes_nothing(engine: Engine, records: Records) -> None:
    set_retention_policy(engine, records.admin, 1)
    before = case_figures(engine)
    with reading(engine) as s:
        events = s.scalar(select(func.count(AuditEvent.id)))

    dry = anonymise_due_families(engine, records.admin, dry_run=True, today=DUE_DAY)

    assert text_containing(engine, "Zebedee") != []
    with reading(engine) as s:
        assert s.scalar(select(func.count(AuditEvent.id))) == events
        assert s.scalar(select(func.count()).select_from(FamilyAnonymisation)) == 0
    applied = anonymise_due_families(engine, records.admin, today=DUE_DAY)
    assert dry.counts() == applied.counts()
    assert applied.counts() == {
        "families": 1,
        "children": 2,
        "rationales_removed": 2,  # Zebedee's (saved twice: one rating) and Ottoline's mental health rating
        "actions_removed": 1,
        "updates_removed": 1,
        "decisions_removed": 1,
        "explanations_rewritten": 1,
        "audit_events_pseudonymised": applied.audit_events_pseudonymised,
    }
    assert applied.audit_events_pseudonymised >= 7
    assert case_figures(engine) == before


def test_service_overview_figures_are_identical_before_and_after_anonymising(engine: Engine, records: Records) -> None:
    set_retention_policy(engine, records.admin, 1)
    before = service_figures(engine, records)
    assert not before[0].empty and not before[2].empty

    anonymise_due_families(engine, records.admin, today=DUE_DAY)

    for was, now in zip(before, service_figures(engine, records), strict=True):
        pd.testing.assert_frame_equal(was, now)


def test_nothing_identifying_is_left_in_any_text_column_and_the_audit_trail_is_kept(
    engine: Engine, records: Records
) -> None:
    set_retention_policy(engine, records.admin, 1)
    for needle in IDENTIFYING:
        assert text_containing(engine, needle), f"the test data should hold {needle!r} before anonymising"
    with reading(engine) as s:
        events_before = s.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()

    result = anonymise_due_families(engine, records.admin, today=DUE_DAY)

    left = {needle: text_containing(engine, needle) for needle in IDENTIFYING}
    assert left == {needle: [] for needle in IDENTIFYING}
    with reading(engine) as s:
        family = s.get_one(Family, records.subject.family.id)
        [pseudonym] = result.pseudonyms
        assert family.case_reference == pseudonym and pseudonym.startswith("ANON-")
        children = s.scalars(select(Child).where(Child.family_id == family.id).order_by(Child.id)).all()
        assert [(c.first_name, c.date_of_birth) for c in children] == [
            ("Child 2", dt.date(2018, 7, 1)),  # numbered by date of birth: Ottoline (2015) is Child 1
            ("Child 1", dt.date(2015, 7, 1)),
        ]
        assert all(c.case_reference.startswith("ANON-") for c in children)
        assert set(s.scalars(select(Rating.rationale).where(Rating.child_id.in_([c.id for c in children])))) == {
            REMOVED,
            None,
        }
        assert s.scalars(select(Action.text).where(Action.family_id == family.id)).all() == [REMOVED]
        explanation = s.scalars(select(FamilyRiskScore.components).where(FamilyRiskScore.family_id == family.id)).one()[
            "explanation"
        ]
        assert "Child 1" in explanation or "Child 2" in explanation
        # the audit trail keeps every event (none deleted) plus the opening of its door and the record of this run
        events_after = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [e.id for e in events_after[:-2]] == events_before
        opened, applied = events_after[-2:]
        assert (opened.verb, opened.actor_id, opened.after) == (
            "audit.pseudonymise",
            records.admin.id,
            {"purpose": "retention"},
        )
        assert applied.verb == "retention.apply"
        assert applied.after["pseudonyms"] == [pseudonym]
        imported = next(e for e in events_after if e.verb == "import")
        assert imported.after["families"] == {"updated": [pseudonym, "F-78"]}
        permit = s.scalars(select(AuditPseudonymisation)).one()  # kept, finished, naming its event
        assert permit.audit_event_id == opened.id and permit.finished_at is not None


def test_other_families_keep_every_detail(engine: Engine, records: Records) -> None:
    set_retention_policy(engine, records.admin, 1)
    anonymise_due_families(engine, records.admin, today=DUE_DAY)
    with reading(engine) as s:
        other = s.get_one(Family, records.other.family.id)
        assert other.case_reference == "F-78"
        assert s.get_one(Child, records.other.child.id).first_name == "Amy"
        assert s.scalars(select(Rating.rationale).where(Rating.child_id == records.other.child.id)).all() == [
            "Amy is fine"
        ]
    assert text_containing(engine, "Amy is fine") == [
        "audit_event.after",
        "rating.rationale",
        "supervision_update.text",
    ]


def test_an_anonymised_family_is_not_due_again(engine: Engine, records: Records) -> None:
    set_retention_policy(engine, records.admin, 1)
    anonymise_due_families(engine, records.admin, today=DUE_DAY)
    assert families_due(engine, records.admin, today=DUE_DAY)[1] == []
    assert anonymise_due_families(engine, records.admin, today=DUE_DAY).families == 0


def test_names_in_stored_explanations_are_replaced_without_touching_the_band_words() -> None:
    named = "Red: 1 of 2 professionals rated Amber red (social worker). Improved from red last month."
    assert rename_children(named, {"Amber": "Child 1"}) == named.replace("rated Amber", "rated Child 1")
    # A child called Amber in an amber family: the band word stays, so the name cannot be told apart and the
    # explanation is removed whole rather than left naming her.
    band_word = "Amber: 1 of 2 professionals rated Amber amber (social worker). New this month."
    assert rename_children(band_word, {"Amber": "Child 1"}) is None
    both = "Social worker has not rated Ben or Bena yet."
    assert rename_children(both, {"Ben": "Child 1", "Bena": "Child 2"}) == (
        "Social worker has not rated Child 1 or Child 2 yet."
    )
