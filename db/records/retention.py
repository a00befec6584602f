"""The retention rule: a closed family's case data is kept for a number of years after closure, then anonymised.

The council sets the number of years from its own retention schedule (the dashboard is not the case record; the
case management system keeps its own). Anonymising keeps what the team and service figures are made of (ratings'
colours, stored scores and bands, legal status history, dates of the case and of meetings, who worked with the
family) and replaces what identifies the family: case references by a random pseudonym, children's first names
by "Child 1", "Child 2"…, dates of birth by 1 July of the year of birth, rationales, action texts, the
professionals' updates and the chair's decisions (with their correction reasons) by a note that they were removed,
and the children's names inside stored explanations.

The audit trail is append-only, but what it held about the family would identify it still. It is pseudonymised
the same way, in the same transaction, through the one path its triggers allow (see migration 0003): a permit
row that exists only inside this transaction, and changes to events' `before`/`after` details only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, case, func, select, update
from sqlalchemy.orm import Session

from db.access import require_admin_or_command_line, visible_families
from db.errors import InvalidInput
from db.models import (
    Action,
    AuditEvent,
    Child,
    DeletionRule,
    Family,
    FamilyAnonymisation,
    FamilyDecision,
    FamilyRiskScore,
    Office,
    Rating,
    RetentionRule,
    SupervisionUpdate,
    Team,
    User,
)
from db.queries.audit_about import CHILD, FAMILY, Subject, events_about, family_subject, rename_references
from db.records.audit_rewrite import audit_permit, rewrite_details
from db.records.pseudonyms import (
    REMOVED,
    ReferenceReplacer,
    map_json,
    new_pseudonym,
    rename_children,
)
from db.services.audit import record
from db.services.erasure import erase_families_in
from db.session import reading, transaction

DEFAULT_YEARS_AFTER_CLOSURE = 6
"""Shown until an administrator sets the council's own figure; anonymising is refused until then."""
MIN_YEARS, MAX_YEARS = 1, 100
EXPLANATION_REMOVED = "The explanation was removed under the retention rule because it named the children."
_SCAN_BATCH = 2_000


@dataclass(frozen=True)
class RetentionPolicy:
    years_after_closure: int
    set_by: str | None
    set_at: dt.datetime | None

    @property
    def is_set(self) -> bool:
        """False while the default stands: nobody has yet set the council's own figure."""
        return self.set_at is not None


@dataclass(frozen=True)
class DueFamily:
    family_id: int
    case_reference: str
    team: str
    office: str
    closed_on: dt.date
    due_on: dt.date
    children: int


@dataclass
class AnonymisationResult:
    years_after_closure: int
    dry_run: bool
    families: int = 0
    children: int = 0
    rationales_removed: int = 0
    actions_removed: int = 0
    updates_removed: int = 0
    decisions_removed: int = 0
    explanations_rewritten: int = 0
    audit_events_pseudonymised: int = 0
    pseudonyms: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "families": self.families,
            "children": self.children,
            "rationales_removed": self.rationales_removed,
            "actions_removed": self.actions_removed,
            "updates_removed": self.updates_removed,
            "decisions_removed": self.decisions_removed,
            "explanations_rewritten": self.explanations_rewritten,
            "audit_events_pseudonymised": self.audit_events_pseudonymised,
        }


class _RollBack(Exception):
    """Ends a dry run's transaction after counting, so nothing it did is kept."""


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier (29 February becomes 28 February in a year without it)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def years_after(day: dt.date, years: int) -> dt.date:
    return years_before(day, -years)


