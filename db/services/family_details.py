"""Correcting what fsdash holds about a family or a child (UK GDPR Art 16): administrators only, with a reason.

A case reference, a child's first name or date of birth, the family's team, allocated social worker or opening
date can be wrong in the caseload file or the SSD extract; the case management system is corrected first, and
this is for the dashboard's own copy when it cannot wait for the next import. Each correction is one audit event
of the family (`family.correct`, db.queries.audit_about.CORRECTION_VERB) with the values before and after and
the reason, so the audit search, subject access and the retention rule find it, and the references a record had
before stay linked to it (db.queries.audit_about.former_references). A restricted family can be corrected (that
is often why it was restricted); it stays restricted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from db.access import (
    require_active,
    require_admin,
    require_manager_of,
    require_unrestricted_for_admin,
    require_visible_family,
)
from db.errors import InvalidInput, NotFound
from db.models import RATIONALE_MAX, Child, Family, Involvement, Meeting, Team, User, utcnow
from db.plain_text import clean_text
from db.queries.audit_about import CORRECTION_VERB
from db.services.audit import record
from db.services.discussions import stop_the_clock
from db.services.meeting_changes import bump_open_meetings
from db.session import transaction
from risk.presentation import FAMILY_NAME_MAX
from risk.vocabulary import MeetingStatus, Role

REASON_MIN = 10
REFERENCE_MAX = 40
FIRST_NAME_MAX = 80
EARLIEST_BIRTH = dt.date(1990, 1, 1)
"""Children's services work with children and care leavers: a date of birth before this is a typing mistake."""


def clean_reason(reason: str) -> str:
    """The reason every records change carries: long enough to mean something, short enough to read."""
    reason = " ".join((reason or "").split())
    if len(reason) < REASON_MIN:
        raise InvalidInput(f"Say why (at least {REASON_MIN} characters): the reason stays in the audit trail.")
    return clean_text(reason, what="The reason", limit=RATIONALE_MAX)


def _reference(value: str, what: str) -> str:
    return clean_text(value or "", what=f"The {what}'s case reference", limit=REFERENCE_MAX)


def _taken(session: Session, model: type[Family] | type[Child], reference: str, own_id: int) -> bool:
    found = session.scalar(select(model.id).where(func.lower(model.case_reference) == reference.lower()))
    return found is not None and found != own_id


def leave_chairs_screens(session: Session, family_id: int) -> None:
    """Take the family off the screen of any open meeting's chair (its time so far is kept): it is leaving that
    meeting's caseload (moved to another team, restricted or erased)."""
    now = utcnow()
    for meeting in session.scalars(
        select(Meeting).where(Meeting.focus_family_id == family_id, Meeting.status == MeetingStatus.OPEN)
    ):
        stop_the_clock(session, meeting, now)
        meeting.focus_family_id = meeting.focus_opened_at = None


