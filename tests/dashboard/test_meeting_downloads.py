"""The Meeting page offers the meeting record (PDF) and the ranked caseload (CSV, .xlsx); each download is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from db.models import AuditEvent
from db.session import reading, transaction
from tests.dashboard.conftest import PageRunner
from tests.db.factories import Team1, make_team


@pytest.fixture
def team(app_engine: Engine) -> Team1:
    with transaction(app_engine) as s:
        return make_team(s)


def test_the_meeting_offers_the_record_and_the_caseload_files(run_page: PageRunner, team: Team1) -> None:
    at = run_page("meeting.py", team.social_worker)
    assert [b.label for b in at.get("download_button")] == [
        "Meeting record (PDF)",
        "Ranked caseload (CSV)",
        "Ranked caseload (.xlsx)",
    ]


@pytest.mark.parametrize(
    ("key", "what"),
    [("download-record", "meeting_record_pdf"), ("download-csv", "caseload_csv"), ("download-xlsx", "caseload_xlsx")],
)
def test_each_download_is_in_the_audit_trail(
    run_page: PageRunner, app_engine: Engine, team: Team1, key: str, what: str
) -> None:
    at = run_page("meeting.py", team.manager)
    next(b for b in at.get("download_button") if b.key == key).click()
    at.run()
    with reading(app_engine) as s:
        events = s.execute(
            select(AuditEvent.actor_id, AuditEvent.entity_id, AuditEvent.after).where(
                AuditEvent.verb == "download", AuditEvent.entity_type == what
            )
        ).all()
    assert events == [(team.manager.id, str(team.meeting.id), {"families": 1, "status": "open"})]