def _policy(session: Session) -> RetentionPolicy:
    row = session.execute(
        select(RetentionRule, User.display_name)
        .outerjoin(User, User.id == RetentionRule.set_by_id)
        .order_by(RetentionRule.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return RetentionPolicy(DEFAULT_YEARS_AFTER_CLOSURE, None, None)
    rule, name = row
    return RetentionPolicy(rule.years_after_closure, name or "command line", rule.set_at)


def retention_policy(engine: Engine, actor: User | None) -> RetentionPolicy:
    require_admin_or_command_line(actor)
    with reading(engine) as session:
        return _policy(session)


def set_retention_policy(engine: Engine, actor: User | None, years_after_closure: int) -> RetentionPolicy:
    """Set how many whole years after closure a family's case data is kept (a new rule row; audited)."""
    require_admin_or_command_line(actor)
    if not MIN_YEARS <= years_after_closure <= MAX_YEARS:
        raise InvalidInput(
            f"Keep closed families for between {MIN_YEARS} and {MAX_YEARS} years; {years_after_closure} is not allowed."
        )
    with transaction(engine) as session:
        before = _policy(session)
        session.add(RetentionRule(years_after_closure=years_after_closure, set_by_id=actor.id if actor else None))
        record(
            session,
            actor,
            "retention.rule",
            "retention_rule",
            None,
            before={"years_after_closure": before.years_after_closure, "was_default": not before.is_set},
            after={"years_after_closure": years_after_closure},
        )
        session.flush()
        return _policy(session)


def _due(session: Session, years: int, today: dt.date) -> list[DueFamily]:
    """Closed, not yet anonymised families whose closing day plus `years` has come (29 February closures fall
    due on 28 February)."""
    children = select(func.count(Child.id)).where(Child.family_id == Family.id).scalar_subquery()
    rows = session.execute(
        select(Family.id, Family.case_reference, Team.name, Office.name, Family.closed_on, children)
        .join(Team, Team.id == Family.team_id)
        .join(Office, Office.id == Team.office_id)
        .outerjoin(FamilyAnonymisation, FamilyAnonymisation.family_id == Family.id)
        .where(
            Family.closed_on.is_not(None),
            Family.closed_on <= years_before(today, years) + dt.timedelta(days=1),
            FamilyAnonymisation.family_id.is_(None),
            visible_families(),  # kept while restricted: Art 18(1)(c), a subject may need it kept for a claim
        )
        .order_by(Family.closed_on, Family.case_reference)
    ).all()
    due = [
        DueFamily(fid, ref, team, office, closed, years_after(closed, years), count)
        for fid, ref, team, office, closed, count in rows
    ]
    return [d for d in due if d.due_on <= today]


def families_due(
    engine: Engine, actor: User | None, today: dt.date | None = None
) -> tuple[RetentionPolicy, list[DueFamily]]:
    """The rule in force and the closed families whose retention period has ended and are not yet anonymised."""
    require_admin_or_command_line(actor)
    today = today or dt.date.today()
    with reading(engine) as session:
        policy = _policy(session)
        return policy, _due(session, policy.years_after_closure, today)


def anonymise_due_families(
    engine: Engine, actor: User | None, *, dry_run: bool = False, today: dt.date | None = None
) -> AnonymisationResult:
    """Anonymise every family due under the rule, with the audit trail's mentions of them, in one transaction.

    Refused while the default rule stands (a dry run still shows what the default would do), and as of a future
    date (a dry run may look ahead). A dry run does all of it and rolls back, so its counts are exactly what
    applying would change. Audited with the counts and the new pseudonyms, never the old references.
    """
    require_admin_or_command_line(actor)
    if today is not None and today > dt.date.today() and not dry_run:
        raise InvalidInput(
            "Families can only be anonymised as of today: a later date would anonymise some before their time. "
            "Use a dry run to see what a later date would include."
        )
    today = today or dt.date.today()
    try:
        with transaction(engine) as session:
            policy = _policy(session)
            if not policy.is_set and not dry_run:
                raise InvalidInput(
                    "No retention rule has been set yet, so nothing was anonymised. Set the number of years your "
                    "council's retention schedule gives (Admin page, or `fsdash retention set --years N`) first."
                )
            result = AnonymisationResult(policy.years_after_closure, dry_run)
            due = _due(session, policy.years_after_closure, today)
            if due:
                _anonymise(session, actor, due, result)
            if dry_run:
                raise _RollBack
            record(
                session,
                actor,
                "retention.apply",
                "retention_rule",
                None,
                after={
                    "years_after_closure": policy.years_after_closure,
                    "as_of": today.isoformat(),
                    "counts": result.counts(),
                    "pseudonyms": result.pseudonyms,
                },
            )
    except _RollBack:
        pass
    return result


def _anonymise(session: Session, actor: User | None, due: list[DueFamily], result: AnonymisationResult) -> None:
    family_ids = [d.family_id for d in due]
    with audit_permit(session, actor, "retention"):
        _anonymise_families(session, actor, family_ids, result)


def _anonymise_families(
    session: Session, actor: User | None, family_ids: list[int], result: AnonymisationResult
) -> None:

    subject = family_subject(session, family_ids)  # the old references, before they are replaced
    references: dict[str, str] = {}
    renames: dict[str, dict[str, str]] = {FAMILY: {}, CHILD: {}}
    names_by_family: dict[int, dict[str, str]] = {}
    labels_by_family: dict[int, dict[str, str]] = {}
    families = {f.id: f for f in session.scalars(select(Family).where(Family.id.in_(family_ids)))}
    pseudonym_of: dict[tuple[str, int], str] = {}
    children_by_family: dict[int, list[Child]] = {fid: [] for fid in family_ids}
    for child in session.scalars(
        select(Child).where(Child.family_id.in_(family_ids)).order_by(Child.family_id, Child.date_of_birth, Child.id)
    ):
        children_by_family[child.family_id].append(child)

    for family_id in family_ids:
        family = families[family_id]
        pseudonym = new_pseudonym()
        references[family.case_reference] = renames[FAMILY][family.case_reference.lower()] = pseudonym
        family.case_reference = pseudonym
        family.display_name = None  # the surnames name the family as surely as its reference
        pseudonym_of[FAMILY, family_id] = pseudonym
        result.pseudonyms.append(pseudonym)
        names: dict[str, str] = {}
        labels: dict[str, str] = {}
        for number, child in enumerate(children_by_family[family_id], start=1):
            child_pseudonym = new_pseudonym()
            references[child.case_reference] = renames[CHILD][child.case_reference.lower()] = child_pseudonym
            labels[child_pseudonym.lower()] = f"Child {number}"
            pseudonym_of[CHILD, child.id] = child_pseudonym
            child.case_reference = child_pseudonym
            names[child.first_name] = f"Child {number}"
            child.first_name = f"Child {number}"
            child.date_of_birth = dt.date(child.date_of_birth.year, 7, 1)
            result.children += 1
        names_by_family[family_id], labels_by_family[family_id] = names, labels
        session.add(
            FamilyAnonymisation(
                family_id=family_id,
                years_after_closure=result.years_after_closure,
                actor_id=actor.id if actor else None,
            )
        )
        result.families += 1
    for former, (kind, record_id) in subject.former.items():  # references an administrator corrected
        if (kind, record_id) in pseudonym_of:
            references[former] = renames[kind][former] = pseudonym_of[kind, record_id]
    session.flush()

    child_ids = select(Child.id).where(Child.family_id.in_(family_ids))
    ratings = Rating.__table__
    # Core updates: a rating's version and updated_at are the history of what professionals did; they stay.
    # (Session.execute returns a CursorResult for an UPDATE, as its documentation says, but is typed as returning
    # any Result, which has no rowcount: hence the two ignores.)
    result.rationales_removed = session.execute(
        update(ratings)
        .where(ratings.c.child_id.in_(child_ids), ratings.c.rationale.is_not(None))
        .values(rationale=REMOVED, updated_at=ratings.c.updated_at)
    ).rowcount  # type: ignore[attr-defined]
    result.actions_removed = session.execute(
        update(Action.__table__).where(Action.__table__.c.family_id.in_(family_ids)).values(text=REMOVED)
    ).rowcount  # type: ignore[attr-defined]
    # The professionals' updates and the chair's decisions are free text about the family, like rationales: removed,
    # with the reasons of their corrections; who wrote them, when, the kind of work and the outcome stay.
    for model in (SupervisionUpdate, FamilyDecision):
        table = model.__table__
        removed = session.execute(
            update(table)
            .where(table.c.family_id.in_(family_ids))
            .values(
                text=case((table.c.text.is_(None), None), else_=REMOVED),
                correction_reason=case((table.c.correction_reason.is_(None), None), else_=REMOVED),
                updated_at=table.c.updated_at,
            )
        ).rowcount  # type: ignore[attr-defined]
        if model is SupervisionUpdate:
            result.updates_removed = removed
        else:
            result.decisions_removed = removed
    for score in session.scalars(select(FamilyRiskScore).where(FamilyRiskScore.family_id.in_(family_ids))):
        explanation = score.components.get("explanation")
        if not explanation:
            continue
        renamed = rename_children(explanation, names_by_family[score.family_id]) or EXPLANATION_REMOVED
        if renamed != explanation:
            score.components = {**score.components, "explanation": renamed}
            result.explanations_rewritten += 1
    session.flush()

    result.audit_events_pseudonymised = _pseudonymise_audit(session, subject, references, renames, labels_by_family)


def _pseudonymise_audit(
    session: Session,
    subject: Subject,
    references: dict[str, str],
    renames: dict[str, dict[str, str]],
    labels: dict[int, dict[str, str]],
) -> int:
    """Rewrite the events about the families (db/queries/audit_about.py: the events subject access discloses and
    the audit search finds). Their own records' events: free text removed, every reference replaced, and the
    children's details an import recorded replaced as on the child's record (`_children_renamed`). The events
    that name them: those references replaced. Events about many families keep only scores and ids under the
    family's id, so there is nothing in them to replace. No other event is touched."""
    about = events_about(session, subject)
    own = set(session.scalars(select(AuditEvent.id).where(about.own)))
    ordered = sorted(own | about.naming)
    replacer = ReferenceReplacer(references)
    table = AuditEvent.__table__
    changed = 0
    for start in range(0, len(ordered), _SCAN_BATCH):
        changes = []
        for event in session.execute(
            select(table.c.id, table.c.entity_type, table.c.entity_id, table.c.before, table.c.after).where(
                table.c.id.in_(ordered[start : start + _SCAN_BATCH])
            )
        ):
            if event.id in own:
                family = labels.get(int(event.entity_id)) if event.entity_type == "family" else None
                # references first, so a child's new "Child 2" is not read as the reference "2"
                before = _children_renamed(map_json(event.before, replacer, free_text=True), family)
                after = _children_renamed(map_json(event.after, replacer, free_text=True), family)
            else:
                before, after = rename_references(event.before, renames), rename_references(event.after, renames)
            if (before, after) != (event.before, event.after):
                changes.append((event.id, before, after))
        changed += rewrite_details(session, changes)
    return changed


def _children_renamed(value: Any, labels: dict[str, str] | None) -> Any:
    """`value` with what an import recorded about each child under `children`, keyed by the child's reference
    (its first name and date of birth, before and after a change), replaced as on the child's record: a date by
    1 July of its year, anything else by the child's "Child N" (`labels`: lower-cased pseudonym to label). The
    rest of the event is left to the reference replacer; a band called amber or a plan started on a birthday
    elsewhere in the event stays as it was."""
    if labels is None or not isinstance(value, dict):
        return value
    renamed = {}
    for key, item in value.items():
        if key == "children" and isinstance(item, dict):
            item = {
                reference: _child_details(details, labels[reference.lower()])
                if reference.lower() in labels
                else details
                for reference, details in item.items()
            }
        elif isinstance(item, dict):
            item = _children_renamed(item, labels)
        renamed[key] = item
    return renamed


def _child_details(value: Any, label: str) -> Any:
    if isinstance(value, list):
        return [_child_details(item, label) for item in value]
    if isinstance(value, dict):
        return {key: _child_details(item, label) for key, item in value.items()}
    if isinstance(value, str):
        try:
            return dt.date(dt.date.fromisoformat(value).year, 7, 1).isoformat()
        except ValueError:
            return label
    return value


# --- deletion after anonymising -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeletionPolicy:
    """Whether anonymised families are deleted, and how many whole years after they were anonymised (None: never,
    the default: the anonymised figures stay, see docs/records.md)."""

    years_after_anonymisation: int | None
    set_by: str | None
    set_at: dt.datetime | None


@dataclass(frozen=True)
class DueDeletion:
    family_id: int
    case_reference: str
    """the pseudonym the family was given when anonymised"""
    team: str
    anonymised_on: dt.date
    due_on: dt.date
    children: int


@dataclass
class DeletionResult:
    years_after_anonymisation: int | None
    dry_run: bool
    families: int = 0
    pseudonyms: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    meetings_rescored: int = 0
    audit_events_rewritten: int = 0


def _deletion_policy(session: Session) -> DeletionPolicy:
    row = session.execute(
        select(DeletionRule, User.display_name)
        .outerjoin(User, User.id == DeletionRule.set_by_id)
        .order_by(DeletionRule.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return DeletionPolicy(None, None, None)
    rule, name = row
    return DeletionPolicy(rule.years_after_anonymisation, name or "command line", rule.set_at)


def deletion_policy(engine: Engine, actor: User | None) -> DeletionPolicy:
    require_admin_or_command_line(actor)
    with reading(engine) as session:
        return _deletion_policy(session)


def set_deletion_policy(engine: Engine, actor: User | None, years_after_anonymisation: int | None) -> DeletionPolicy:
    """Switch deletion after anonymising on (whole years after each family was anonymised) or off (None): a new
    rule row, audited."""
    require_admin_or_command_line(actor)
    years = years_after_anonymisation
    if years is not None and not MIN_YEARS <= years <= MAX_YEARS:
        raise InvalidInput(
            f"Delete anonymised families between {MIN_YEARS} and {MAX_YEARS} years after anonymising, or never; "
            f"{years} is not allowed."
        )
    with transaction(engine) as session:
        before = _deletion_policy(session)
        session.add(DeletionRule(years_after_anonymisation=years, set_by_id=actor.id if actor else None))
        record(
            session,
            actor,
            "retention.deletion_rule",
            "retention_rule",
            None,
            before={"years_after_anonymisation": before.years_after_anonymisation},
            after={"years_after_anonymisation": years},
        )
        session.flush()
        return _deletion_policy(session)


def _due_for_deletion(session: Session, years: int | None, today: dt.date) -> list[DueDeletion]:
    if years is None:
        return []
    children = select(func.count(Child.id)).where(Child.family_id == Family.id).scalar_subquery()
    rows = session.execute(
        select(Family.id, Family.case_reference, Team.name, FamilyAnonymisation.anonymised_at, children)
        .join(FamilyAnonymisation, FamilyAnonymisation.family_id == Family.id)
        .join(Team, Team.id == Family.team_id)
        .where(visible_families())
        .order_by(FamilyAnonymisation.anonymised_at, Family.id)
    ).all()
    due = []
    for family_id, reference, team, anonymised_at, count in rows:
        on = anonymised_at.date()
        if (due_on := years_after(on, years)) <= today:
            due.append(DueDeletion(family_id, reference, team, on, due_on, count))
    return due


def families_due_for_deletion(
    engine: Engine, actor: User | None, today: dt.date | None = None
) -> tuple[DeletionPolicy, list[DueDeletion]]:
    """The deletion rule and the anonymised families it has come for (none while it is off)."""
    require_admin_or_command_line(actor)
    today = today or dt.date.today()
    with reading(engine) as session:
        policy = _deletion_policy(session)
        return policy, _due_for_deletion(session, policy.years_after_anonymisation, today)


def delete_due_families(
    engine: Engine, actor: User | None, *, dry_run: bool = False, today: dt.date | None = None
) -> DeletionResult:
    """Delete every anonymised family the deletion rule has come for, as erasing does (db.services.erasure: every
    row, the scores of the meetings affected stored again, the audit trail's details about them taken out), in
    one transaction; audited once with the counts and the families' pseudonyms. Refused while the rule is off and
    as of a future date; a dry run does it all and rolls back."""
    require_admin_or_command_line(actor)
    if today is not None and today > dt.date.today() and not dry_run:
        raise InvalidInput("Families can only be deleted as of today. Use a dry run to see what a later date would.")
    today = today or dt.date.today()
    try:
        with transaction(engine) as session:
            policy = _deletion_policy(session)
            if policy.years_after_anonymisation is None and not dry_run:
                raise InvalidInput(
                    "Deletion after anonymising is off, so nothing was deleted. Switch it on with the number of "
                    "years your council's policy gives (Admin page, or `fsdash retention set-deletion --years N`)."
                )
            result = DeletionResult(policy.years_after_anonymisation, dry_run)
            due = _due_for_deletion(session, policy.years_after_anonymisation, today)
            erased = erase_families_in(session, actor, [d.family_id for d in due], reason="retention", explanation=None)
            result.families = len(erased)
            result.pseudonyms = [d.case_reference for d in due]
            for done in erased:
                for table, count in done.rows.items():
                    result.rows[table] = result.rows.get(table, 0) + count
                result.meetings_rescored += done.meetings_rescored
                result.audit_events_rewritten += done.audit_events_rewritten
            if dry_run:
                raise _RollBack
            record(
                session,
                actor,
                "retention.delete",
                "retention_rule",
                None,
                after={
                    "years_after_anonymisation": policy.years_after_anonymisation,
                    "as_of": today.isoformat(),
                    "families": result.families,
                    "pseudonyms": result.pseudonyms,
                    "rows": result.rows,
                },
            )
    except _RollBack:
        pass
    return result
