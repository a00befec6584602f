"""Import the caseload from the council's own spreadsheet: all or nothing, in one transaction.

The monthly routine is to re-import an updated file: references already known are updated in place, new ones are
added, and (only when asked, with `close_missing`) open families of the imported teams that the file no longer
lists are closed. Nothing is ever deleted: a changed legal status ends the current period and starts a new one,
a practitioner no longer listed has their involvement ended, so ratings, scores and plans keep their history.

Checking the file and a dry run read the database without writing it (no write lock held, so ratings are saved
meanwhile): a dry run makes the same changes on objects it never flushes and throws them away, so the counts in
the preview are the counts the import will give. Only the final write takes a write transaction.

Audit: one "import" event per file with its name, checksum and counts, plus the references of the families
created, updated and closed (not one event per row: a 5,000-row file would bury the trail).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import PurePath
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Engine, select
from sqlalchemy.orm import Session

from db.access import require_admin_or_command_line, visible_families
from db.errors import InvalidInput
from db.imports.problems import ImportRefused, Problem
from db.imports.reading import read_table
from db.imports.validation import FileChild, FileFamily, Person, TeamInfo, check_rows
from db.models import Child, Family, Involvement, LegalStatusPeriod, Team, User
from db.services.audit import record
from db.services.families import end_case_records
from db.session import reading, transaction
from risk.vocabulary import LegalStatus

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): what the import is doing and how far it has got."""
CHUNK = 500
_T = TypeVar("_T")


@dataclass
class Counts:
    """Per kind of record. `closed`: families closed, legal status periods ended, involvements ended."""

    created: int = 0
    updated: int = 0
    closed: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.created + other.created, self.updated + other.updated, self.closed + other.closed)


def kind_counts(families: Counts, children: Counts, legal_statuses: Counts, involvements: Counts) -> dict[str, Any]:
    """The counts an import reports and audits, by kind of record: one shape for every kind of import."""
    return {
        "families": asdict(families),
        "children": asdict(children),
        "legal_statuses": asdict(legal_statuses),
        "involvements": asdict(involvements),
    }


@dataclass
class ImportSummary:
    file_name: str
    sha256: str
    rows: int
    dry_run: bool
    families: Counts = field(default_factory=Counts)
    children: Counts = field(default_factory=Counts)
    legal_statuses: Counts = field(default_factory=Counts)
    involvements: Counts = field(default_factory=Counts)
    references: dict[str, list[str]] = field(default_factory=lambda: {"created": [], "updated": [], "closed": []})
    """Family references created, updated and closed (for the audit trail)."""
    restricted: list[str] = field(default_factory=list)
    """References of restricted families the file lists: left as they are until the restriction is lifted."""

    def counts(self) -> dict[str, dict[str, int]]:
        return kind_counts(self.families, self.children, self.legal_statuses, self.involvements)

    @property
    def changed(self) -> bool:
        return any(any(c.values()) for c in self.counts().values())


