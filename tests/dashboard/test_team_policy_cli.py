"""`fsdash teams set-policy TEAM POLICY` and `fsdash scores rebuild`: the rules offered are the registry's, and a
rebuild keeps each team on its own rule."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from dashboard.cli import main
from db.models import FamilyRiskScore, Team
from db.services.meetings import close_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.session import reading, transaction
from risk.policies import POLICIES
from risk.vocabulary import RAG
from tests.db.factories import Team1, make_team


@pytest.fixture
def team(engine: Engine) -> Team1:
    with transaction(engine) as s:
        team = make_team(s)
    save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.GREEN)])
    save_ratings(engine, team.mental_health, team.meeting.id, [RatingEntry(team.child.id, RAG.RED)])
    close_meeting(engine, team.manager, team.meeting.id)
    return team


@pytest.fixture
def fsdash(db_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", db_url)
    return lambda *args: main(["--database-url", db_url, *args])


def _state(engine: Engine) -> tuple[str, list[str]]:
    with reading(engine) as s:
        return s.scalars(select(Team.policy)).one(), list(s.scalars(select(FamilyRiskScore.policy)))


def test_set_policy_moves_the_team_and_says_its_record_is_kept(
    engine: Engine, team: Team1, fsdash, capsys: pytest.CaptureFixture[str]
) -> None:
    fsdash("teams", "set-policy", "Stevenage A", "median")

    out = capsys.readouterr().out
    assert "Stevenage A now uses the median rule (version 1)." in out
    assert "add --rebuild to remake them under it" in out
    assert _state(engine) == ("median", ["worst"])

    fsdash("scores", "rebuild")  # every team, each under its own rule
    assert "(rules: median)" in capsys.readouterr().out
    assert _state(engine) == ("median", ["median"])


def test_set_policy_with_rebuild_remakes_the_teams_scores(
    engine: Engine, team: Team1, fsdash, capsys: pytest.CaptureFixture[str]
) -> None:
    fsdash("teams", "set-policy", "Stevenage A", "median", "--rebuild")

    assert "Rebuilt 1 stored scores for 1 closed meetings." in capsys.readouterr().out
    assert _state(engine) == ("median", ["median"])


def test_an_unknown_team_is_one_sentence_and_exit_code_2(
    engine: Engine, team: Team1, fsdash, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        fsdash("teams", "set-policy", "Nowhere", "median")
    assert stopped.value.code == 2
    assert capsys.readouterr().err == "fsdash: There is no team called 'Nowhere'.\n"
    assert _state(engine) == ("worst", ["worst"])


@pytest.mark.parametrize("command", [("teams", "set-policy", "Stevenage A"), ("scores", "rebuild", "--policy")])
def test_the_rules_offered_are_the_registrys_and_no_other(
    command: tuple[str, ...], engine: Engine, team: Team1, fsdash, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        fsdash(*command, "mean")
    assert stopped.value.code == 2
    assert f"(choose from {', '.join(repr(name) for name in POLICIES)})" in capsys.readouterr().err
    assert _state(engine) == ("worst", ["worst"])


def test_set_presentation_names_turns_initials_on_and_off(
    engine: Engine, team: Team1, fsdash, capsys: pytest.CaptureFixture[str]
) -> None:
    fsdash("teams", "set-presentation-names", "Stevenage A", "initials")
    assert "Stevenage A now shows families' initials only in Presentation mode." in capsys.readouterr().out
    with reading(engine) as s:
        assert s.scalars(select(Team.presentation_initials)).one() is True

    fsdash("teams", "set-presentation-names", "Stevenage A", "initials")
    assert "as it already did" in capsys.readouterr().out
    fsdash("teams", "set-presentation-names", "Stevenage A", "full")
    with reading(engine) as s:
        assert s.scalars(select(Team.presentation_initials)).one() is False
