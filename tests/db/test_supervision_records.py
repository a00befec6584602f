"""Each professional's update and the chair's decision: saved with the ratings, never overwritten silently, locked
at close and corrected only with a reason, audited without their text, scoped to the team."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from db.access import AccessDenied
from db.errors import InvalidInput, MeetingClosed, StaleRating
from db.models import AuditEvent, ChoiceItem, FamilyDecision, Meeting, Rating, SupervisionUpdate, User
from db.queries.audit_search import WITHHELD_VERBS
from db.queries.choices import choice_list
from db.queries.family_card import family_card
from db.services.choices import add_choice, retire_choice
from db.services.meetings import close_meeting
from db.services.ratings import RatingEntry, save_family_form
from db.services.supervision import UpdateEntry, correct_decision, correct_update, record_decision
from db.session import reading, transaction
from risk.supervision import DEFAULT_CHOICES, UPDATE_TEXT_MAX, ChoiceKind
from risk.vocabulary import RAG, Role
from tests.db.factories import MEETING_DAY, Team1, make_team

REVIEW = MEETING_DAY + dt.timedelta(days=28)


@pytest.fixture
def team(engine: Engine) -> Team1:
    with transaction(engine) as s:
        return make_team(s)


@pytest.fixture
def other(engine: Engine) -> Team1:
    with transaction(engine) as s:
        return make_team(s, "Hitchin B", "F-2")


@pytest.fixture
def admin_user(engine: Engine) -> User:
    with transaction(engine) as s:
        admin = User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add(admin)
        s.flush()
        return admin


def _choice(engine: Engine, kind: ChoiceKind, label: str) -> int:
    with reading(engine) as s:
        return s.scalars(select(ChoiceItem.id).where(ChoiceItem.kind == kind, ChoiceItem.label == label)).one()


def _update(engine: Engine, team: Team1) -> SupervisionUpdate | None:
    with reading(engine) as s:
        return s.scalars(select(SupervisionUpdate).where(SupervisionUpdate.family_id == team.family.id)).one_or_none()


def _changes(engine: Engine, team: Team1) -> int:
    with reading(engine) as s:
        return s.get_one(Meeting, team.meeting.id).changes


def _events(engine: Engine, entity: str) -> list[AuditEvent]:
    with reading(engine) as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.entity_type == entity).order_by(AuditEvent.id)))


def test_the_default_lists_ship_with_the_database(engine: Engine, team: Team1) -> None:
    for kind, labels in DEFAULT_CHOICES.items():
        assert [c.label for c in choice_list(engine, team.social_worker, kind)] == list(labels)


def test_the_update_is_saved_with_the_ratings_in_one_transaction(engine: Engine, team: Team1) -> None:
    home_visit = _choice(engine, ChoiceKind.WORK_KIND, "Home visit")
    before = _changes(engine, team)
    saved = save_family_form(
        engine,
        team.mental_health,
        team.meeting.id,
        [RatingEntry(team.child.id, RAG.AMBER)],
        UpdateEntry(team.family.id, "  Two home visits; Mum engaged with the recovery plan.  ", home_visit),
    )
    assert len(saved.ratings) == 1 and saved.update is not None
    update = _update(engine, team)
    assert update is not None
    assert (update.text, update.work_kind_id, update.author_id, update.role) == (
        "Two home visits; Mum engaged with the recovery plan.",
        home_visit,
        team.mental_health.id,
        team.mental_health.role,
    )
    assert _changes(engine, team) == before + 1  # one bump for the whole form
    [event] = _events(engine, "supervision_update")
    assert event.verb == "supervision_update.create" and event.verb in WITHHELD_VERBS
    assert "Mum" not in str(event.after) and event.after is not None and event.after["text_changed"] is True


def test_a_refused_update_refuses_the_ratings_too(engine: Engine, team: Team1) -> None:
    with pytest.raises(InvalidInput, match="control character"):
        save_family_form(
            engine,
            team.social_worker,
            team.meeting.id,
            [RatingEntry(team.child.id, RAG.RED)],
            UpdateEntry(team.family.id, "Visited\x00 twice"),
        )
    with pytest.raises(InvalidInput, match="2,000"):
        save_family_form(
            engine, team.social_worker, team.meeting.id, [], UpdateEntry(team.family.id, "x" * (UPDATE_TEXT_MAX + 1))
        )
    with reading(engine) as s:
        assert s.scalar(select(func.count()).select_from(Rating)) == 0
    assert _update(engine, team) is None


def test_an_update_saved_elsewhere_is_never_overwritten(engine: Engine, team: Team1) -> None:
    first = save_family_form(engine, team.social_worker, team.meeting.id, [], UpdateEntry(team.family.id, "Tab one"))
    assert first.update is not None
    # a second tab, drawn before the first saved, still thinks there is no update
    with pytest.raises(StaleRating, match="changed elsewhere"):
        save_family_form(
            engine,
            team.social_worker,
            team.meeting.id,
            [RatingEntry(team.child.id, RAG.GREEN)],
            UpdateEntry(team.family.id, "Tab two", expected_version=None),
        )
    update = _update(engine, team)
    assert update is not None and update.text == "Tab one"
    with reading(engine) as s:
        assert s.scalar(select(func.count()).select_from(Rating)) == 0  # the ratings went nowhere either
    again = save_family_form(
        engine, team.social_worker, team.meeting.id, [], UpdateEntry(team.family.id, "Tab one, edited", None, 1)
    )
    assert again.update is not None and again.update.version == 2


def test_only_someone_working_with_the_family_writes_its_update(engine: Engine, team: Team1, other: Team1) -> None:
    with pytest.raises(AccessDenied):
        save_family_form(engine, team.manager, team.meeting.id, [], UpdateEntry(team.family.id, "Not mine"))
    with pytest.raises(AccessDenied):
        save_family_form(engine, other.social_worker, team.meeting.id, [], UpdateEntry(team.family.id, "Not mine"))


def test_a_retired_kind_of_work_is_not_offered_but_stays_on_the_record(
    engine: Engine, team: Team1, admin_user: User
) -> None:
    home_visit = _choice(engine, ChoiceKind.WORK_KIND, "Home visit")
    save_family_form(engine, team.social_worker, team.meeting.id, [], UpdateEntry(team.family.id, "Seen", home_visit))
    retire_choice(engine, admin_user, home_visit)
    assert "Home visit" not in [c.label for c in choice_list(engine, team.social_worker, ChoiceKind.WORK_KIND)]
    # kept on the update that chose it, even when the text changes
    save_family_form(
        engine, team.social_worker, team.meeting.id, [], UpdateEntry(team.family.id, "Seen", home_visit, 1)
    )
    save_family_form(
        engine, team.social_worker, team.meeting.id, [], UpdateEntry(team.family.id, "Seen again", home_visit, 1)
    )
    update = _update(engine, team)
    assert update is not None and update.work_kind_id == home_visit
    with pytest.raises(InvalidInput, match="no longer on the list"):
        save_family_form(engine, team.mental_health, team.meeting.id, [], UpdateEntry(team.family.id, "x", home_visit))
    added = add_choice(engine, admin_user, ChoiceKind.WORK_KIND, "Family group conference")
    assert choice_list(engine, team.social_worker, ChoiceKind.WORK_KIND)[-1].choice_id == added.id


def test_after_close_an_update_is_corrected_only_by_the_manager_with_a_reason(engine: Engine, team: Team1) -> None:
    save_family_form(engine, team.social_worker, team.meeting.id, [], UpdateEntry(team.family.id, "Visited once"))
    close_meeting(engine, team.manager, team.meeting.id)
    with pytest.raises(MeetingClosed):
        save_family_form(engine, team.social_worker, team.meeting.id, [], UpdateEntry(team.family.id, "Twice", None, 1))
    update = _update(engine, team)
    assert update is not None
    with pytest.raises(AccessDenied):
        correct_update(engine, team.social_worker, update.id, "Twice", None, "The visit count was wrong", 1)
    with pytest.raises(InvalidInput, match="Say why"):
        correct_update(engine, team.manager, update.id, "Twice", None, "wrong", 1)
    corrected = correct_update(engine, team.manager, update.id, "Visited twice", None, "The visit count was wrong", 1)
    assert (corrected.text, corrected.correction_reason, corrected.version) == (
        "Visited twice",
        "The visit count was wrong",
        2,
    )
    with pytest.raises(StaleRating):
        correct_update(engine, team.manager, update.id, "Thrice", None, "Another correction here", 1)
    assert _events(engine, "supervision_update")[-1].verb == "supervision_update.correct"


def test_the_chair_records_the_decision_and_a_second_screen_cannot_overwrite_it(engine: Engine, team: Team1) -> None:
    plan = _choice(engine, ChoiceKind.OUTCOME, "Continue the plan")
    step_up = _choice(engine, ChoiceKind.OUTCOME, "Step up: legal planning meeting")
    before = _changes(engine, team)
    decision = record_decision(
        engine, team.manager, team.meeting.id, team.family.id, "Keep the plan; review drugs work.", plan, REVIEW, None
    )
    assert (decision.text, decision.outcome_id, decision.next_review_on, decision.version) == (
        "Keep the plan; review drugs work.",
        plan,
        REVIEW,
        1,
    )
    assert _changes(engine, team) == before + 1
    with pytest.raises(StaleRating, match="another screen"):
        record_decision(engine, team.manager, team.meeting.id, team.family.id, "Other", step_up, REVIEW, None)
    changed = record_decision(engine, team.manager, team.meeting.id, team.family.id, "Escalate", step_up, None, 1)
    assert (changed.outcome_id, changed.version) == (step_up, 2)
    events = _events(engine, "family_decision")
    assert [e.verb for e in events] == ["family_decision.create", "family_decision.update"]
    assert all(e.verb in WITHHELD_VERBS and "Escalate" not in str(e.after) for e in events)


def test_only_the_teams_manager_records_a_decision(engine: Engine, team: Team1, other: Team1) -> None:
    plan = _choice(engine, ChoiceKind.OUTCOME, "Continue the plan")
    for who in (team.social_worker, other.manager):
        with pytest.raises(AccessDenied):
            record_decision(engine, who, team.meeting.id, team.family.id, "Decided", plan, None, None)
    with pytest.raises(InvalidInput, match="control character"):
        record_decision(engine, team.manager, team.meeting.id, team.family.id, "Bad\x00", plan, None, None)
    with pytest.raises(InvalidInput, match="outcome"):
        record_decision(
            engine, team.manager, team.meeting.id, team.family.id, "Decided",
            _choice(engine, ChoiceKind.WORK_KIND, "Other"), None, None,
        )  # fmt: skip
    with reading(engine) as s:
        assert s.scalar(select(func.count()).select_from(FamilyDecision)) == 0


def test_closing_lists_the_discussed_families_without_a_decision(engine: Engine, team: Team1) -> None:
    from db.services.discussions import mark_discussed

    mark_discussed(engine, team.manager, team.meeting.id, team.family.id, True)
    closed = close_meeting(engine, team.manager, team.meeting.id)
    assert closed.without_decision == ("F-1",)
    assert closed.not_discussed == 0


def test_a_decision_is_locked_at_close_and_corrected_with_a_reason(engine: Engine, team: Team1) -> None:
    plan = _choice(engine, ChoiceKind.OUTCOME, "Continue the plan")
    closure = _choice(engine, ChoiceKind.OUTCOME, "Recommend closure")
    decision = record_decision(engine, team.manager, team.meeting.id, team.family.id, "Keep going", plan, None, None)
    close_meeting(engine, team.manager, team.meeting.id)
    with pytest.raises(MeetingClosed):
        record_decision(engine, team.manager, team.meeting.id, team.family.id, "Close", closure, None, 1)
    with pytest.raises(InvalidInput, match="Say why"):
        correct_decision(engine, team.manager, decision.id, "Close", closure, None, "", 1)
    corrected = correct_decision(
        engine, team.manager, decision.id, "Close the case", closure, None, "Recorded against the wrong outcome", 1
    )
    assert (corrected.outcome_id, corrected.correction_reason) == (closure, "Recorded against the wrong outcome")


def test_the_family_card_shows_each_update_beside_the_ratings_and_the_decision(engine: Engine, team: Team1) -> None:
    home_visit = _choice(engine, ChoiceKind.WORK_KIND, "Mental health work")
    save_family_form(
        engine,
        team.mental_health,
        team.meeting.id,
        [RatingEntry(team.child.id, RAG.RED)],
        UpdateEntry(team.family.id, "Mum missed two appointments", home_visit),
    )
    save_family_form(engine, team.social_worker, team.meeting.id, [], UpdateEntry(team.family.id, "School visit"))
    plan = _choice(engine, ChoiceKind.OUTCOME, "Continue the plan")
    record_decision(engine, team.manager, team.meeting.id, team.family.id, "Keep going", plan, REVIEW, None)
    card = family_card(engine, team.social_worker, team.meeting.id, team.family.id)
    assert [(u.role, u.author, u.work_kind, u.text) for u in card.updates] == [
        (Role.SOCIAL_WORKER, team.social_worker.display_name, None, "School visit"),
        (
            Role.MENTAL_HEALTH_PRACTITIONER,
            team.mental_health.display_name,
            "Mental health work",
            "Mum missed two appointments",
        ),
    ]
    assert card.decision is not None
    assert (card.decision.outcome, card.decision.next_review_on, card.decision.text) == (
        "Continue the plan",
        REVIEW,
        "Keep going",
    )
    assert card.next_review_default == REVIEW  # no schedule: four weeks on
    with pytest.raises(AccessDenied):
        family_card(engine, make_other_reader(engine), team.meeting.id, team.family.id)


def make_other_reader(engine: Engine) -> User:
    with transaction(engine) as s:
        return make_team(s, "Letchworth C", "F-3").social_worker
