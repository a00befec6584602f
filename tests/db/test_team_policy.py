"""The team's risk rule is a setting of the team: kept when scores are rebuilt or corrected, changed only on purpose
by an administrator (`set_team_policy`), and audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, select, text

from db.access import AccessDenied
from db.errors import InvalidInput, NotFound
from db.migrate import alembic_config, upgrade
from db.models import AuditEvent, FamilyRiskScore, Rating, Team, User
from db.queries.caseload import ranked_caseload
from db.services.corrections import correct_rating
from db.services.meetings import close_meeting, open_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.services.scores import rebuild_scores, set_team_policy
from db.session import make_engine, reading, transaction
from risk.policies import DEFAULT_POLICY, POLICIES
from risk.vocabulary import RAG, Band, Role
from tests.conftest import DATABASES, _recreate_postgres_database, scratch_postgres_url
from tests.db.factories import MEETING_DAY, Team1, make_team


def _split(engine: Engine, name: str = "Stevenage A", ref: str = "F-1", *, close: bool = True) -> Team1:
    """One child rated green by one professional and red by another (red under `worst`, amber under `median`)."""
    with transaction(engine) as s:
        team = make_team(s, name, ref)
    save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.GREEN)])
    save_ratings(engine, team.mental_health, team.meeting.id, [RatingEntry(team.child.id, RAG.RED)])
    if close:
        close_meeting(engine, team.manager, team.meeting.id)
    return team


def _stored(engine: Engine, team: Team1 | None = None) -> list[tuple[str, Band]]:
    query = select(FamilyRiskScore).order_by(FamilyRiskScore.id)
    if team is not None:
        query = query.where(FamilyRiskScore.family_id == team.family.id)
    with reading(engine) as s:
        return [(r.policy, r.band) for r in s.scalars(query)]


def _rule(engine: Engine, team: Team1) -> tuple[str, int]:
    with reading(engine) as s:
        row = s.get_one(Team, team.team.id)
        return row.policy, row.policy_version


def _policy_events(engine: Engine) -> list[AuditEvent]:
    with reading(engine) as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.verb == "team.policy").order_by(AuditEvent.id)))


def _administrator(engine: Engine) -> User:
    with transaction(engine) as s:
        admin = User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add(admin)
        s.flush()
        return admin


def test_a_new_team_is_on_the_default_rule(engine: Engine) -> None:
    team = _split(engine, close=False)
    assert _rule(engine, team) == (DEFAULT_POLICY, POLICIES[DEFAULT_POLICY].version) == ("worst", 1)


def test_a_rebuild_without_a_policy_keeps_each_team_on_its_own_rule(engine: Engine) -> None:
    _split(engine)
    rebuild_scores(engine, actor=None, policy="median")  # the team is moved to the median rule
    assert _stored(engine) == [("median", Band.AMBER)]

    result = rebuild_scores(engine, actor=None)  # a later rebuild of every team, say after an upgrade

    assert _stored(engine) == [("median", Band.AMBER)]
    assert (result.meetings, result.scores, result.policies) == (1, 1, ("median",))


def test_a_rebuild_of_every_team_uses_each_teams_own_rule(engine: Engine) -> None:
    median_team = _split(engine)
    worst_team = _split(engine, "Hitchin B", "F-2")
    set_team_policy(engine, None, median_team.team.id, "median")

    result = rebuild_scores(engine, actor=None)

    assert _stored(engine, median_team) == [("median", Band.AMBER)]
    assert _stored(engine, worst_team) == [("worst", Band.RED)]
    assert result.policies == ("median", "worst")


def test_a_rebuild_with_a_policy_moves_the_team_and_says_so_in_the_audit_trail(engine: Engine) -> None:
    team = _split(engine)
    rebuild_scores(engine, actor=None, team="Stevenage A", policy="median")

    assert _rule(engine, team) == ("median", 1)
    [event] = _policy_events(engine)
    assert (event.actor_id, event.entity_type, event.entity_id) == (None, "team", str(team.team.id))
    assert (event.before, event.after) == ({"policy": "worst", "version": 1}, {"policy": "median", "version": 1})


def test_moving_a_team_changes_its_live_ranking_and_keeps_its_closed_record(engine: Engine) -> None:
    team = _split(engine)
    administrator = _administrator(engine)
    next_month = open_meeting(engine, team.manager, team.team.id, MEETING_DAY + dt.timedelta(days=28)).id
    save_ratings(engine, team.social_worker, next_month, [RatingEntry(team.child.id, RAG.GREEN)])
    save_ratings(engine, team.mental_health, next_month, [RatingEntry(team.child.id, RAG.RED)])
    assert [e.band for e in ranked_caseload(engine, team.manager, next_month)[1]] == [Band.RED]

    change = set_team_policy(engine, administrator, team.team.id, "median")

    assert (change.team, change.policy, change.version, change.changed) == ("Stevenage A", "median", 1, True)
    assert (change.meetings_rebuilt, change.scores_rebuilt) == (0, 0)
    assert [e.band for e in ranked_caseload(engine, team.manager, next_month)[1]] == [Band.AMBER]
    assert _stored(engine) == [("worst", Band.RED)]  # the closed meeting keeps the record of what it saw
    [event] = _policy_events(engine)
    assert event.actor_id == administrator.id
    assert (event.before, event.after) == ({"policy": "worst", "version": 1}, {"policy": "median", "version": 1})


def test_moving_a_team_can_rebuild_its_closed_meetings_under_the_new_rule(engine: Engine) -> None:
    team = _split(engine)
    other = _split(engine, "Hitchin B", "F-2")

    change = set_team_policy(engine, None, "Stevenage A", "median", rebuild=True)

    assert (change.changed, change.meetings_rebuilt, change.scores_rebuilt) == (True, 1, 1)
    assert _stored(engine, team) == [("median", Band.AMBER)]
    assert _stored(engine, other) == [("worst", Band.RED)]  # another team is not touched
    with reading(engine) as s:
        stored_event = s.scalars(
            select(AuditEvent).where(AuditEvent.verb == "scores.store").order_by(AuditEvent.id.desc())
        ).first()
    assert stored_event is not None and stored_event.entity_id == str(team.meeting.id)


def test_setting_the_rule_a_team_already_has_changes_nothing(engine: Engine) -> None:
    team = _split(engine)
    change = set_team_policy(engine, None, team.team.id, "worst")
    assert not change.changed
    assert _policy_events(engine) == []


def test_a_correction_in_a_closed_meeting_restores_its_scores_under_the_teams_rule(engine: Engine) -> None:
    team = _split(engine)
    set_team_policy(engine, None, team.team.id, "median", rebuild=True)
    with reading(engine) as s:
        rating = s.scalars(select(Rating).where(Rating.practitioner_id == team.social_worker.id)).one()

    correct_rating(engine, team.manager, rating.id, RAG.AMBER, "Agreed at the review meeting", rating.version)

    assert _stored(engine) == [("median", Band.RED)]  # remade by the team's rule, not by the default
    assert _rule(engine, team) == ("median", 1)


def test_an_unknown_rule_or_team_is_refused_in_words(engine: Engine) -> None:
    team = _split(engine, close=False)
    with pytest.raises(InvalidInput) as refused:
        set_team_policy(engine, None, team.team.id, "mean")
    assert str(refused.value) == "There is no risk rule called 'mean'. The rules are: worst, median."
    with pytest.raises(NotFound, match="There is no team called 'Nowhere'"):
        set_team_policy(engine, None, "Nowhere", "median")
    with pytest.raises(InvalidInput, match="There is no risk rule called 'mean'"):
        rebuild_scores(engine, None, policy="mean")
    assert _rule(engine, team) == ("worst", 1)


def test_only_an_administrator_moves_a_team(engine: Engine) -> None:
    team = _split(engine, close=False)
    with pytest.raises(AccessDenied):
        set_team_policy(engine, team.manager, team.team.id, "median")
    assert _rule(engine, team) == ("worst", 1)
    assert _policy_events(engine) == []


# --- the migration that made the rule a setting ----------------------------------------------------------------


def _closed_under(engine: Engine, name: str, ref: str, first: str, then: str) -> None:
    """A team whose meeting was stored under `first`, then its next month's meeting under `then`."""
    team = _split(engine, name, ref, close=False)
    set_team_policy(engine, None, team.team.id, first)
    close_meeting(engine, team.manager, team.meeting.id)
    set_team_policy(engine, None, team.team.id, then)
    next_month = open_meeting(engine, team.manager, team.team.id, MEETING_DAY + dt.timedelta(days=28)).id
    save_ratings(engine, team.social_worker, next_month, [RatingEntry(team.child.id, RAG.GREEN)])
    close_meeting(engine, team.manager, next_month)


