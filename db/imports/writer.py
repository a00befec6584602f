"""The one writer of every import: brings the records in line with a plan (plan.py), all or nothing, audited.

Whatever the input, the same steps, in one transaction. A dry run takes the same steps in a read-only transaction
and never flushes, so the preview's counts are the import's and checking an input never holds the write lock
(colleagues saving ratings are not kept waiting); what it would write is dropped with the session.

1. The teams the plan names, and their offices, are created if this service does not have them yet. The people it
   describes are matched to accounts by email; those without one are listed, and created inactive and without a
   password only when asked (an administrator activates them).
2. The records held for the plan's references are read with a few IN queries, a chunk of references at a time.
   What the plan asks that they cannot take (a child already in another family; in a plan of today, a plan that
   starts before the current one) refuses the whole import with every problem listed.
3. A new family is written in bulk with its children, their periods and its involvements (a first load of a county
   is some 2,000 families and 20,000 rows: one ORM object each would take seconds). A family held is brought in
   line: its columns, its children's names and dates of birth, their legal status and who works with it, merged
   as the plan's Scope says. A family the plan closes has what is still open ended on its closing day by the
   service's own closing (`end_case_records`), and so has one `close_missing` closes: an open family of the plan's
   teams that the plan does not list, closed today. Nothing is ever deleted, except the legal status periods of a
   child whose whole history, as the case system holds it, replaces them.
4. The audit trail: one event per family created, changed or closed, and one event for the import with what was
   read, its checksum and the counts (not an event per row: a 5,000-row file would bury the trail).

A family's change ("family.update") is audited in one shape whatever the input:
- before/after: each column of the family that changed (team_id, social_worker_id and plan.FAMILY_DETAILS);
- before/after["children"][reference]: {column: value} of each detail of a child that changed (plan.CHILD_DETAILS);
  after["children_added"]: the references of children added;
- before/after["legal_status"][reference]: the child's whole history, [[status, from, until], …], when it changed;
- after["involvements_started"]: [[practitioner id, from, until]]; after["involvements_changed"]: [[practitioner
  id, from, until before, until after]], an involvement the import stops among them;
- after["plans_ended"] and after["involvements_ended"]: what closing the family ended (`end_case_records`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session

from db.access import visible_families
from db.errors import InvalidInput
from db.imports.directory import Directory, read_directory
from db.imports.plan import (
    CHILD_DETAILS,
    FAMILY_DETAILS,
    WITHOUT_ACCOUNT,
    InputKind,
    Period,
    Plan,
    PlannedChild,
    PlannedFamily,
    PlannedTeam,
    Scope,
)
from db.imports.problems import ImportRefused, Problem
from db.imports.summary import Counts, ImportSummary, NewAccount
from db.models import Child, Family, Involvement, LegalStatusPeriod, Office, Team, User
from db.services.audit import record
from db.services.families import end_case_records
from db.services.meeting_changes import bump_open_meetings
from db.session import reading, transaction
from risk.vocabulary import LegalStatus, Role

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): what the import is doing and how far it has got."""
CHUNK = 500
RESTRICTED_LEFT = "restricted families, left as they are until the restriction is lifted"
ONE_DAY = dt.timedelta(days=1)
_T = TypeVar("_T")


@dataclass(frozen=True)
class Source:
    """The input a plan was read from, for the refusal, the audit trail and the summary."""

    kind: InputKind
    name: str
    """The file's name, or what an extract was read from."""
    sha256: str
    rows: int
    details: Mapping[str, Any] = field(default_factory=dict)
    """What the import event records about the input besides its checksum and counts ({"file_name": …})."""


