"""Every write that changes what an open meeting's screens show moves the meeting's change counter, in the same
transaction: a live screen redraws only when the counter moved (db/queries/live_meeting.py), so a service that
forgot to bump it would leave the chair looking at an old ranking.

The write side is enumerated, not sampled: every public function of db/services, the imports and records
management is either run here and seen to move the counter, or listed in NOT_SHOWN with the reason the Meeting
page cannot show what it writes. A new service fails `test_every_write_is_either_run_here_or_said_not_to_show`
until it is put in one or the other.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

import db.services
from db.access import AccessDenied
from db.imports import import_caseload
from db.imports.ssd import import_ssd
from db.models import Action, ChoiceItem, Family, Involvement, Meeting, Rating, User, utcnow
from db.queries.caseload import ranked_caseload
from db.queries.family_card import family_card
from db.queries.live_meeting import SHARED, meeting_mark
from db.services.actions import add_action, complete_action
from db.services.admin import add_involvement, end_involvement, update_user
from db.services.corrections import correct_rating
from db.services.discussions import mark_discussed, open_family, run_the_clock, set_meeting_length
from db.services.erasure import erase_child, erase_family
from db.services.family_details import correct_child, correct_family, correct_family_name
from db.services.meetings import close_meeting, move_meeting
from db.services.ratings import RatingEntry, save_family_form, save_ratings
from db.services.restriction import lift_restriction, restrict_family
from db.services.scores import rebuild_scores, set_team_policy
from db.services.supervision import UpdateEntry, record_decision
from db.services.team_settings import set_presentation_initials
from db.session import reading, transaction
from risk.supervision import ChoiceKind
from risk.vocabulary import RAG, MeetingStatus, Role
from tests.db.factories import MEETING_DAY, Team1, make_team
from tests.imports import ssd_extracts
from tests.imports.conftest import TODAY, csv_bytes, row

WRITE_MODULES = [
    *(f"db.services.{m.name}" for m in pkgutil.iter_modules(db.services.__path__)),
    "db.imports.service",
    "db.imports.ssd.service",
    "db.records.retention",
    "db.records.backup",
]

NOT_SHOWN = {
    # accounts: signing in and out and passwords change no caseload
    "db.services.accounts.hash_password": "computes a hash, writes nothing",
    "db.services.accounts.check_new_password": "checks a password, writes nothing",
    "db.services.accounts.sign_in": "a sign-in changes no meeting",
    "db.services.accounts.record_sign_out": "audit only",
    "db.services.refusals.record_refusals": "audit only: a refused access changes nothing",
    "db.services.ratings_access.reads_ratings": "reads an account, writes nothing",
    "db.services.discussions.family_on_caseload": "reads a family inside its caller's check, writes nothing",
    "db.services.ratings_access.record_ratings_access": "audit only, inside an account change",
    "db.services.accounts.create_user": "a new account works with no family until involvement (which bumps) is added",
    "db.services.accounts.change_password": "a password changes no meeting",
    "db.services.accounts.set_table_view": "how one person's tables are drawn, kept in their own session",
    "db.services.accounts.set_own_preference": "one person's own yes/no choices (tables, reminder emails)",
    "db.services.accounts.set_demo_password": "demo passwords change no meeting",
    "db.services.admin.add_office": "a new office has no meetings",
    "db.services.admin.rename_office": "office names are not on the Meeting page",
    "db.services.admin.add_team": "a new team has no meetings",
    "db.services.admin.update_team": "the team's name is drawn from the meeting row at every full run, never shared",
    "db.services.admin.reset_password": "a password changes no meeting",
    "db.services.admin.unlock_user": "a lockout changes no meeting",
    "db.services.admin.create_first_administrator": "an administrator works with no family",
    "db.services.audit.record": "writes an audit event inside its caller's transaction, which bumps if it must",
    "db.services.disclosures.record_view": "audit only",
    "db.services.disclosures.record_download": "audit only",
    "db.services.discussions.as_utc": "converts a time, writes nothing",
    "db.services.discussions.stop_the_clock": "runs inside the discussion services and the close, which bump",
    "db.services.families.end_case_records": "runs inside the imports, which bump",
    "db.services.meeting_changes.bump_meeting_change": "the bump itself",
    "db.services.meeting_changes.bump_open_meetings": "the bump itself",
    "db.services.meetings.open_meeting": "a new meeting starts at 0: nothing was drawn or shared under its id",
    "db.services.meetings.add_meeting": "runs inside open_meeting and open_due_meetings: a new meeting starts at 0",
    "db.services.schedules.open_due_meetings": "a new meeting starts at 0: nothing was drawn or shared under its id",
    "db.services.schedules.set_schedule": "the schedule is drawn at every full run; it never changes an open meeting",
    "db.services.schedules.remove_schedule": "the schedule is drawn at every full run; it changes no meeting row",
    "db.services.schedules.change_scheduled_meeting": "refuses an open meeting, which its chair moves (move_meeting)",
    "db.services.schedules.undo_schedule_change": "the schedule is drawn at every full run; it changes no meeting row",
    "db.services.reminders.plan_reminders": "reads",
    "db.services.reminders.reminder_settings": "reads settings",
    "db.services.reminders.send_reminders": "records the reminders sent, which no Meeting page shows",
    "db.services.reminders.set_reminder_emails": "one person's email setting",
    "db.services.ratings.rateable_family_ids": "reads",
    "db.services.scores.stored_components": "builds a dict, writes nothing",
    "db.services.scores.store_meeting_scores": "runs inside the close, corrections and rebuilds, which bump",
    "db.services.sso.user_for_verified_email": "a sign-in changes no meeting",
    "db.services.sso.email_verified": "reads a claim, writes nothing",
    "db.services.sso.claim_seconds": "reads a claim, writes nothing",
    "db.services.sso.sso_session_expires_at": "reads a claim, writes nothing",
    "db.services.sso.used_multiple_factors": "reads a claim, writes nothing",
    "db.services.accounts.end_sessions": "ending an account's sessions changes no meeting",
    "db.services.accounts.end_sso_identity": "ending a single sign-on identity changes no meeting",
    "db.services.accounts.password_form_open_to": "reads a setting",
    "db.services.admin.sign_out_everywhere": "ending an account's sessions changes no meeting",
    "db.services.meeting_summaries.store_meeting_summaries": "runs inside the close, corrections and rebuilds",
    "db.services.mfa.enrol": "two-step sign-in changes no meeting",
    "db.services.mfa.mfa_required": "reads a setting",
    "db.services.mfa.new_secret": "makes a secret, writes nothing",
    "db.services.mfa.provisioning_uri": "builds a URI, writes nothing",
    "db.services.mfa.recovery_codes_left": "reads",
    "db.services.mfa.remove_own": "two-step sign-in changes no meeting",
    "db.services.mfa.reset": "two-step sign-in changes no meeting",
    "db.services.mfa.sign_in_with_code": "a sign-in changes no meeting",
    "db.records.retention.years_before": "date arithmetic",
    "db.records.retention.years_after": "date arithmetic",
    "db.records.retention.retention_policy": "reads",
    "db.records.retention.set_retention_policy": "a setting no meeting shows",
    "db.records.retention.families_due": "reads",
    "db.records.retention.anonymise_due_families": "only families closed for years, on no open meeting's caseload",
    "db.records.retention.delete_due_families": "only families anonymised years ago, on no open meeting's caseload",
    "db.records.retention.deletion_policy": "reads",
    "db.records.retention.families_due_for_deletion": "reads",
    "db.records.retention.set_deletion_policy": "a setting no meeting shows",
    "db.services.erasure.dependent_rows": "reads",
    "db.services.erasure.new_token": "makes a token, writes nothing",
    "db.services.erasure.erase_families_in": "runs inside erase_family and the deletion rule",
    "db.services.family_details.clean_reason": "checks text, writes nothing",
    "db.services.family_details.leave_chairs_screens": "runs inside corrections, restriction and erasure, which bump",
    "db.records.backup.head_revision": "reads",
    "db.records.backup.known_revisions": "reads",
    "db.records.backup.database_snapshot": "reads",
    "db.records.backup.downgrade": "schema only, with the app stopped (docs/records.md)",
    "db.records.backup.sqlite_file_snapshot": "reads",
    "db.records.backup.pg_dump_command": "builds a command",
    "db.records.backup.pg_restore_command": "builds a command",
    "db.records.backup.pg_tools_missing": "reads",
    "db.records.backup.pg_dump_snapshot": "reads",
    "db.records.backup.backup_database": "reads",
    "db.records.backup.restore_database": "into an empty database only; shared results are keyed by opening time too",
    "db.services.supervision.save_update_in": "runs inside save_family_form, which bumps",
    "db.services.supervision.clean_update_text": "checks text, writes nothing",
    "db.services.supervision.correct_update": "a closed meeting's record: no live screen shows it",
    "db.services.supervision.correct_decision": "a closed meeting's record: no live screen shows it",
    "db.services.meetings.discussed_without_decision": "reads",
    "db.services.choices.add_choice": "a new entry changes no record; the forms read the lists at every full run",
    "db.services.choices.retire_choice": "a retired entry keeps its words on the records that chose it",
}


@dataclass
class World:
    team: Team1
    admin: User
    fsw: User
    meeting_id: int
    closed_id: int
    closed_rating: Rating
    old_action: Action
    mh_involvement: Involvement
    tmp_path: Path


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> World:
    """A team with an open meeting (the factory's), the month before closed with one rating, an action agreed
    then, an administrator and a family support worker not yet working with the family."""
    with transaction(engine) as s:
        team = make_team(s)
        admin = User(display_name="Ada Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        fsw = User(display_name="Fay Support", email="fsw@example.org", role=Role.FAMILY_SUPPORT_WORKER, team=team.team)
        before = Meeting(
            team=team.team,
            held_on=MEETING_DAY - dt.timedelta(days=28),
            status=MeetingStatus.CLOSED,
            chair=team.manager,
            closed_at=dt.datetime(2026, 9, 16, 12, tzinfo=dt.UTC),
        )
        s.add_all([admin, fsw, before])
        s.flush()
        rating = Rating(
            meeting_id=before.id, child_id=team.child.id, practitioner_id=team.social_worker.id, rag=RAG.RED
        )
        action = Action(
            family_id=team.family.id,
            meeting_id=before.id,
            text="Visit the family at home",
            owner_id=team.social_worker.id,
            due_on=MEETING_DAY - dt.timedelta(days=7),
        )
        s.add_all([rating, action])
        s.flush()
        involvement = s.scalars(select(Involvement).where(Involvement.practitioner_id == team.mental_health.id)).one()
        return World(team, admin, fsw, team.meeting.id, before.id, rating, action, involvement, tmp_path)


def _outcome(engine: Engine) -> int:
    with reading(engine) as s:
        return s.scalars(select(ChoiceItem.id).where(ChoiceItem.kind == ChoiceKind.OUTCOME)).first() or 0


def _lift_restriction(engine: Engine, w: World) -> object:
    with transaction(engine) as s:  # restricted directly, so only the lifting is measured
        s.get_one(Family, w.team.family.id).restricted_at = utcnow()
    return lift_restriction(engine, w.admin, w.team.family.id, "reviewed with the IG lead")


def _ssd_import(engine: Engine, w: World) -> object:
    extract = ssd_extracts.extract(w.tmp_path)
    return import_ssd(engine, w.admin, extract, ssd_extracts.mapping(), today=ssd_extracts.TODAY)


WRITES: dict[str, Callable[[Engine, World], object]] = {
    "db.services.meetings.move_meeting": lambda e, w: move_meeting(
        e, w.team.manager, w.meeting_id, MEETING_DAY + dt.timedelta(days=1), None
    ),
    "db.services.restriction.restrict_family": lambda e, w: restrict_family(
        e, w.admin, w.team.family.id, "a member of staff is related to the family"
    ),
    "db.services.restriction.lift_restriction": _lift_restriction,
    "db.services.family_details.correct_family": lambda e, w: correct_family(
        e,
        w.admin,
        w.team.family.id,
        case_reference="F-1-CORRECTED",
        team_id=w.team.team.id,
        social_worker_id=w.team.social_worker.id,
        opened_on=w.team.family.opened_on,
        reason="typed wrongly at referral",
    ),
    "db.services.family_details.correct_child": lambda e, w: correct_child(
        e,
        w.admin,
        w.team.child.id,
        case_reference=w.team.child.case_reference,
        first_name="Corrected",
        date_of_birth=w.team.child.date_of_birth,
        reason="typed wrongly at referral",
    ),
    "db.services.erasure.erase_family": lambda e, w: erase_family(
        e,
        w.admin,
        w.team.family.id,
        reason="duplicate",
        explanation="entered twice",
        confirm_reference=w.team.family.case_reference,
    ),
    "db.services.erasure.erase_child": lambda e, w: erase_child(
        e,
        w.admin,
        w.team.child.id,
        reason="duplicate",
        explanation="entered twice",
        confirm_reference=w.team.child.case_reference,
    ),
    "db.services.ratings.save_ratings": lambda e, w: save_ratings(
        e, w.team.social_worker, w.meeting_id, [RatingEntry(w.team.child.id, RAG.AMBER)]
    ),
    "db.services.ratings.save_family_form": lambda e, w: save_family_form(
        e, w.team.social_worker, w.meeting_id, [], UpdateEntry(w.team.family.id, "Visited twice")
    ),
    "db.services.supervision.record_decision": lambda e, w: record_decision(
        e, w.team.manager, w.meeting_id, w.team.family.id, "Continue the plan", _outcome(e), None, None
    ),
    "db.services.discussions.open_family": lambda e, w: open_family(e, w.team.manager, w.meeting_id, w.team.family.id),
    "db.services.discussions.run_the_clock": lambda e, w: run_the_clock(
        e, w.team.manager, w.meeting_id, w.team.family.id, True
    ),
    "db.services.discussions.mark_discussed": lambda e, w: mark_discussed(
        e, w.team.manager, w.meeting_id, w.team.family.id
    ),
    "db.services.discussions.set_meeting_length": lambda e, w: set_meeting_length(e, w.team.manager, w.meeting_id, 90),
    "db.services.actions.add_action": lambda e, w: add_action(
        e,
        w.team.manager,
        w.meeting_id,
        w.team.family.id,
        "Ask the school about attendance",
        w.team.social_worker.id,
        MEETING_DAY + dt.timedelta(days=14),
    ),
    "db.services.actions.complete_action": lambda e, w: complete_action(
        e, w.team.manager, w.old_action.id, MEETING_DAY, today=MEETING_DAY
    ),
    "db.services.meetings.close_meeting": lambda e, w: close_meeting(e, w.team.manager, w.meeting_id),
    "db.services.corrections.correct_rating": lambda e, w: correct_rating(
        e, w.team.manager, w.closed_rating.id, RAG.AMBER, "Entered against the wrong child", w.closed_rating.version
    ),
    "db.services.scores.rebuild_scores": lambda e, w: rebuild_scores(e, None),
    "db.services.scores.set_team_policy": lambda e, w: set_team_policy(e, None, w.team.team.id, "median"),
    "db.services.family_details.correct_family_name": lambda e, w: correct_family_name(
        e, w.admin, w.team.family.id, "Brown", held=None, reason="As the case system has it"
    ),
    "db.services.team_settings.set_presentation_initials": lambda e, w: set_presentation_initials(
        e, None, w.team.team.id, True
    ),
    "db.services.admin.update_user": lambda e, w: update_user(
        e,
        w.admin,
        w.team.mental_health.id,
        role=Role.MENTAL_HEALTH_PRACTITIONER,
        team_id=w.team.team.id,
        office_id=None,
        active=False,
    ),
    "db.services.admin.add_involvement": lambda e, w: add_involvement(
        e, w.admin, w.team.family.id, w.fsw.id, MEETING_DAY - dt.timedelta(days=30)
    ),
    "db.services.admin.end_involvement": lambda e, w: end_involvement(
        e, w.admin, w.mh_involvement.id, MEETING_DAY - dt.timedelta(days=1)
    ),
    "db.imports.service.import_caseload": lambda e, w: import_caseload(
        e,
        w.admin,
        "caseload.csv",
        csv_bytes([row(legal_status="Child in Need", legal_status_from="01/09/2026")]),
        today=TODAY,
    ),
    "db.imports.ssd.service.import_ssd": _ssd_import,
}


def _public_functions() -> set[str]:
    found = set()
    for name in WRITE_MODULES:
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if inspect.isfunction(value) and value.__module__ == name and not attribute.startswith("_"):
                found.add(f"{name}.{attribute}")
    return found


def test_every_write_is_either_run_here_or_said_not_to_show() -> None:
    found = _public_functions()
    assert not set(WRITES) & set(NOT_SHOWN)
    assert sorted(found - set(WRITES) - set(NOT_SHOWN)) == [], (
        "New write functions: run each in WRITES (tests/db/test_meeting_changes.py) and bump the meeting's counter "
        "(db/services/meeting_changes.py), or say in NOT_SHOWN why the Meeting page cannot show what it writes."
    )
    assert sorted((set(WRITES) | set(NOT_SHOWN)) - found) == []  # nothing listed that no longer exists


def _changes(engine: Engine, meeting_id: int) -> int:
    with reading(engine) as s:
        return s.scalars(select(Meeting.changes).where(Meeting.id == meeting_id)).one()


@pytest.mark.parametrize("write", sorted(WRITES))
def test_each_write_the_meeting_shows_moves_its_counter(engine: Engine, world: World, write: str) -> None:
    before = _changes(engine, world.meeting_id)
    WRITES[write](engine, world)
    assert _changes(engine, world.meeting_id) > before


def test_a_write_refused_moves_nothing(engine: Engine, world: World) -> None:
    before = _changes(engine, world.meeting_id)
    with pytest.raises(AccessDenied, match="only rate children of families you work with"):
        save_ratings(engine, world.fsw, world.meeting_id, [RatingEntry(world.team.child.id, RAG.RED)])
    assert _changes(engine, world.meeting_id) == before


def test_a_refresh_with_nothing_new_reuses_the_shared_ranking_and_a_change_is_seen_at_once(
    engine: Engine, world: World
) -> None:
    chair, worker = world.team.manager, world.team.social_worker
    first = ranked_caseload(engine, chair, world.meeting_id)[1]
    card = family_card(engine, chair, world.meeting_id, world.team.family.id)
    computed = SHARED.computed
    mark = meeting_mark(engine, chair, world.meeting_id)

    # another session of the same team, at the same mark: served what was computed, nothing computed again
    assert ranked_caseload(engine, worker, world.meeting_id)[1] == first
    assert family_card(engine, worker, world.meeting_id, world.team.family.id) == card
    assert SHARED.computed == computed and meeting_mark(engine, worker, world.meeting_id) == mark

    save_ratings(engine, worker, world.meeting_id, [RatingEntry(world.team.child.id, RAG.RED)])
    assert meeting_mark(engine, chair, world.meeting_id).changes > mark.changes
    after = ranked_caseload(engine, chair, world.meeting_id)[1]
    assert (first[0].missing_ratings, after[0].missing_ratings) == (2, 1)
    assert (
        family_card(engine, chair, world.meeting_id, world.team.family.id).ratings[(world.team.child.id, worker.id)].rag
        is RAG.RED
    )


def test_the_shared_results_are_never_handed_to_someone_outside_the_team(engine: Engine, world: World) -> None:
    ranked_caseload(engine, world.team.manager, world.meeting_id)  # computed and shared for the team
    with transaction(engine) as s:
        other = make_team(s, name="Hitchin B", ref="F-2")
    for outsider in (other.manager, other.social_worker, world.admin):
        with pytest.raises(AccessDenied, match="not open to you"):
            ranked_caseload(engine, outsider, world.meeting_id)
        with pytest.raises(AccessDenied, match="not open to you"):
            family_card(engine, outsider, world.meeting_id, world.team.family.id)
        with pytest.raises(AccessDenied, match="not open to you"):
            meeting_mark(engine, outsider, world.meeting_id)
