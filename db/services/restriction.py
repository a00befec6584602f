"""Restricting a family (UK GDPR Art 18) and lifting the restriction: administrators only, with a reason, audited.

While a family is restricted nobody but an administrator sees it, and then only through the records tools (its
details, correcting them, lifting the restriction, subject access, erasure, the audit trail): every case query and
service leaves it out through one condition (db.access.visible_families), imports leave it as it is, the retention
rule holds it back, and its stored scores are kept. Why administrators, and not a separate information governance
role: an administrator can give any account any role, so a second role would separate nothing that the audit trail
does not already show; the records tools (subject access, retention, backups) are theirs already.
"""

from __future__ import annotations

from sqlalchemy import Engine

from db.access import require_admin
from db.errors import InvalidInput, NotFound
from db.models import Family, User, utcnow
from db.services.audit import record
from db.services.family_details import clean_reason, leave_chairs_screens
from db.services.meeting_changes import bump_open_meetings
from db.session import transaction


def restrict_family(engine: Engine, actor: User | None, family_id: int, reason: str) -> Family:
    """Restrict the family from now on. An open meeting whose chair has it on screen moves off it (its time so far
    is kept), so followers stop seeing it at once."""
    actor = require_admin(actor)
    reason = clean_reason(reason)
    with transaction(engine) as session:
        family = session.get(Family, family_id, with_for_update=True)
        if family is None:
            raise NotFound("That family does not exist.")
        if family.restricted_at is not None:
            raise InvalidInput(f"{family.case_reference} is already restricted.")
        leave_chairs_screens(session, family.id)
        family.restricted_at = utcnow()
        bump_open_meetings(session, [family.team_id])  # the family leaves its team's open meeting
        record(session, actor, "family.restrict", "family", family.id, after={"reason": reason})
        return family


def lift_restriction(engine: Engine, actor: User | None, family_id: int, reason: str) -> Family:
    """Lift the restriction: the family is back on its team's caseload from now on (meetings closed meanwhile have
    no score for it; `fsdash scores rebuild --team` can add them)."""
    actor = require_admin(actor)
    reason = clean_reason(reason)
    with transaction(engine) as session:
        family = session.get(Family, family_id, with_for_update=True)
        if family is None:
            raise NotFound("That family does not exist.")
        if family.restricted_at is None:
            raise InvalidInput(f"{family.case_reference} is not restricted.")
        since = family.restricted_at
        family.restricted_at = None
        bump_open_meetings(session, [family.team_id])  # back on its team's open meeting
        record(
            session,
            actor,
            "family.unrestrict",
            "family",
            family.id,
            before={"restricted_at": since.isoformat()},
            after={"reason": reason},
        )
        return family
