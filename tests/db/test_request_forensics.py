"""An audit trail a breach investigation can use: every event of a dashboard session carries its session, source
address and browser; a refused access is an event of its own (who, what was asked for, from where) even though
the refused work rolled back; the client's address is taken from X-Forwarded-For only behind a trusted proxy; and
security events reach the JSON security log only once committed, with fixed fields and no case data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from db.access import AccessDenied
from db.models import AuditEvent, User
from db.queries.audit_search import AuditQuery, search
from db.queries.caseload import ranked_caseload
from db.request_context import RequestContext, bound, client_address
from db.services.accounts import SignInFailed, hash_password, sign_in
from db.services.audit import record
from db.services.ratings import RatingEntry, save_ratings
from db.services.refusals import record_refusals
from db.session import reading, transaction
from risk.vocabulary import RAG, Role
from tests.db.factories import Team1, make_team

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0"


@pytest.fixture
def team(engine: Engine) -> Team1:
    with transaction(engine) as s:
        team = make_team(s)
        team.social_worker.password_hash = hash_password("a long passphrase for tests")
        s.add(User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR))
    return team


def _context(session_id: str = "a1b2c3d4e5f60718") -> RequestContext:
    return RequestContext(session_id, "203.0.113.7", BROWSER, page="/meeting")


def test_every_event_of_a_session_carries_it_and_one_search_finds_them_all(engine: Engine, team: Team1) -> None:
    context = _context()
    with bound(context):
        user = sign_in(engine, team.social_worker.email, "a long passphrase for tests")
        save_ratings(engine, user, team.meeting.id, [RatingEntry(team.child.id, RAG.AMBER)])
    save_ratings(engine, team.mental_health, team.meeting.id, [RatingEntry(team.child.id, RAG.RED)])  # elsewhere

    with reading(engine) as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.session_id == context.session_id)).all()
        admin = s.scalars(select(User).where(User.role == Role.ADMINISTRATOR)).one()
    assert {e.verb for e in events} == {"auth.sign_in", "rating.create"}
    assert {(e.source_address, e.user_agent) for e in events} == {("203.0.113.7", BROWSER)}
    found, total = search(engine, admin, AuditQuery(session_id=context.session_id))
    assert total == 2 and set(found["Session"]) == {context.session_id} and set(found["From"]) == {"203.0.113.7"}


def test_a_refused_access_is_an_event_of_its_own_after_the_refused_work_rolled_back(
    engine: Engine, team: Team1
) -> None:
    with transaction(engine) as s:
        other = make_team(s, "Stevenage B", ref="F-9")
    context = _context()
    context.actor_id = other.manager.id
    with bound(context), pytest.raises(AccessDenied):
        ranked_caseload(engine, other.manager, team.meeting.id)
    assert record_refusals(engine, context) == 1
    assert context.refusals == [] and record_refusals(engine, context) == 0  # written once

    with reading(engine) as s:
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.verb == "access.denied")).all()
    assert event.actor_id == other.manager.id
    assert event.after == {
        "asked_for": "queries.caseload.ranked_caseload",
        "page": "/meeting",
        "reason": "That team's cases are not open to you.",
    }
    assert (event.session_id, event.source_address) == (context.session_id, "203.0.113.7")


def test_without_a_bound_run_a_refusal_is_not_noted() -> None:
    """The command line binds nothing (and is refused nothing it could be audited for)."""
    with pytest.raises(AccessDenied):
        raise AccessDenied("no")


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.7", None, [], "203.0.113.7"),
        ("203.0.113.7", "198.51.100.1", [], "203.0.113.7"),  # not from a trusted proxy: the header is not believed
        ("127.0.0.1", "198.51.100.1", ["127.0.0.1"], "198.51.100.1"),
        ("127.0.0.1", "6.6.6.6, 198.51.100.1", ["127.0.0.1"], "198.51.100.1"),  # a forged left part is ignored
        ("10.0.0.5", "198.51.100.1, 10.0.0.9", ["10.0.0.0/24"], "198.51.100.1"),  # two of the council's proxies
        ("127.0.0.1", "not-an-address", ["127.0.0.1"], None),
        ("127.0.0.1", None, ["127.0.0.1"], "127.0.0.1"),
        (None, None, [], None),
    ],
)
def test_the_clients_address_is_believed_from_a_trusted_proxy_only(
    peer: str | None, forwarded: str | None, trusted: list[str], expected: str | None
) -> None:
    assert client_address(peer, forwarded, trusted) == expected


def test_security_events_reach_the_json_log_once_committed_with_fixed_fields_and_no_case_data(
    engine: Engine, team: Team1, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "security.jsonl"
    monkeypatch.setenv("FSDASH_SECURITY_LOG", str(log))
    with bound(_context()):
        sign_in(engine, team.social_worker.email, "a long passphrase for tests")
        with pytest.raises(SignInFailed):
            sign_in(engine, team.social_worker.email, "a wrong passphrase here")
        save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.RED, "Mum relapsed")])
        with pytest.raises(RuntimeError), transaction(engine) as s:
            record(s, None, "auth.sign_out", "user", team.social_worker.id)
            raise RuntimeError("rolled back")

    lines = [json.loads(text) for text in log.read_text().splitlines()]
    assert [line["event"] for line in lines] == ["auth.sign_in", "auth.sign_in_failed"]
    assert set(lines[0]) == {
        "time", "event", "actor_id", "entity_type", "entity_id", "session_id", "source_address", "user_agent",
        "audit_event_id",
    }  # fmt: skip
    assert lines[0]["session_id"] == "a1b2c3d4e5f60718" and lines[0]["source_address"] == "203.0.113.7"
    text = log.read_text()
    for secret in ("Mum relapsed", "red", team.child.first_name, "passphrase"):
        assert secret not in text
