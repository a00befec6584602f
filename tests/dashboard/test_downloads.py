"""A download's file is made on the server when the button is pressed, in a thread of its own with no page run:
the session is re-checked there (signed out, idle, deactivated, moved to another role or team), then the file is
built, then the download is audited, and only then are the bytes handed over. A refusal writes nothing and makes
nothing; a failure is logged without the data's words."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, select

from dashboard.components.downloads import DownloadRefused, audited_file
from db.access import SignedIn
from db.models import AuditEvent, User
from db.session import reading, transaction
from risk.vocabulary import Role
from tests.db.factories import Team1, make_team

IDLE = 30 * 60.0
NOW = 10_000.0


@pytest.fixture
def team(engine: Engine) -> Team1:
    with transaction(engine) as s:
        return make_team(s)


def _session(user: User, last_seen: float = NOW - 60) -> SignedIn:
    return SignedIn(user.id, user.role, user.team_id, user.office_id, last_seen)


def _downloads(engine: Engine) -> list[tuple[Any, ...]]:
    with reading(engine) as s:
        return [
            tuple(r)
            for r in s.execute(
                select(AuditEvent.actor_id, AuditEvent.entity_type, AuditEvent.after).where(
                    AuditEvent.verb == "download"
                )
            )
        ]


def _press(make: Any) -> Any:
    """Run the button's callable the way Streamlit does: on another thread, outside any page run."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(make).result()


def test_the_file_is_made_for_the_rechecked_user_and_audited_before_it_is_handed_over(
    engine: Engine, team: Team1
) -> None:
    seen: list[tuple[int, int]] = []

    def build(user: User) -> bytes:
        seen.append((user.id, len(_downloads(engine))))  # nothing audited yet while it is being made
        return b"the record"

    make = audited_file(
        engine,
        _session(team.manager),
        build,
        what="meeting_record_pdf",
        entity_id=team.meeting.id,
        details={"families": 1},
        idle_limit=IDLE,
        clock=lambda: NOW,
    )
    assert _downloads(engine) == []  # offering the button discloses nothing
    assert _press(make) == b"the record"
    assert seen == [(team.manager.id, 0)]
    assert _downloads(engine) == [(team.manager.id, "meeting_record_pdf", {"families": 1})]


def _deactivate(engine: Engine, team: Team1, session: SignedIn) -> None:
    with transaction(engine) as s:
        s.get_one(User, team.manager.id).active = False


def _move(engine: Engine, team: Team1, session: SignedIn) -> None:
    with transaction(engine) as s:
        s.get_one(User, team.manager.id).role = Role.SOCIAL_WORKER


def _sign_out(engine: Engine, team: Team1, session: SignedIn) -> None:
    session.ended = True


def _go_idle(engine: Engine, team: Team1, session: SignedIn) -> None:
    session.last_seen = NOW - IDLE - 1


@pytest.mark.parametrize(
    ("change", "reason"),
    [(_deactivate, "inactive"), (_move, "changed"), (_sign_out, "signed out"), (_go_idle, "idle")],
    ids=["deactivated", "role changed", "signed out", "idle"],
)
def test_a_session_that_ended_gets_no_file_and_no_event(
    engine: Engine, team: Team1, change: Any, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    built: list[int] = []
    session = _session(team.manager)
    make = audited_file(
        engine,
        session,
        lambda user: built.append(user.id) or b"x",
        what="caseload_csv",
        entity_id=team.meeting.id,
        details={},
        idle_limit=IDLE,
        clock=lambda: NOW,
    )
    change(engine, team, session)
    with pytest.raises(DownloadRefused, match=reason):
        _press(make)
    assert built == [] and _downloads(engine) == []


def test_a_file_that_cannot_be_made_is_logged_without_its_words(
    engine: Engine, team: Team1, caplog: pytest.LogCaptureFixture
) -> None:
    def build(user: User) -> bytes:
        raise ValueError("Amy Quigley's explanation cannot be written")

    make = audited_file(
        engine,
        _session(team.manager),
        build,
        what="caseload_xlsx",
        entity_id=None,
        details={},
        idle_limit=IDLE,
        clock=lambda: NOW,
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(DownloadRefused) as refused:
        _press(make)
    assert "Quigley" not in str(refused.value) and refused.value.__cause__ is None
    assert "caseload_xlsx" in caplog.text and "ValueError" in caplog.text
    assert "Quigley" not in caplog.text
    assert _downloads(engine) == []