@pytest.mark.parametrize("database", DATABASES)
def test_the_migration_starts_each_team_on_the_rule_of_its_latest_stored_score(database: str, tmp_path: Path) -> None:
    if database == "sqlite":
        url = f"sqlite:///{tmp_path / 'before.db'}"
    else:
        url = scratch_postgres_url("team_policy")
        _recreate_postgres_database(url)
    upgrade(url)
    engine = make_engine(url)
    try:
        _closed_under(engine, "Moved", "F-1", "worst", "median")
        _closed_under(engine, "Moved back", "F-2", "median", "worst")
        _split(engine, "New", "F-3", close=False)  # nothing stored yet
        retired = _split(engine, "Retired", "F-4")
        with transaction(engine) as s:  # stored by a later version under a rule this one does not know
            for score in s.scalars(select(FamilyRiskScore).where(FamilyRiskScore.family_id == retired.family.id)):
                score.policy = "retired"
        engine.dispose()

        config = alembic_config(url)
        command.downgrade(config, "0007")  # the version before: the scores say their rule, the teams nothing
        with engine.connect() as conn:
            assert "policy" not in {column["name"] for column in inspect(conn).get_columns("team")}
        command.upgrade(config, "0008")

        with engine.connect() as conn:
            rules = {name: (policy, version) for name, policy, version in conn.execute(text(TEAM_RULES))}
        assert rules == {
            "Moved": ("median", 1),
            "Moved back": ("worst", 1),
            "New": ("worst", 1),
            "Retired": ("worst", 1),
        }
    finally:
        engine.dispose()


TEAM_RULES = "SELECT name, policy, policy_version FROM team"
