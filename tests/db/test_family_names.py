"""Families' names beside their case references: carried by the ranking and the family card, shown as initials on
the shared screen when the team asks (a setting its manager or an administrator keeps, audited), corrected by the
team's manager or an administrator with the name before and after in the audit trail, never overwritten between
two people, and neutralised in the files."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import Engine, select

from db.access import AccessDenied
from db.errors import InvalidInput, NotFound
from db.exports.caseload_files import caseload_csv, caseload_xlsx
from db.exports.meeting_record import meeting_record_pdf
from db.models import AuditEvent, Family, Team, User
from db.queries.caseload import ranked_caseload
from db.queries.family_card import family_card
from db.queries.family_history import family_history, team_families
from db.queries.policy_comparison import policy_comparison
from db.queries.rating_form import rating_form
from db.services.family_details import correct_family_name
from db.services.meetings import close_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.services.restriction import restrict_family
from db.services.team_settings import PRESENTATION_INITIALS_VERB, set_presentation_initials
from db.session import reading, transaction
from risk.vocabulary import RAG, Role
from tests.db.factories import Team1, make_team

REASON = "The case system spells it this way"


@pytest.fixture
def team(engine: Engine) -> Team1:
    with transaction(engine) as s:
        team = make_team(s)
        team.family.display_name = "Jones / Ahmed"
        return team


@pytest.fixture
def admin(engine: Engine) -> User:
    with transaction(engine) as s:
        user = User(display_name="Ada Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add(user)
        s.flush()
        return user


def _events(engine: Engine, verb: str) -> list[AuditEvent]:
    with reading(engine) as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.verb == verb).order_by(AuditEvent.id)))


def test_the_ranking_and_the_card_carry_the_name_beside_the_reference(engine: Engine, team: Team1) -> None:
    meeting, entries = ranked_caseload(engine, team.manager, team.meeting.id)
    card = family_card(engine, team.manager, team.meeting.id, team.family.id)

    assert [e.label() for e in entries] == ["F-1 · Jones / Ahmed"]
    assert card.label() == card.label(presentation=True) == "F-1 · Jones / Ahmed"  # the team has not asked
    assert not meeting.presentation_initials
    assert [f.label for f in rating_form(engine, team.social_worker, team.meeting.id)] == ["F-1 · Jones / Ahmed"]
    assert [f.label for f in team_families(engine, team.manager, team.team.id)] == ["F-1 · Jones / Ahmed"]
    assert family_history(engine, team.manager, team.family.id).label == "F-1 · Jones / Ahmed"


def test_a_closed_meetings_ranking_carries_the_name_too(engine: Engine, team: Team1) -> None:
    close_meeting(engine, team.manager, team.meeting.id)
    _, entries = ranked_caseload(engine, team.manager, team.meeting.id)
    assert [e.label() for e in entries] == ["F-1 · Jones / Ahmed"]


def test_with_the_setting_on_the_shared_screen_shows_initials_and_every_other_screen_the_name(
    engine: Engine, team: Team1
) -> None:
    assert set_presentation_initials(engine, team.manager, team.team.id, True)

    meeting, entries = ranked_caseload(engine, team.manager, team.meeting.id)  # an open meeting: read afresh
    card = family_card(engine, team.social_worker, team.meeting.id, team.family.id)

    assert meeting.presentation_initials
    assert [e.label(meeting.presentation_initials) for e in entries] == ["F-1 · J / A"]
    assert card.label(presentation=True) == "F-1 · J / A"
    assert card.label() == "F-1 · Jones / Ahmed"


def test_the_setting_is_audited_with_before_and_after_and_setting_it_again_writes_nothing(
    engine: Engine, team: Team1, admin: User
) -> None:
    assert set_presentation_initials(engine, admin, team.team.id, True)
    assert not set_presentation_initials(engine, team.manager, team.team.id, True)
    assert set_presentation_initials(engine, None, "Stevenage A", False)  # the command line, by the team's name

    events = _events(engine, PRESENTATION_INITIALS_VERB)
    assert [(e.actor_id, e.entity_id, e.before, e.after) for e in events] == [
        (admin.id, str(team.team.id), {"presentation_initials": False}, {"presentation_initials": True}),
        (None, str(team.team.id), {"presentation_initials": True}, {"presentation_initials": False}),
    ]
    with reading(engine) as s:
        assert s.get_one(Team, team.team.id).presentation_initials is False


def test_only_the_teams_manager_or_an_administrator_changes_the_setting(engine: Engine, team: Team1) -> None:
    with transaction(engine) as s:
        other = make_team(s, "Hitchin B", "F-2")
    for person in (team.social_worker, other.manager):
        with pytest.raises(AccessDenied):
            set_presentation_initials(engine, person, team.team.id, True)
    with pytest.raises(NotFound):
        set_presentation_initials(engine, None, "Nowhere", True)
    assert _events(engine, PRESENTATION_INITIALS_VERB) == []


def test_the_manager_corrects_the_name_audited_with_before_and_after(engine: Engine, team: Team1) -> None:
    held = correct_family_name(
        engine, team.manager, team.family.id, "  Jones  /  Ahmed-Khan ", held="Jones / Ahmed", reason=REASON
    )

    assert held == "Jones / Ahmed-Khan"
    [event] = _events(engine, "family.correct")
    assert (event.actor_id, event.entity_type, event.entity_id) == (team.manager.id, "family", str(team.family.id))
    assert event.before == {"display_name": "Jones / Ahmed"}
    assert event.after == {"display_name": "Jones / Ahmed-Khan", "reason": REASON}
    _, entries = ranked_caseload(engine, team.manager, team.meeting.id)
    assert entries[0].label() == "F-1 · Jones / Ahmed-Khan"


def test_an_administrator_may_clear_the_name(engine: Engine, team: Team1, admin: User) -> None:
    assert correct_family_name(engine, admin, team.family.id, "   ", held="Jones / Ahmed", reason=REASON) is None
    with reading(engine) as s:
        assert s.get_one(Family, team.family.id).display_name is None


def test_a_name_changed_meanwhile_is_never_overwritten(engine: Engine, team: Team1, admin: User) -> None:
    correct_family_name(engine, admin, team.family.id, "Jones", held="Jones / Ahmed", reason=REASON)

    with pytest.raises(InvalidInput, match="Someone else changed this family's name"):
        correct_family_name(engine, team.manager, team.family.id, "Ahmed", held="Jones / Ahmed", reason=REASON)
    with reading(engine) as s:
        assert s.get_one(Family, team.family.id).display_name == "Jones"


@pytest.mark.parametrize(
    ("name", "reason", "message"),
    [
        ("Jones\x00", REASON, "control character"),
        ("J" * 121, REASON, "the most it can hold is 120"),
        ("Jones", "typo", "Say why"),
        ("Jones / Ahmed", REASON, "nothing to correct"),
    ],
)
def test_a_correction_that_cannot_be_stored_is_refused(
    engine: Engine, team: Team1, name: str, reason: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        correct_family_name(engine, team.manager, team.family.id, name, held="Jones / Ahmed", reason=reason)
    assert _events(engine, "family.correct") == []


def test_nobody_else_corrects_the_name_and_a_restricted_family_changes_for_nobody(
    engine: Engine, team: Team1, admin: User
) -> None:
    with transaction(engine) as s:
        other = make_team(s, "Hitchin B", "F-2")
    for person in (team.social_worker, other.manager):
        with pytest.raises(AccessDenied):
            correct_family_name(engine, person, team.family.id, "Smith", held="Jones / Ahmed", reason=REASON)
    restrict_family(engine, admin, team.family.id, reason="Its accuracy is contested by the mother")
    with pytest.raises(NotFound):
        correct_family_name(engine, team.manager, team.family.id, "Smith", held="Jones / Ahmed", reason=REASON)
    with pytest.raises(InvalidInput, match="restricted"):
        correct_family_name(engine, admin, team.family.id, "Smith", held="Jones / Ahmed", reason=REASON)


@pytest.mark.parametrize("name", ["<b>x</b>", '=HYPERLINK("http://example.org","click")', "+44 / @x / -1"])
def test_a_hostile_name_stays_text_and_is_neutralised_in_the_files(
    engine: Engine, team: Team1, admin: User, name: str
) -> None:
    correct_family_name(engine, admin, team.family.id, name, held="Jones / Ahmed", reason=REASON)
    meeting, entries = ranked_caseload(engine, team.manager, team.meeting.id)

    [written] = list(csv.DictReader(io.StringIO(caseload_csv(entries).decode("utf-8-sig"))))
    assert written["Family name"] == ("'" + name if name[0] in "=+-@" else name)
    assert written["Case reference"] == "F-1"
    assert caseload_xlsx(meeting, entries).startswith(b"PK")
    assert meeting_record_pdf(engine, team.manager, team.meeting.id).startswith(b"%PDF")


def test_the_chairs_rule_comparison_names_the_families_too(engine: Engine, team: Team1) -> None:
    save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.GREEN)])
    save_ratings(engine, team.mental_health, team.meeting.id, [RatingEntry(team.child.id, RAG.RED)])

    [compared] = policy_comparison(engine, team.manager, team.meeting.id).differing  # red under worst, amber median

    assert (compared.label(), compared.label(initials_only=True)) == ("F-1 · Jones / Ahmed", "F-1 · J / A")