def apply_plan(
    engine: Engine,
    actor: User | None,
    plan: Plan,
    source: Source,
    *,
    today: dt.date,
    dry_run: bool = False,
    close_missing: bool = False,
    create_accounts: bool = False,
    checked_against: Directory | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Apply the plan (unless `dry_run`) and return the counts; raises ImportRefused, with every problem, for a
    plan with problems or one the records held cannot take, and writes nothing then.

    The caller has checked the actor (only administrators import; None is the command line). `checked_against`
    is the directory a reader checked its input against: if teams or accounts changed since, nothing is written.
    """
    if plan.problems:
        raise ImportRefused(plan.problems, source.kind.noun)
    summary = ImportSummary(
        source.name,
        source.sha256,
        source.rows,
        dry_run,
        without_email=list(plan.without_email),
        ignored=dict(plan.ignored),
    )
    report = progress or (lambda *_: None)
    opened = reading(engine) if dry_run else transaction(engine)
    with opened as session, session.no_autoflush:
        writer = _Writer(session, actor, plan, source, summary, today, dry_run)
        writer.directory(checked_against)
        writer.teams()
        writer.accounts(create_accounts)
        writer.load()
        if problems := writer.problems():
            raise ImportRefused(problems, source.kind.noun)
        writer.families(report)
        if close_missing:
            writer.close_missing()
        if dry_run:
            session.expunge_all()  # never flushed: what the import would write goes with the read-only session
            return summary
        session.flush()
        writer.audit(close_missing=close_missing, create_accounts=create_accounts)
    return summary


AuditEntry = tuple[str, Family, dict[str, Any] | None, dict[str, Any]]


class _Writer:
    """One import's work inside its session: the directory first (teams, accounts), then the families."""

    def __init__(
        self,
        session: Session,
        actor: User | None,
        plan: Plan,
        source: Source,
        summary: ImportSummary,
        today: dt.date,
        dry: bool,
    ) -> None:
        self.session, self.actor, self.plan, self.source = session, actor, plan, source
        self.summary, self.today = summary, today
        self.dry = dry
        """Count, never write: new teams and accounts get stand-in ids below zero, nothing is flushed."""
        self.team_ids: dict[PlannedTeam, int] = {}
        self.team_names: dict[int, str] = {}
        """The name a team's families are counted under."""
        self.office_of: dict[int, int] = {}
        self.user_ids: dict[str, int] = {}
        """Account id by lower-case email."""
        self.held: dict[str, Family] = {}
        self.children: dict[str, Child] = {}
        self.periods: dict[int, list[LegalStatusPeriod]] = defaultdict(list)
        self.involvements: dict[int, list[Involvement]] = defaultdict(list)
        self.events: list[AuditEntry] = []
        """(verb, family, before, after) per family changed, written once every id exists."""

    # --- the directory: teams and accounts ----------------------------------------------------------------------

    def directory(self, checked_against: Directory | None) -> None:
        self.known = read_directory(self.session)
        if checked_against is not None and self.known != checked_against:
            raise InvalidInput(
                f"Teams or accounts changed while {self.source.kind.noun} was being checked, so nothing was imported. "
                "Import it again."
            )

    def teams(self) -> None:
        """The plan's teams and their offices, added when this service does not have them yet (audited)."""
        offices = dict(self.known.offices)
        teams = {name: (team.id, team.office_id) for name, team in self.known.teams.items()}
        named = set(self.plan.teams) | {family.team for family in self.plan.families}
        for team in sorted(named, key=lambda t: (t.office, t.name)):
            if team.name.lower() not in teams:
                office_id = offices.get(team.office.lower())
                if office_id is None:
                    office_id = offices[team.office.lower()] = self._create_office(team.office)
                teams[team.name.lower()] = (self._create_team(team.name, office_id), office_id)
            team_id, office_id = teams[team.name.lower()]
            self.team_ids[team] = team_id
            self.team_names.setdefault(team_id, team.name)
            self.office_of[team_id] = office_id

    def _create_office(self, name: str) -> int:
        self.summary.offices_created.append(name)
        if self.dry:
            return -len(self.summary.offices_created)
        office = Office(name=name)
        self.session.add(office)
        self.session.flush()
        record(self.session, self.actor, "office.create", "office", office.id, after={"name": office.name})
        return office.id

    def _create_team(self, name: str, office_id: int) -> int:
        self.summary.teams_created.append(name)
        if self.dry:
            return -len(self.summary.teams_created)
        team = Team(name=name, office_id=office_id)
        self.session.add(team)
        self.session.flush()
        after = {"name": team.name, "office_id": office_id, "source": self.source.kind.label}
        record(self.session, self.actor, "team.create", "team", team.id, after=after)
        return team.id

    def accounts(self, create: bool) -> None:
        """Every account by email; the professionals the plan describes who have none are listed, and created
        (in one flush: a county brings a few hundred) if asked."""
        self.user_ids = {email: person.id for email, person in self.known.people.items()}
        pending: dict[str, User] = {}
        for professional in self.plan.professionals.values():
            email = professional.email
            if email in self.user_ids:
                continue
            team_id = self.team_ids[professional.team]
            self.summary.accounts_to_create.append(
                NewAccount(professional.professional_id, professional.name, email, professional.role.value,
                           professional.team.name)
            )  # fmt: skip
            if not create or email in pending:
                continue
            in_office = professional.role is Role.PSYCHOLOGIST  # a psychologist serves every team of the office
            pending[email] = User(
                display_name=professional.name,
                email=email,
                role=professional.role,
                team_id=None if in_office else team_id,
                office_id=self.office_of[team_id],
                active=False,
                password_hash=None,
            )
        self.summary.accounts_created = len(pending)
        if self.dry:
            self.user_ids.update({email: -n for n, email in enumerate(pending, start=1)})
            return
        self.session.add_all(pending.values())
        self.session.flush()
        for email, user in pending.items():
            self.user_ids[email] = user.id
            after = {"email": email, "role": user.role.value, "team_id": user.team_id, "active": False}
            record(
                self.session,
                self.actor,
                "user.create",
                "user",
                user.id,
                after=after | {"source": self.source.kind.label},
            )

    # --- what is held ---------------------------------------------------------------------------------------------

    def load(self) -> None:
        """Families, children, periods and involvements held for the plan's references: a few IN queries."""
        family_refs = [f.reference for f in self.plan.families]
        child_refs = [c.reference for f in self.plan.families for c in f.children]
        for references in _chunks(family_refs):
            for family in self.session.scalars(select(Family).where(Family.case_reference.in_(references))):
                self.held[family.case_reference] = family
        for references in _chunks(child_refs):
            for child in self.session.scalars(select(Child).where(Child.case_reference.in_(references))):
                self.children[child.case_reference] = child
        for child_ids in _chunks([c.id for c in self.children.values()]):
            periods = select(LegalStatusPeriod).where(LegalStatusPeriod.child_id.in_(child_ids))
            for period in self.session.scalars(periods.order_by(LegalStatusPeriod.started_on)):
                self.periods[period.child_id].append(period)
        for family_ids in _chunks([f.id for f in self.held.values()]):
            involvements = select(Involvement).where(Involvement.family_id.in_(family_ids))
            if self.plan.scope is Scope.TODAY:  # a plan of today meets only the involvements running today
                involvements = involvements.where(Involvement.ended_on.is_(None) | (Involvement.ended_on > self.today))
            for involvement in self.session.scalars(involvements.order_by(Involvement.id)):
                self.involvements[involvement.family_id].append(involvement)

    def problems(self) -> list[Problem]:
        """What the plan asks that the records held cannot take, checked before anything is written."""
        found = []
        for family in self.plan.families:
            held = self.held.get(family.reference)
            for child in family.children:
                existing = self.children.get(child.reference)
                if existing is None:
                    continue
                if held is None or existing.family_id != held.id:
                    found.append(
                        child.family_place.problem(
                            f"child {child.reference} is already recorded in another family; a child cannot move "
                            f"between families in an import ({self.source.kind.noun} puts them in family "
                            f"{family.reference})"
                        )
                    )
                elif self.plan.scope is Scope.TODAY:
                    message = _current_plan_problem(self.periods.get(existing.id, []), family, child)
                    if message:
                        found.append(child.status_place.problem(message))
        return found

    # --- the families ---------------------------------------------------------------------------------------------

    def families(self, report: Progress) -> None:
        """Held families brought in line one by one; new ones written in bulk, a chunk at a time."""
        total = len(self.plan.families)
        fresh: list[PlannedFamily] = []
        for done, family in enumerate(self.plan.families, start=1):
            held = self.held.get(family.reference)
            if held is None:
                fresh.append(family)
            elif held.restricted_at is not None:  # nothing about a restricted family changes until it is lifted
                self.summary.ignored[RESTRICTED_LEFT] = self.summary.ignored.get(RESTRICTED_LEFT, 0) + 1
            else:
                self._update(held, family)
            if len(fresh) == CHUNK or done == total:
                self._create(fresh)
                fresh = []
            if done % CHUNK == 0 or done == total:
                if not self.dry:
                    self.session.flush()
                report("Working out the changes" if self.dry else "Writing families", done, total)

    def _counts(self, family: PlannedFamily) -> Counts:
        return self.summary.families_by_team.setdefault(self.team_names[self.team_ids[family.team]], Counts())

    def _columns(self, family: PlannedFamily) -> dict[str, Any]:
        """The family's own columns as the plan wants them."""
        columns = {
            "team_id": self.team_ids[family.team],
            "social_worker_id": self.user_ids.get(family.social_worker) if family.social_worker else None,
            **{name: getattr(family, name) for name in FAMILY_DETAILS},
        }
        if family.display_name is None:  # an input without a name leaves the name held as it is
            del columns["display_name"]
        return columns

    def _wanted_involvements(self, family: PlannedFamily) -> dict[tuple[int, dt.date], dt.date | None]:
        """(account id, from) -> until, for the people who have an account; the others' are left out and counted."""
        wanted = {}
        for email, stretches in family.involvements.items():
            user_id = self.user_ids.get(email)
            if user_id is None:
                self.summary.ignored[WITHOUT_ACCOUNT] = self.summary.ignored.get(WITHOUT_ACCOUNT, 0) + len(stretches)
                continue
            for start, end in stretches:
                wanted[(user_id, start)] = end
        return wanted

    def _create(self, families: Sequence[PlannedFamily]) -> None:
        new = []
        for family in families:
            wanted = self._wanted_involvements(family)
            new.append((family, self._columns(family), wanted))
            self._counts(family).created += 1
            self.summary.references["created"].append(family.reference)
            self.summary.children.created += len(family.children)
            self.summary.legal_statuses.created += sum(len(c.periods) for c in family.children)
            self.summary.involvements.created += len(wanted)
        if self.dry or not new:
            return
        rows = [Family(case_reference=family.reference, **columns) for family, columns, _ in new]
        self.session.add_all(rows)
        self.session.flush()
        children = [
            (child, Child(family_id=row.id, case_reference=child.reference, **_details(child)))
            for (family, _, _), row in zip(new, rows, strict=True)
            for child in family.children
        ]  # fmt: skip
        self.session.add_all([c for _, c in children])
        self.session.flush()
        periods = [
            {"child_id": row.id, "status": status, "started_on": start, "ended_on": end}
            for child, row in children
            for status, start, end in child.periods
        ]
        involvements = [
            {"family_id": row.id, "practitioner_id": user_id, "started_on": start, "ended_on": end}
            for (_, _, wanted), row in zip(new, rows, strict=True)
            for (user_id, start), end in sorted(wanted.items())
        ]
        # Core INSERT … RETURNING of many rows: SQLAlchemy sends it as a few multi-row statements compiled once
        # ("insertmanyvalues"); a plain executemany would cost PostgreSQL a statement per row, and the ORM's bulk
        # insert costs this process as much again.
        for model, values in ((LegalStatusPeriod, periods), (Involvement, involvements)):
            if values:
                table = model.__table__
                self.session.execute(insert(table).returning(table.c.id), values).all()
        for (family, columns, wanted), row in zip(new, rows, strict=True):
            after = {
                "case_reference": family.reference,
                **{name: _plain(value) for name, value in columns.items()},
                "children": [c.reference for c in family.children],
                "practitioner_ids": sorted({user_id for user_id, _ in wanted}),
                "source": self.source.kind.label,
            }
            if row.closed_on is not None and _leaves_open(family):
                after |= end_case_records(self.session, row)  # created closed: what the input left open ends
            self.events.append(("family.create", row, None, after))

    def _update(self, held: Family, family: PlannedFamily) -> None:
        wanted = self._columns(family)
        changed = sorted(key for key, value in wanted.items() if getattr(held, key) != value)
        before: dict[str, Any] = {key: _plain(getattr(held, key)) for key in changed}
        after: dict[str, Any] = {key: _plain(wanted[key]) for key in changed}
        for key in changed:
            setattr(held, key, wanted[key])
        for child in family.children:
            existing = self.children.get(child.reference)
            if existing is None:
                self._add_child(held, child)
                after.setdefault("children_added", []).append(child.reference)
                continue
            self._update_child(existing, child, before, after)
            self._update_legal_status(existing, family, child, before, after)
        self._update_involvements(held, family, after)
        closing = "closed_on" in changed and held.closed_on is not None
        if closing and not self.dry:
            self.session.flush()  # the closing reads what is still open, this import's changes included
            after.update(end_case_records(self.session, held))
        if closing:
            self._counts(family).closed += 1
            self.summary.references["closed"].append(family.reference)
        elif after:
            self._counts(family).updated += 1
            self.summary.references["updated"].append(family.reference)
        if after:
            self.events.append(("family.update", held, before, after))

    def _add_child(self, held: Family, child: PlannedChild) -> None:
        added = Child(family_id=held.id, case_reference=child.reference, **_details(child))
        self.session.add(added)
        for status, start, end in child.periods:
            self.session.add(LegalStatusPeriod(child=added, status=status, started_on=start, ended_on=end))
        self.summary.children.created += 1
        self.summary.legal_statuses.created += len(child.periods)

    def _update_child(
        self, existing: Child, child: PlannedChild, before: dict[str, Any], after: dict[str, Any]
    ) -> None:
        changed = [name for name in CHILD_DETAILS if getattr(existing, name) != getattr(child, name)]
        if not changed:
            return
        before.setdefault("children", {})[child.reference] = {name: _plain(getattr(existing, name)) for name in changed}
        after.setdefault("children", {})[child.reference] = {name: _plain(getattr(child, name)) for name in changed}
        for name in changed:
            setattr(existing, name, getattr(child, name))
        self.summary.children.updated += 1

    def _update_legal_status(
        self, existing: Child, family: PlannedFamily, child: PlannedChild, before: dict[str, Any], after: dict[str, Any]
    ) -> None:
        periods = self.periods.get(existing.id, [])
        if not child.periods:
            return  # the input gives no plan for the child: it keeps what it has
        if self.plan.scope is Scope.TODAY:
            if _plan_ended_with_case(periods, family) or _on_plan(periods, child.periods[-1]):
                return
            held = _history(periods)
            history = self._move_to_plan(existing.id, periods, child.periods[-1])
        else:
            held = _history(periods)
            if held == list(child.periods):
                return
            history = self._replace_history(existing.id, child.periods)
        before.setdefault("legal_status", {})[child.reference] = _periods(held)
        after.setdefault("legal_status", {})[child.reference] = _periods(history)

    def _move_to_plan(self, child_id: int, periods: list[LegalStatusPeriod], plan: Period) -> list[Period]:
        """The plan the child is on now: the same plan from another day corrects its start (and the end of the plan
        before it); another plan ends the current one and starts. Returns the child's history as it now is."""
        status, start, _ = plan
        current = periods[-1] if periods else None
        if current is not None and current.status is status and current.ended_on is None:
            if current.started_on != start:  # the case system corrected the plan's start date
                previous = periods[-2] if len(periods) > 1 else None
                if previous is not None and previous.ended_on == current.started_on:
                    previous.ended_on = start
                current.started_on = start
                self.summary.legal_statuses.updated += 1
            return _history(periods)
        if current is not None and current.ended_on is None:
            current.ended_on = start
            self.summary.legal_statuses.closed += 1
        self.session.add(LegalStatusPeriod(child_id=child_id, status=status, started_on=start))
        self.summary.legal_statuses.created += 1
        return [*_history(periods), (status, start, None)]

    def _replace_history(self, child_id: int, periods: Sequence[Period]) -> list[Period]:
        """The case system's history wins: the held one is replaced whole (before and after kept in the audit trail).
        Deleted first, in its own statement, so a new period may reuse a start date."""
        if not self.dry:
            self.session.execute(delete(LegalStatusPeriod).where(LegalStatusPeriod.child_id == child_id))
        for status, start, end in periods:
            self.session.add(LegalStatusPeriod(child_id=child_id, status=status, started_on=start, ended_on=end))
        self.summary.legal_statuses.updated += 1
        return list(periods)

    def _update_involvements(self, held: Family, family: PlannedFamily, after: dict[str, Any]) -> None:
        wanted = self._wanted_involvements(family)
        involvements = self.involvements.get(held.id, [])
        if self.plan.scope is Scope.TODAY:
            running = {i.practitioner_id: i for i in involvements if _running(i.ended_on, self.today)}
            if held.closed_on is None:  # nobody starts working with a closed family
                for (user_id, start), end in sorted(wanted.items()):
                    if user_id not in running:
                        self._start_involvement(held, user_id, max(self.today, start), end, after)
            people = {user_id for user_id, _ in wanted}
            stopping = [i for user_id, i in sorted(running.items()) if user_id not in people]
        else:
            current = {(i.practitioner_id, i.started_on): i for i in involvements}
            for (user_id, start), end in sorted(wanted.items()):
                existing = current.get((user_id, start))
                if existing is None:
                    self._start_involvement(held, user_id, start, end, after)
                elif existing.ended_on != end:
                    after.setdefault("involvements_changed", []).append(
                        [user_id, start.isoformat(), _plain(existing.ended_on), _plain(end)]
                    )
                    existing.ended_on = end
                    self.summary.involvements.updated += 1
            stopping = [
                i for key, i in sorted(current.items()) if key not in wanted and _running(i.ended_on, self.today)
            ]
        for involvement in stopping:
            # Still running here but no longer in the input: ended, never deleted. An involvement must end after it
            # starts: one started today (by an earlier import) lasts one day.
            ended = max(self.today, involvement.started_on + ONE_DAY)
            after.setdefault("involvements_changed", []).append(
                [involvement.practitioner_id, involvement.started_on.isoformat(), _plain(involvement.ended_on),
                 ended.isoformat()]
            )  # fmt: skip
            involvement.ended_on = ended
            self.summary.involvements.closed += 1

    def _start_involvement(
        self, held: Family, user_id: int, start: dt.date, end: dt.date | None, after: dict[str, Any]
    ) -> None:
        self.session.add(Involvement(family_id=held.id, practitioner_id=user_id, started_on=start, ended_on=end))
        self.summary.involvements.created += 1
        after.setdefault("involvements_started", []).append([user_id, start.isoformat(), _plain(end)])

    def close_missing(self) -> None:
        """Close the open families of the plan's teams that the plan does not list (the explicit option only)."""
        listed = {f.reference for f in self.plan.families}
        query = (
            select(Family)
            .where(
                Family.team_id.in_(sorted(set(self.team_ids.values()))), Family.closed_on.is_(None), visible_families()
            )
            .order_by(Family.case_reference)
        )
        for family in self.session.scalars(query):
            if family.case_reference in listed:
                continue
            family.closed_on = max(self.today, family.opened_on)
            ended = {} if self.dry else end_case_records(self.session, family)  # plans end, involvements stop
            self.summary.families_by_team.setdefault(self.team_names[family.team_id], Counts()).closed += 1
            self.summary.references["closed"].append(family.case_reference)
            after = {"closed_on": family.closed_on.isoformat(), "why": self.source.kind.closing_reason} | ended
            self.events.append(("family.close", family, {"closed_on": None}, after))

    # --- the audit trail ------------------------------------------------------------------------------------------

    def audit(self, *, close_missing: bool, create_accounts: bool) -> None:
        bump_open_meetings(self.session)  # families, children, plans and involvement: what every caseload is made of
        for verb, family, before, after in self.events:
            after = after | {"family_id": family.id}
            record(self.session, self.actor, verb, "family", family.id, before=before, after=after)
        summary = self.summary
        record(
            self.session,
            self.actor,
            "import",
            self.source.kind.entity_type,
            summary.sha256,
            after={
                **self.source.details,
                "sha256": summary.sha256,
                "rows": summary.rows,
                "close_missing": close_missing,
                "create_accounts": create_accounts,
                "counts": summary.counts(),
                "families": summary.references,
                "ignored": summary.ignored,
            },
        )


def _chunks(items: Sequence[_T], size: int = CHUNK) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _details(child: PlannedChild) -> dict[str, Any]:
    return {name: getattr(child, name) for name in CHILD_DETAILS}


def _history(periods: Sequence[LegalStatusPeriod]) -> list[Period]:
    return [(p.status, p.started_on, p.ended_on) for p in periods]


def _periods(history: Sequence[Period]) -> list[list[Any]]:
    return [[status.value, _plain(start), _plain(end)] for status, start, end in history]


def _running(ended_on: dt.date | None, today: dt.date) -> bool:
    """Still running today (not ended, or ending later): who works with the family now."""
    return ended_on is None or ended_on > today


def _on_plan(periods: Sequence[LegalStatusPeriod], plan: Period) -> bool:
    """Whether the child's current plan is already this one, from the same day (the monthly re-import's case)."""
    current = periods[-1] if periods else None
    return current is not None and current.ended_on is None and (current.status, current.started_on) == plan[:2]


def _leaves_open(family: PlannedFamily) -> bool:
    """Whether a family planned closed still holds a plan or an involvement that has not ended."""
    plans = any(c.periods and c.periods[-1][2] is None and c.periods[-1][0] is not LegalStatus.CLOSED
                for c in family.children)  # fmt: skip
    return plans or any(end is None for stretches in family.involvements.values() for _, end in stretches)


def _plan_ended_with_case(periods: Sequence[LegalStatusPeriod], family: PlannedFamily) -> bool:
    """A closed family's children left their plans when it closed: the plan a case system still shows for them
    is history, not a new plan (so a monthly re-import of closed cases changes nothing)."""
    return family.closed_on is not None and bool(periods) and periods[-1].status is LegalStatus.CLOSED


def _current_plan_problem(
    periods: Sequence[LegalStatusPeriod], family: PlannedFamily, child: PlannedChild
) -> str | None:
    """In a plan of today: a new plan must start after the current one did; a corrected start must stay after the
    previous plan's."""
    if not periods or not child.periods or _plan_ended_with_case(periods, family):
        return None
    status, start, _ = child.periods[-1]
    current = periods[-1]
    if current.status is status and current.ended_on is None:
        previous = periods[-2] if len(periods) > 1 else None
        if previous is not None and start <= previous.started_on:
            return (
                f"{start:%d/%m/%Y} is not after the start of the child's previous plan "
                f"({previous.status.label}, from {previous.started_on:%d/%m/%Y})"
            )
        return None
    after = current.ended_on or current.started_on
    if start <= current.started_on or (current.ended_on and start < current.ended_on):
        return (
            f"the child's current plan ({current.status.label}) started on {current.started_on:%d/%m/%Y}; "
            f"a new plan must start after {after:%d/%m/%Y}"
        )
    return None