def import_caseload(
    engine: Engine,
    actor: User | None,
    file_name: str,
    data: bytes,
    *,
    dry_run: bool = False,
    close_missing: bool = False,
    team: str | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Check the whole file, then (unless `dry_run`) apply it; returns the counts.

    Raises FileRefused for a file that is not a caseload file and ImportRefused (with every problem) for rows
    that are wrong; in both cases nothing is written. Only administrators import; actor None is the command line.
    `team` limits the import to one team: every row must be for it, and `close_missing` closes only its families.
    """
    require_admin_or_command_line(actor)
    today = today or dt.date.today()
    report = progress or (lambda *_: None)
    table = read_table(file_name, data)
    summary = ImportSummary(
        file_name=PurePath(file_name).name,
        sha256=hashlib.sha256(data).hexdigest(),
        rows=len(table.rows),
        dry_run=dry_run,
    )
    with reading(engine) as session:  # checking holds no write lock: ratings are saved meanwhile
        teams, people = _directory(session)
        only_team = _only_team(teams, team)
        report("Checking rows", 0, len(table.rows))
        families, problems = check_rows(table, teams, people, today, only_team)
        report("Checking rows", len(table.rows), len(table.rows))
        state = _State.load(session, families, today)
        problems += state.problems(families)
        if problems:
            raise ImportRefused(problems)
        if dry_run:
            # The same changes on objects that are never flushed, then thrown away with the read-only session:
            # the preview's counts are the import's, and the database is never written (nor its write lock taken).
            with session.no_autoflush:
                _apply(session, state, families, summary, today, report, flush=False)
                if close_missing:
                    _close_missing(session, state, _team_ids(only_team, families), families, today, summary)
            session.expunge_all()
            return summary
    with transaction(engine) as session:  # the write alone, short enough that a rating saved meanwhile waits
        if _directory(session) != (teams, people):
            raise InvalidInput(
                "Teams or accounts changed while the file was being checked, so nothing was imported. Import the "
                "file again."
            )
        state = _State.load(session, families, today)
        problems = state.problems(families)
        if problems:
            raise ImportRefused(problems)
        _apply(session, state, families, summary, today, report)
        if close_missing:
            _close_missing(session, state, _team_ids(only_team, families), families, today, summary)
        session.flush()
        _write_audit(session, actor, state)
        record(
            session,
            actor,
            "import",
            "caseload_file",
            summary.sha256,
            after={
                "file_name": summary.file_name,
                "sha256": summary.sha256,
                "rows": summary.rows,
                "team": only_team.name if only_team else None,
                "close_missing": close_missing,
                "counts": summary.counts(),
                "families": summary.references | ({"restricted": summary.restricted} if summary.restricted else {}),
            },
        )
    return summary


def _only_team(teams: dict[str, TeamInfo], team: str | None) -> TeamInfo | None:
    if team is None:
        return None
    only_team = teams.get(team.strip().lower())
    if only_team is None:
        raise InvalidInput(f"There is no team called {team!r}.")
    return only_team


def _team_ids(only_team: TeamInfo | None, families: list[FileFamily]) -> set[int]:
    return {only_team.id} if only_team else {f.team.id for f in families}


def _directory(session: Session) -> tuple[dict[str, TeamInfo], dict[str, Person]]:
    """Every team by lower-case name and every account by lower-case email: two queries, whatever the file size."""
    teams = {
        name.lower(): TeamInfo(team_id, name, office_id)
        for team_id, name, office_id in session.execute(select(Team.id, Team.name, Team.office_id))
    }
    people = {
        row.email.lower(): Person(row.id, row.email, row.role, row.team_id, row.office_id, row.active)
        for row in session.execute(select(User.id, User.email, User.role, User.team_id, User.office_id, User.active))
    }
    return teams, people


def _chunks(items: Sequence[_T], size: int = CHUNK) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _State:
    """What the database holds for the file's references, read with a few IN queries per chunk of references."""

    families: dict[str, Family]
    children: dict[str, Child]
    periods: dict[int, list[LegalStatusPeriod]]
    involvements: dict[int, list[Involvement]]
    today: dt.date
    audit: list[tuple[str, Family, dict[str, Any] | None, dict[str, Any]]] = field(default_factory=list)
    """(verb, family, before, after) per family changed, written once the ids exist."""

    @classmethod
    def load(cls, session: Session, file_families: list[FileFamily], today: dt.date) -> _State:
        family_refs = [f.reference for f in file_families]
        child_refs = [c.reference for f in file_families for c in f.children]
        families = {
            f.case_reference: f
            for chunk in _chunks(family_refs)
            for f in session.scalars(select(Family).where(Family.case_reference.in_(chunk)))
        }
        children = {
            c.case_reference: c
            for chunk in _chunks(child_refs)
            for c in session.scalars(select(Child).where(Child.case_reference.in_(chunk)))
        }
        periods: dict[int, list[LegalStatusPeriod]] = defaultdict(list)
        for chunk in _chunks([c.id for c in children.values()]):
            for period in session.scalars(
                select(LegalStatusPeriod)
                .where(LegalStatusPeriod.child_id.in_(chunk))
                .order_by(LegalStatusPeriod.started_on)
            ):
                periods[period.child_id].append(period)
        involvements: dict[int, list[Involvement]] = defaultdict(list)
        for chunk in _chunks([f.id for f in families.values()]):
            for involvement in session.scalars(
                select(Involvement).where(Involvement.family_id.in_(chunk), current_involvement(today))
            ):
                involvements[involvement.family_id].append(involvement)
        return cls(families, children, periods, involvements, today)

    def problems(self, file_families: list[FileFamily]) -> list[Problem]:
        """What the file asks that the records already held cannot take (checked before anything is written)."""
        found = []
        for family in file_families:
            held = self.families.get(family.reference)
            for child in family.children:
                existing = self.children.get(child.reference)
                if existing is None:
                    continue
                if held is None or existing.family_id != held.id:
                    found.append(
                        Problem(
                            child.row,
                            "child_reference",
                            f"child {child.reference} is already recorded in another family; a child cannot move "
                            "between families in an import",
                        )
                    )
                    continue
                periods = self.periods.get(existing.id, [])
                if _plan_ended_with_case(periods, family):
                    continue
                if message := _status_problem(periods, child):
                    found.append(Problem(child.row, "legal_status_from", message))
        return found


def current_involvement(today: dt.date) -> ColumnElement[bool]:
    """Involvements still running today (not ended, or ending later): who works with the family now."""
    return (Involvement.ended_on.is_(None)) | (Involvement.ended_on > today)


def _plan_ended_with_case(periods: list[LegalStatusPeriod], family: FileFamily) -> bool:
    """A closed family's children left their plans when it closed: the plan a case system still shows for them
    is history, not a new plan (so a monthly re-import of closed cases changes nothing)."""
    return family.closed_on is not None and bool(periods) and periods[-1].status is LegalStatus.CLOSED


def _status_problem(periods: list[LegalStatusPeriod], child: FileChild) -> str | None:
    """A new plan must start after the current one did; a corrected start must stay after the previous plan's."""
    if not periods:
        return None
    current = periods[-1]
    if current.status is child.status and current.ended_on is None:
        previous = periods[-2] if len(periods) > 1 else None
        if previous is not None and child.status_from <= previous.started_on:
            return (
                f"{child.status_from:%d/%m/%Y} is not after the start of the child's previous plan "
                f"({previous.status.label}, from {previous.started_on:%d/%m/%Y})"
            )
        return None
    start = current.ended_on or current.started_on
    if child.status_from <= current.started_on or (current.ended_on and child.status_from < current.ended_on):
        return (
            f"the child's current plan ({current.status.label}) started on {current.started_on:%d/%m/%Y}; "
            f"a new plan must start after {start:%d/%m/%Y}"
        )
    return None


def _apply(
    session: Session,
    state: _State,
    families: list[FileFamily],
    summary: ImportSummary,
    today: dt.date,
    report: Progress,
    *,
    flush: bool = True,
) -> None:
    total = len(families)
    for done, family in enumerate(families, start=1):
        held = state.families.get(family.reference)
        if held is not None and held.restricted_at is not None:
            summary.restricted.append(family.reference)
        elif held is None:
            created = _create_family(session, family, summary)
            ended = end_case_records(session, created) if created.closed_on else {}
            state.audit.append(("family.create", created, None, _family_values(created) | _people(family) | ended))
        else:
            change = _update_family(session, state, held, family, summary, today)
            if change is not None:
                state.audit.append(("family.update", held, *change))
        if done % CHUNK == 0 or done == total:
            if flush:
                session.flush()
            report("Writing families" if flush else "Working out the changes", done, total)


def _family_values(family: Family) -> dict[str, Any]:
    return {
        "case_reference": family.case_reference,
        "team_id": family.team_id,
        "social_worker_id": family.social_worker_id,
        "opened_on": family.opened_on.isoformat(),
        "closed_on": family.closed_on.isoformat() if family.closed_on else None,
    }


def _people(family: FileFamily) -> dict[str, Any]:
    return {
        "children": [c.reference for c in family.children],
        "practitioner_ids": sorted(family.practitioner_ids),
    }


def _write_audit(session: Session, actor: User | None, state: _State) -> None:
    """One audit event per family the import created, changed or closed, with what changed (ids exist by now)."""
    for verb, family, before, after in state.audit:
        record(session, actor, verb, "family", family.id, before=before, after=after | {"family_id": family.id})


def _create_family(session: Session, family: FileFamily, summary: ImportSummary) -> Family:
    new = Family(
        team_id=family.team.id,
        case_reference=family.reference,
        social_worker_id=family.social_worker_id,
        opened_on=family.opened_on,
        closed_on=family.closed_on,
    )
    session.add(new)
    summary.families.created += 1
    summary.references["created"].append(family.reference)
    for child in family.children:
        added = Child(
            family=new, case_reference=child.reference, first_name=child.first_name, date_of_birth=child.date_of_birth
        )
        session.add(LegalStatusPeriod(child=added, status=child.status, started_on=child.status_from))
        summary.children.created += 1
        summary.legal_statuses.created += 1
    for practitioner_id in sorted(family.practitioner_ids):
        session.add(Involvement(family=new, practitioner_id=practitioner_id, started_on=family.opened_on))
        summary.involvements.created += 1
    return new


def _update_family(
    session: Session, state: _State, held: Family, family: FileFamily, summary: ImportSummary, today: dt.date
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Bring a known family in line with the file; returns (before, after) for the audit trail if anything changed."""
    wanted = {
        "team_id": family.team.id,
        "social_worker_id": family.social_worker_id,
        "opened_on": family.opened_on,
        "closed_on": family.closed_on,
    }
    changed = {key for key, value in wanted.items() if getattr(held, key) != value}
    before: dict[str, Any] = {key: _plain(getattr(held, key)) for key in sorted(changed)}
    after: dict[str, Any] = {key: _plain(wanted[key]) for key in sorted(changed)}
    for key in changed:
        setattr(held, key, wanted[key])
    if "closed_on" in changed and held.closed_on is not None:
        summary.families.closed += 1
        summary.references["closed"].append(family.reference)
    elif changed:
        summary.families.updated += 1
        summary.references["updated"].append(family.reference)

    for child in family.children:
        existing = state.children.get(child.reference)
        if existing is None:
            added = Child(
                family_id=held.id,
                case_reference=child.reference,
                first_name=child.first_name,
                date_of_birth=child.date_of_birth,
            )
            session.add(LegalStatusPeriod(child=added, status=child.status, started_on=child.status_from))
            summary.children.created += 1
            summary.legal_statuses.created += 1
            after.setdefault("children_added", []).append(child.reference)
            continue
        if (existing.first_name, existing.date_of_birth) != (child.first_name, child.date_of_birth):
            existing.first_name, existing.date_of_birth = child.first_name, child.date_of_birth
            summary.children.updated += 1
            after.setdefault("children_changed", []).append(child.reference)
        periods = state.periods.get(existing.id, [])
        if _plan_ended_with_case(periods, family):
            continue
        plans = summary.legal_statuses.created + summary.legal_statuses.updated
        _update_status(session, periods, existing.id, child, summary)
        if summary.legal_statuses.created + summary.legal_statuses.updated != plans:
            after.setdefault("plans_changed", []).append(f"{child.reference}: {child.status.value}")

    current = {i.practitioner_id: i for i in state.involvements.get(held.id, [])}
    starting = family.practitioner_ids - current.keys() if held.closed_on is None else set()
    for practitioner_id in sorted(starting):
        session.add(
            Involvement(family_id=held.id, practitioner_id=practitioner_id, started_on=max(today, family.opened_on))
        )
        summary.involvements.created += 1
        after.setdefault("practitioners_added", []).append(practitioner_id)
    for practitioner_id in sorted(current.keys() - family.practitioner_ids):
        involvement = current[practitioner_id]
        # An involvement must end after it starts: one started today (by an earlier import) lasts one day.
        involvement.ended_on = max(today, involvement.started_on + dt.timedelta(days=1))
        summary.involvements.closed += 1
        after.setdefault("practitioners_ended", []).append(practitioner_id)
    if "closed_on" in changed and held.closed_on is not None:
        after.update(end_case_records(session, held))
    return (before, after) if after else None


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _update_status(
    session: Session, periods: list[LegalStatusPeriod], child_id: int, child: FileChild, summary: ImportSummary
) -> None:
    current = periods[-1] if periods else None
    if current is not None and current.status is child.status and current.ended_on is None:
        if current.started_on != child.status_from:  # the case system corrected the plan's start date
            previous = periods[-2] if len(periods) > 1 else None
            if previous is not None and previous.ended_on == current.started_on:
                previous.ended_on = child.status_from
            current.started_on = child.status_from
            summary.legal_statuses.updated += 1
        return
    if current is not None and current.ended_on is None:
        current.ended_on = child.status_from
        summary.legal_statuses.closed += 1
    session.add(LegalStatusPeriod(child_id=child_id, status=child.status, started_on=child.status_from))
    summary.legal_statuses.created += 1


def _close_missing(
    session: Session,
    state: _State,
    team_ids: Iterable[int],
    families: list[FileFamily],
    today: dt.date,
    summary: ImportSummary,
) -> None:
    """Close the open families of the imported teams that the file does not list (the explicit option only)."""
    listed = {f.reference for f in families}
    for family in session.scalars(
        select(Family)
        .where(Family.team_id.in_(list(team_ids)), Family.closed_on.is_(None), visible_families())
        .order_by(Family.case_reference)
    ):
        if family.case_reference in listed:
            continue
        family.closed_on = max(today, family.opened_on)
        summary.families.closed += 1
        summary.references["closed"].append(family.case_reference)
        ended = end_case_records(session, family)
        state.audit.append(
            (
                "family.close",
                family,
                {"closed_on": None},
                {"closed_on": family.closed_on.isoformat(), "why": "not in file"} | ended,
            )
        )


def problem_rows(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    """Problems as table rows for a preview: row, column, what is wrong."""
    return [{"Row": p.row, "Column": p.column or "(whole row)", "Problem": p.message} for p in problems]
