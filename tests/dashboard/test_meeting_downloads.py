"""The Meeting page offers the meeting record (PDF) and the ranked caseload (CSV, .xlsx); each download is audited."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, select

from dashboard.components.downloads import DownloadRefused
from db.models import AuditEvent, User
from db.services.meetings import close_meeting
from db.session import reading, transaction
from tests.dashboard.conftest import PageRunner
from tests.dashboard.made_files import made_files_fixture  # noqa: F401 (a fixture)
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


@pytest.mark.parametrize("what", ["meeting_record_pdf", "caseload_csv", "caseload_xlsx"])
def test_each_download_is_in_the_audit_trail_when_its_file_is_made(
    run_page: PageRunner, app_engine: Engine, team: Team1, what: str, made_files: dict[str, Callable[[], bytes]]
) -> None:
    """The event is written in the step that makes the file, with no page run after it (a browser that sends
    nothing more after the click still leaves the event)."""
    run_page("meeting.py", team.manager)
    assert _events(app_engine, what) == []  # showing the button discloses nothing
    data = made_files[what]()
    assert data
    assert _events(app_engine, what) == [(team.manager.id, str(team.meeting.id), {"families": 1, "status": "open"})]


@pytest.mark.parametrize("what", ["meeting_record_pdf", "caseload_csv", "caseload_xlsx"])
def test_a_deactivated_user_gets_no_file_and_no_event(
    run_page: PageRunner, app_engine: Engine, team: Team1, what: str, made_files: dict[str, Callable[[], bytes]]
) -> None:
    run_page("meeting.py", team.manager)
    with transaction(app_engine) as s:
        s.get_one(User, team.manager.id).active = False
    with pytest.raises(DownloadRefused, match="inactive"):
        made_files[what]()
    assert _events(app_engine, what) == []


def _events(engine: Engine, what: str) -> list[tuple[object, ...]]:
    with reading(engine) as s:
        return [
            tuple(row)
            for row in s.execute(
                select(AuditEvent.actor_id, AuditEvent.entity_id, AuditEvent.after).where(
                    AuditEvent.verb == "download", AuditEvent.entity_type == what
                )
            )
        ]


def test_the_chair_gets_each_familys_record_zipped_drafts_while_open_and_the_download_is_audited(
    run_page: PageRunner, app_engine: Engine, team: Team1, made_files: dict[str, Callable[[], bytes]]
) -> None:
    assert "Draft family records (.zip)" in [
        b.label for b in run_page("meeting.py", team.manager).get("download_button")
    ]
    close_meeting(app_engine, team.manager, team.meeting.id)

    at = run_page("meeting.py", team.manager)

    assert "Supervision records (.zip)" in [b.label for b in at.get("download_button")]
    assert _events(app_engine, "supervision_records_zip") == []
    names = zipfile.ZipFile(io.BytesIO(made_files["supervision_records_zip"]())).namelist()
    assert sorted(names) == ["F-1.pdf", "manifest.csv", "manifest.json"]
    assert _events(app_engine, "supervision_records_zip") == [
        (team.manager.id, str(team.meeting.id), {"families": 1, "status": "closed"})
    ]
    labels = [b.label for b in run_page("meeting.py", team.social_worker).get("download_button")]
    assert not any("records (.zip)" in label for label in labels), "the chair's alone"
