"""Apply an SSD extract: all or nothing, in one transaction, audited. A dry run makes the same checks and counts
in a read-only transaction, writing nothing (so the page can check every upload without locking anyone out).

Monthly re-sync is the normal use, so applying the same extract twice changes nothing the second time. Families
and children are matched on their SSD ids (the family's case reference is its SSD family id, a child's its person
id); professionals on the email the mapping gives them. A child whose legal status history in the extract differs
from the one held has it replaced by the extract's (before and after in the audit trail); involvements are
updated to the extract's, and one still running that the extract no longer has is ended today. A family absent
from the extract is closed only with `close_missing`. Nothing else is removed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from db.access import require_admin_or_command_line, visible_families
from db.imports.service import Counts, kind_counts
from db.imports.ssd.building import Period, Plan, PlannedFamily, build_plan
from db.imports.ssd.extract import Extract
from db.imports.ssd.mapping import Mapping, TeamChoice
from db.imports.ssd.problems import ExtractRefused, SsdProblem
from db.models import Child, Family, Involvement, LegalStatusPeriod, Office, Team, User
from db.services.audit import record
from db.services.families import end_case_records
from db.session import reading, transaction
from risk.vocabulary import Role

Progress = Callable[[str, int, int], None]
CHUNK = 500


@dataclass
class NewAccount:
    professional_id: str
    name: str
    email: str
    role: str
    team: str


@dataclass
class SsdSummary:
    source: str
    sha256: str
    dry_run: bool
    rows: int
    families_by_team: dict[str, Counts] = field(default_factory=dict)
    children: Counts = field(default_factory=Counts)
    legal_statuses: Counts = field(default_factory=Counts)
    """created: periods written for new children; updated: children whose history was replaced."""
    involvements: Counts = field(default_factory=Counts)
    offices_created: list[str] = field(default_factory=list)
    teams_created: list[str] = field(default_factory=list)
    accounts_to_create: list[NewAccount] = field(default_factory=list)
    accounts_created: int = 0
    without_email: list[tuple[str, str]] = field(default_factory=list)
    """(prof_professional_id, name) of professionals the mapping gives no email: their involvements are left out."""
    ignored: dict[str, int] = field(default_factory=dict)
    references: dict[str, list[str]] = field(default_factory=lambda: {"created": [], "updated": [], "closed": []})

    @property
    def families(self) -> Counts:
        return sum(self.families_by_team.values(), Counts())

    def counts(self) -> dict[str, dict[str, int]]:
        return kind_counts(self.families, self.children, self.legal_statuses, self.involvements)

    @property
    def changed(self) -> bool:
        return (
            any(any(c.values()) for c in self.counts().values())
            or bool(self.offices_created or self.teams_created)
            or self.accounts_created > 0
        )

    def sentences(self) -> list[str]:
        """What the import does (or would do), per team, in words for the preview and the command line."""
        verb = "would be" if self.dry_run else "were"
        lines = []
        if self.offices_created or self.teams_created:
            lines.append(
                f"Offices that {verb} added: {', '.join(self.offices_created) or 'none'}; teams: "
                f"{', '.join(self.teams_created) or 'none'}."
            )
        for team, c in sorted(self.families_by_team.items()):
            if any(asdict(c).values()):
                lines.append(
                    f"{team}: {_n(c.created, 'family')} {verb} added, {c.updated} updated and {c.closed} closed."
                )
        if not any(any(asdict(c).values()) for c in self.families_by_team.values()):
            lines.append("No family would change." if self.dry_run else "No family changed.")
        lines.append(
            f"{_n(self.children.created, 'child', 'children')} {verb} added and {self.children.updated} updated; "
            f"{self.legal_statuses.updated} legal status histories {verb} replaced; involvements: "
            f"{self.involvements.created:,} {verb} started, {self.involvements.updated:,} changed and "
            f"{self.involvements.closed:,} ended."
        )
        if self.accounts_created:
            lines.append(f"{_n(self.accounts_created, 'account')} {verb} created, inactive and without a password.")
        elif self.accounts_to_create:
            lines.append(
                f"{_n(len(self.accounts_to_create), 'professional')} have no account yet: create them "
                "(--create-accounts, or 'Create their accounts' on the page) or their involvements are left out."
            )
        if self.without_email:
            lines.append(
                f"{_n(len(self.without_email), 'professional')} have no email in the mapping: their involvements "
                "are left out until the mapping's [professionals] gives one."
            )
        for what, count in sorted(self.ignored.items()):
            if count:
                lines.append(f"Left out: {count:,} {what}.")
        return lines


def _n(count: int, one: str, many: str | None = None) -> str:
    plural = many or (one[:-1] + "ies" if one.endswith("y") else one + "s")
    return f"{count:,} {one if count == 1 else plural}"


RESTRICTED_LEFT = "restricted families, left as they are until the restriction is lifted"


class _RollBack(Exception):
    def __init__(self, summary: SsdSummary) -> None:
        self.summary = summary


def import_ssd(
    engine: Engine,
    actor: User | None,
    extract: Extract,
    mapping: Mapping,
    *,
    dry_run: bool = False,
    close_missing: bool = False,
    create_accounts: bool = False,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> SsdSummary:
    """Check the whole extract against the mapping and the records held, then (unless `dry_run`) apply it.

    Raises ExtractRefused with every problem (nothing written). Only administrators import; actor None is the
    command line. `create_accounts` creates the professionals who have no account yet, inactive and without a
    password (an administrator activates them); without it their involvements are left out and listed.
    """
    require_admin_or_command_line(actor)
    today = today or dt.date.today()
    report = progress or (lambda *_: None)
    plan = build_plan(extract, mapping, today)
    report("Building families from the extract", 1, 1)
    if plan.problems:
        raise ExtractRefused(plan.problems)
    summary = SsdSummary(extract.source, extract.sha256, dry_run, extract.row_count, ignored=dict(plan.ignored))
    # A dry run reads without a write transaction and never flushes: what it would write stays in memory and is
    # dropped, so checking an extract never holds SQLite's write lock (colleagues saving ratings are not kept waiting).
    opened = reading(engine) if dry_run else transaction(engine)
    try:
        with opened as session, session.no_autoflush:
            writer = _Writer(session, actor, mapping, plan, summary, today, dry_run)
            writer.teams()
            writer.accounts(create_accounts)
            writer.load()
            if problems := writer.problems():
                raise ExtractRefused(problems)
            writer.write_families(report)
            if close_missing:
                writer.close_missing()
            if dry_run:
                raise _RollBack(summary)
            session.flush()
            writer.write_audit()
            record(
                session,
                actor,
                "import",
                "ssd_extract",
                summary.sha256,
                after={
                    "source": summary.source,
                    "sha256": summary.sha256,
                    "rows": summary.rows,
                    "close_missing": close_missing,
                    "create_accounts": create_accounts,
                    "counts": summary.counts(),
                    "families": summary.references,
                    "ignored": summary.ignored,
                },
            )
    except _RollBack as done:
        return done.summary
    return summary


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _periods(periods: list[Period]) -> list[list[Any]]:
    return [[s.value, _plain(a), _plain(b)] for s, a, b in periods]


class _Writer:
    """One import's work inside its transaction: directory first (teams, accounts), then families."""

    def __init__(
        self,
        session: Session,
        actor: User | None,
        mapping: Mapping,
        plan: Plan,
        summary: SsdSummary,
        today: dt.date,
        dry: bool,
    ) -> None:
        self.session, self.actor, self.mapping, self.plan = session, actor, mapping, plan
        self.summary, self.today = summary, today
        self.dry = dry
        """Count, never write: new teams and accounts get stand-in ids below zero, nothing is flushed."""
        self.team_ids: dict[TeamChoice, int] = {}
        self.user_ids: dict[str, int] = {}  # prof_professional_id -> user id
        self.audit: list[tuple[str, Family, dict[str, Any] | None, dict[str, Any]]] = []

    # --- directory ------------------------------------------------------------------------------------------------

    def teams(self) -> None:
        """The mapped teams and their offices, added when this service does not have them yet (audited)."""
        offices = {name.lower(): office_id for office_id, name in self.session.execute(select(Office.id, Office.name))}
        teams = {
            name.lower(): (team_id, office_id)
            for team_id, name, office_id in self.session.execute(select(Team.id, Team.name, Team.office_id))
        }
        for choice in sorted(set(self.mapping.teams.values()), key=lambda c: (c.office, c.team)):
            if choice.team.lower() not in teams:
                office_id = offices.get(choice.office.lower())
                if office_id is None:
                    self.summary.offices_created.append(choice.office)
                    office_id = -len(self.summary.offices_created)
                    if not self.dry:
                        office = Office(name=choice.office)
                        self.session.add(office)
                        self.session.flush()
                        office_id = office.id
                        record(
                            self.session, self.actor, "office.create", "office", office_id, after={"name": office.name}
                        )
                    offices[choice.office.lower()] = office_id
                self.summary.teams_created.append(choice.team)
                team_id = -len(self.summary.teams_created)
                if not self.dry:
                    team = Team(name=choice.team, office_id=office_id)
                    self.session.add(team)
                    self.session.flush()
                    team_id = team.id
                    after = {"name": team.name, "office_id": office_id, "source": "ssd import"}
                    record(self.session, self.actor, "team.create", "team", team_id, after=after)
                teams[choice.team.lower()] = (team_id, office_id)
            self.team_ids[choice] = teams[choice.team.lower()][0]
        self.office_of = dict(teams.values())

    def accounts(self, create: bool) -> None:
        """Match each professional to an account by the mapping's email; create the missing ones if asked."""
        users = {email.lower(): uid for uid, email in self.session.execute(select(User.id, User.email))}
        pending: dict[str, User] = {}  # created in one flush: a county brings a few hundred professionals
        waiting: list[tuple[str, str]] = []
        for professional in self.plan.professionals.values():
            email = self.mapping.professionals.get(professional.professional_id)
            if email is None:
                self.summary.without_email.append((professional.professional_id, professional.name))
                continue
            if email in users:
                self.user_ids[professional.professional_id] = users[email]
                continue
            team_id = self.team_ids[professional.team]
            wanted = NewAccount(
                professional.professional_id, professional.name, email, professional.role.value, professional.team.team
            )
            self.summary.accounts_to_create.append(wanted)
            if not create:
                continue
            in_office = professional.role is Role.PSYCHOLOGIST  # a psychologist serves every team of the office
            if email not in pending:
                pending[email] = User(
                    display_name=professional.name,
                    email=email,
                    role=professional.role,
                    team_id=None if in_office else team_id,
                    office_id=self.office_of[team_id],
                    active=False,
                    password_hash=None,
                )
            waiting.append((professional.professional_id, email))
        self.summary.accounts_created = len(pending)
        if self.dry:
            stand_in = {email: -n for n, email in enumerate(pending, start=1)}
            self.user_ids.update((professional_id, stand_in[email]) for professional_id, email in waiting)
            return
        self.session.add_all(pending.values())
        self.session.flush()
        for professional_id, email in waiting:
            self.user_ids[professional_id] = pending[email].id
        for email, user in pending.items():
            after = {"email": email, "role": user.role.value, "team_id": user.team_id, "active": False}
            record(self.session, self.actor, "user.create", "user", user.id, after=after | {"source": "ssd import"})

    # --- what is held -------------------------------------------------------------------------------------------

    def load(self) -> None:
        """Families, children, periods and involvements held for the extract's references: a few IN queries."""
        family_refs = [f.reference for f in self.plan.families]
        child_refs = [c.reference for f in self.plan.families for c in f.children]
        self.held: dict[str, Family] = {}
        for chunk in _chunks(family_refs):
            for family in self.session.scalars(select(Family).where(Family.case_reference.in_(chunk))):
                self.held[family.case_reference] = family
        self.children: dict[str, Child] = {}
        for chunk in _chunks(child_refs):
            for child in self.session.scalars(select(Child).where(Child.case_reference.in_(chunk))):
                self.children[child.case_reference] = child
        self.periods: dict[int, list[LegalStatusPeriod]] = defaultdict(list)
        for chunk in _chunks([c.id for c in self.children.values()]):
            query = select(LegalStatusPeriod).where(LegalStatusPeriod.child_id.in_(chunk))
            for period in self.session.scalars(query.order_by(LegalStatusPeriod.started_on)):
                self.periods[period.child_id].append(period)
        self.involvements: dict[int, list[Involvement]] = defaultdict(list)
        for chunk in _chunks([f.id for f in self.held.values()]):
            for involvement in self.session.scalars(select(Involvement).where(Involvement.family_id.in_(chunk))):
                self.involvements[involvement.family_id].append(involvement)

    def problems(self) -> list[SsdProblem]:
        """A child held in another family than the extract's: children never move between families here."""
        found = []
        for family in self.plan.families:
            held = self.held.get(family.reference)
            for child in family.children:
                existing = self.children.get(child.reference)
                if existing is not None and (held is None or existing.family_id != held.id):
                    found.append(
                        SsdProblem(
                            "ssd_family",
                            child.reference,
                            "fami_family_id",
                            f"child {child.reference} is already recorded in another family; a child cannot move "
                            f"between families in an import (the extract puts them in family {family.reference})",
                        )
                    )
        return found

    # --- writing ------------------------------------------------------------------------------------------------

    def _counts(self, family: PlannedFamily) -> Counts:
        return self.summary.families_by_team.setdefault(family.team.team, Counts())

    def _wanted_involvements(self, family: PlannedFamily) -> dict[tuple[int, dt.date], dt.date | None]:
        wanted = {}
        for professional, stretches in family.involvements.items():
            user_id = self.user_ids.get(professional)
            if user_id is None:
                self.summary.ignored["involvements of professionals without an account"] = self.summary.ignored.get(
                    "involvements of professionals without an account", 0
                ) + len(stretches)
                continue
            for start, end in stretches:
                wanted[(user_id, start)] = end
        return wanted

    def write_families(self, report: Progress) -> None:
        """Known families are brought in line one by one; new ones are written in bulk, a chunk at a time (a
        first load of a county is some 2,000 families and 20,000 rows: one ORM object each would take seconds)."""
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
                report("Checking families" if self.dry else "Writing families", done, total)

    def _create(self, families: list[PlannedFamily]) -> None:
        if not families:
            return
        if self.dry:
            for family in families:
                self._counts(family).created += 1
                self.summary.references["created"].append(family.reference)
                self.summary.children.created += len(family.children)
                self.summary.legal_statuses.created += sum(len(c.periods) for c in family.children)
                self.summary.involvements.created += len(self._wanted_involvements(family))
            return
        created = []
        for family in families:
            worker = self.user_ids.get(family.social_worker) if family.social_worker else None
            new = Family(
                team_id=self.team_ids[family.team],
                case_reference=family.reference,
                social_worker_id=worker,
                opened_on=family.opened_on,
                closed_on=family.closed_on,
            )
            created.append(new)
            self._counts(family).created += 1
            self.summary.references["created"].append(family.reference)
        self.session.add_all(created)
        self.session.flush()
        children = [
            (child, Child(family_id=new.id, case_reference=child.reference, first_name=child.first_name,
                          date_of_birth=child.date_of_birth))
            for family, new in zip(families, created, strict=True)
            for child in family.children
        ]  # fmt: skip
        self.session.add_all([c for _, c in children])
        self.session.flush()
        self.summary.children.created += len(children)
        periods = [
            {"child_id": row.id, "status": status, "started_on": start, "ended_on": end}
            for child, row in children
            for status, start, end in child.periods
        ]
        involvements = []
        for family, new in zip(families, created, strict=True):
            wanted = self._wanted_involvements(family)
            involvements += [
                {"family_id": new.id, "practitioner_id": user_id, "started_on": start, "ended_on": end}
                for (user_id, start), end in sorted(wanted.items())
            ]
            after = {
                "case_reference": family.reference,
                "team_id": new.team_id,
                "social_worker_id": new.social_worker_id,
                "opened_on": family.opened_on.isoformat(),
                "closed_on": _plain(family.closed_on),
                "children": [c.reference for c in family.children],
                "practitioner_ids": sorted({u for u, _ in wanted}),
                "source": "ssd import",
            }
            self.audit.append(("family.create", new, None, after))
        # Core INSERT … RETURNING of many rows: SQLAlchemy sends it as a few multi-row statements compiled once
        # ("insertmanyvalues"); a plain executemany would cost PostgreSQL a statement per row.
        for model, rows in ((LegalStatusPeriod, periods), (Involvement, involvements)):
            if rows:
                table = model.__table__
                self.session.execute(table.insert().returning(table.c.id), rows).all()
        self.summary.legal_statuses.created += len(periods)
        self.summary.involvements.created += len(involvements)

    def _update(self, held: Family, family: PlannedFamily) -> None:
        worker = self.user_ids.get(family.social_worker) if family.social_worker else None
        wanted_values = {
            "team_id": self.team_ids[family.team],
            "social_worker_id": worker,
            "opened_on": family.opened_on,
            "closed_on": family.closed_on,
        }
        changed = sorted(k for k, v in wanted_values.items() if getattr(held, k) != v)
        before: dict[str, Any] = {k: _plain(getattr(held, k)) for k in changed}
        after: dict[str, Any] = {k: _plain(wanted_values[k]) for k in changed}
        for key in changed:
            setattr(held, key, wanted_values[key])

        for child in family.children:
            existing = self.children.get(child.reference)
            if existing is None:
                added = Child(
                    family_id=held.id,
                    case_reference=child.reference,
                    first_name=child.first_name,
                    date_of_birth=child.date_of_birth,
                )
                self.session.add(added)
                for status, start, end in child.periods:
                    self.session.add(LegalStatusPeriod(child=added, status=status, started_on=start, ended_on=end))
                    self.summary.legal_statuses.created += 1
                self.summary.children.created += 1
                after.setdefault("children_added", []).append(child.reference)
                continue
            if (existing.first_name, existing.date_of_birth) != (child.first_name, child.date_of_birth):
                before.setdefault("children", {})[child.reference] = [
                    existing.first_name,
                    existing.date_of_birth.isoformat(),
                ]
                existing.first_name, existing.date_of_birth = child.first_name, child.date_of_birth
                after.setdefault("children", {})[child.reference] = [child.first_name, child.date_of_birth.isoformat()]
                self.summary.children.updated += 1
            held_periods = [(p.status, p.started_on, p.ended_on) for p in self.periods.get(existing.id, [])]
            if child.periods and held_periods != child.periods:
                # The case system's history wins: replace it whole (before and after kept in the audit trail).
                # Deleted first, in its own statement, so a new period may reuse a start date.
                if not self.dry:
                    self.session.execute(delete(LegalStatusPeriod).where(LegalStatusPeriod.child_id == existing.id))
                for status, start, end in child.periods:
                    self.session.add(
                        LegalStatusPeriod(child_id=existing.id, status=status, started_on=start, ended_on=end)
                    )
                before.setdefault("legal_status", {})[child.reference] = _periods(held_periods)
                after.setdefault("legal_status", {})[child.reference] = _periods(child.periods)
                self.summary.legal_statuses.updated += 1

        self._sync_involvements(held, family, after)
        if "closed_on" in changed and held.closed_on is not None:
            self._counts(family).closed += 1
            self.summary.references["closed"].append(family.reference)
        elif after:
            self._counts(family).updated += 1
            self.summary.references["updated"].append(family.reference)
        if after:
            self.audit.append(("family.update", held, before, after))

    def _sync_involvements(self, held: Family, family: PlannedFamily, after: dict[str, Any]) -> None:
        wanted = self._wanted_involvements(family)
        current = {(i.practitioner_id, i.started_on): i for i in self.involvements.get(held.id, [])}
        for key, end in sorted(wanted.items()):
            existing = current.get(key)
            if existing is None:
                self.session.add(
                    Involvement(family_id=held.id, practitioner_id=key[0], started_on=key[1], ended_on=end)
                )
                self.summary.involvements.created += 1
                after.setdefault("involvements_started", []).append([key[0], key[1].isoformat(), _plain(end)])
            elif existing.ended_on != end:
                after.setdefault("involvements_changed", []).append(
                    [key[0], key[1].isoformat(), _plain(existing.ended_on), _plain(end)]
                )
                existing.ended_on = end
                self.summary.involvements.updated += 1
        for key, existing in sorted(current.items()):
            if key in wanted or not (existing.ended_on is None or existing.ended_on > self.today):
                continue
            # Still running here but gone from the case system: ended, never deleted.
            existing.ended_on = max(self.today, existing.started_on + dt.timedelta(days=1))
            self.summary.involvements.closed += 1
            after.setdefault("involvements_ended", []).append([key[0], key[1].isoformat()])

    def close_missing(self) -> None:
        """Close the open families of the mapped teams that the extract no longer has (the explicit option only)."""
        listed = {f.reference for f in self.plan.families}
        names = {team_id: choice.team for choice, team_id in self.team_ids.items()}
        query = (
            select(Family)
            .where(Family.team_id.in_(list(names)), Family.closed_on.is_(None), visible_families())
            .order_by(Family.case_reference)
        )
        for family in self.session.scalars(query):
            if family.case_reference in listed:
                continue
            family.closed_on = max(self.today, family.opened_on)
            ended = end_case_records(self.session, family)  # the service's closing: plans end, involvements stop
            self.summary.families_by_team.setdefault(names[family.team_id], Counts()).closed += 1
            self.summary.references["closed"].append(family.case_reference)
            self.audit.append(
                (
                    "family.close",
                    family,
                    {"closed_on": None},
                    {"closed_on": family.closed_on.isoformat(), "why": "not in the SSD extract"} | ended,
                )
            )

    def write_audit(self) -> None:
        for verb, family, before, after in self.audit:
            after = after | {"family_id": family.id}
            record(self.session, self.actor, verb, "family", family.id, before=before, after=after)


def _chunks(items: list[Any], size: int = CHUNK) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