def correct_family(
    engine: Engine,
    actor: User | None,
    family_id: int,
    *,
    case_reference: str,
    team_id: int,
    social_worker_id: int | None,
    opened_on: dt.date,
    reason: str,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Set the family's details to these values (the form sends them all; only what differs changes). Moving the
    family to another team ends, today, the involvement of every professional who is not in that team, and the
    allocated social worker must be one of its professionals. Returns what changed, as audited."""
    actor = require_admin(actor)
    reason = clean_reason(reason)
    today = today or dt.date.today()
    case_reference = _reference(case_reference, "family")
    with transaction(engine) as session:
        family = session.get(Family, family_id, with_for_update=True)
        if family is None:
            raise NotFound("That family does not exist.")
        team = session.get(Team, team_id)
        if team is None:
            raise InvalidInput("Choose the team the family belongs to.")
        if _taken(session, Family, case_reference, family.id):
            raise InvalidInput(f"Another family already has the case reference {case_reference}.")
        if social_worker_id is not None:
            worker = session.get(User, social_worker_id)
            if worker is None or not worker.active or not worker.role.rates_children or worker.team_id != team.id:
                raise InvalidInput(f"The allocated social worker must be an active professional of {team.name}.")
        if opened_on > today:
            raise InvalidInput("A case cannot have opened after today.")
        if family.closed_on is not None and opened_on > family.closed_on:
            raise InvalidInput(f"The case closed on {family.closed_on:%d/%m/%Y}: it must have opened by then.")
        wanted: dict[str, Any] = {
            "case_reference": case_reference,
            "team_id": team.id,
            "social_worker_id": social_worker_id,
            "opened_on": opened_on,
        }
        changed = sorted(key for key, value in wanted.items() if getattr(family, key) != value)
        if not changed:
            raise InvalidInput("These are the details already held: nothing to correct.")
        before = {key: _plain(getattr(family, key)) for key in changed}
        after: dict[str, Any] = {key: _plain(wanted[key]) for key in changed}
        if "team_id" in changed:
            leave_chairs_screens(session, family.id)
            ended = _end_other_teams_involvement(session, family, team)
            if ended:
                after["involvements_ended"] = ended
        bump_open_meetings(session, {family.team_id, team.id})  # the reference or the caseload itself changes
        for key in changed:
            setattr(family, key, wanted[key])
        record(session, actor, CORRECTION_VERB, "family", family.id, before=before, after=after | {"reason": reason})
        return after


def correct_family_name(
    engine: Engine,
    actor: User | None,
    family_id: int,
    display_name: str,
    *,
    held: str | None,
    reason: str,
) -> str | None:
    """Set the family's name as the case system holds it (empty: no name), when the import got it wrong or the
    case system changed it and the next import is a month away. The team's own manager (who chairs the meeting
    where the name is read out) or an administrator may; a restricted family changes for nobody until the
    restriction is lifted. `held` is the name the form showed: if someone else changed it since, nothing is
    overwritten and the form is told to show the name now held. Audited as a correction of the family, with the
    name before and after and the reason. Returns the name now held."""
    name = clean_text(
        " ".join((display_name or "").split()), what="The family's name", limit=FAMILY_NAME_MAX, required=False
    )
    reason = clean_reason(reason)
    with transaction(engine) as session:
        actor = require_active(actor)
        if actor.role is Role.ADMINISTRATOR:
            family = session.get(Family, family_id, with_for_update=True)
            if family is None:
                raise NotFound("That family does not exist.")
            require_unrestricted_for_admin(family)
        else:
            require_manager_of(session, actor, require_visible_family(session, family_id).team_id)
            family = session.get_one(Family, family_id, with_for_update=True)
            if family.restricted_at is not None:  # restricted meanwhile
                raise NotFound("That family does not exist.")
        if family.display_name != held:
            now = f"“{family.display_name}”" if family.display_name else "no name"
            raise InvalidInput(
                f"Someone else changed this family's name since you opened the page (it is now {now}); nothing was "
                "overwritten. Look again, then correct it if it still needs it."
            )
        wanted = name or None
        if wanted == family.display_name:
            raise InvalidInput("This is the name already held: nothing to correct.")
        before = {"display_name": family.display_name}
        family.display_name = wanted
        bump_open_meetings(session, [family.team_id])  # the name is on the ranking and the cards
        record(
            session,
            actor,
            CORRECTION_VERB,
            "family",
            family.id,
            before=before,
            after={"display_name": wanted, "reason": reason},
        )
        return wanted


def _end_other_teams_involvement(session: Session, family: Family, team: Team) -> list[int]:
    """End today the current involvement of professionals outside `team` (an office psychologist of the team's
    office stays); returns their ids."""
    today = dt.date.today()
    ended = []
    for involvement in session.scalars(
        select(Involvement)
        .where(Involvement.family_id == family.id, (Involvement.ended_on.is_(None)) | (Involvement.ended_on > today))
        .order_by(Involvement.practitioner_id)
    ):
        person = involvement.practitioner
        stays = person.team_id == team.id or (person.team_id is None and person.office_id == team.office_id)
        if not stays:
            involvement.ended_on = max(today, involvement.started_on + dt.timedelta(days=1))
            ended.append(person.id)
    return ended


def correct_child(
    engine: Engine,
    actor: User | None,
    child_id: int,
    *,
    case_reference: str,
    first_name: str,
    date_of_birth: dt.date,
    reason: str,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Set the child's details to these values (only what differs changes). Audited as an event of the family,
    keyed by the child's reference as an import records a child's changes, so the retention rule replaces them
    as it replaces the child's record. Returns what changed."""
    actor = require_admin(actor)
    reason = clean_reason(reason)
    today = today or dt.date.today()
    case_reference = _reference(case_reference, "child")
    first_name = clean_text(" ".join((first_name or "").split()), what="The first name", limit=FIRST_NAME_MAX)
    if not EARLIEST_BIRTH <= date_of_birth <= today:
        raise InvalidInput(f"A date of birth is between {EARLIEST_BIRTH:%d/%m/%Y} and today.")
    with transaction(engine) as session:
        child = session.get(Child, child_id, with_for_update=True)
        if child is None:
            raise NotFound("That child does not exist.")
        if _taken(session, Child, case_reference, child.id):
            raise InvalidInput(f"Another child already has the case reference {case_reference}.")
        wanted: dict[str, Any] = {
            "case_reference": case_reference,
            "first_name": first_name,
            "date_of_birth": date_of_birth,
        }
        changed = sorted(key for key, value in wanted.items() if getattr(child, key) != value)
        if not changed:
            raise InvalidInput("These are the details already held: nothing to correct.")
        old = {key: _plain(getattr(child, key)) for key in changed}
        new = {key: _plain(wanted[key]) for key in changed}
        before = {"children": {child.case_reference: {"child_id": child.id} | old}}
        after = {"children": {case_reference: {"child_id": child.id} | new}, "reason": reason}
        for key in changed:
            setattr(child, key, wanted[key])
        bump_open_meetings(session, [session.get_one(Family, child.family_id).team_id])  # a name on the cards
        record(session, actor, CORRECTION_VERB, "family", child.family_id, before=before, after=after)
        return new


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
