"""What an import did, or (a dry run) would do: the counts both the preview and the audit trail give, and the
sentences the page and the command line say them in. One summary for every kind of input."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Counts:
    """Per kind of record. `closed`: families closed, legal status periods ended, involvements ended."""

    created: int = 0
    updated: int = 0
    closed: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.created + other.created, self.updated + other.updated, self.closed + other.closed)


@dataclass
class NewAccount:
    """An account the import creates (or would, if asked): from the input's own id and name for the person."""

    professional_id: str
    name: str
    email: str
    role: str
    team: str


@dataclass
class ImportSummary:
    source: str
    """The file's name, or what an extract was read from (a folder, a file, a database URL without password)."""
    sha256: str
    rows: int
    dry_run: bool
    families_by_team: dict[str, Counts] = field(default_factory=dict)
    children: Counts = field(default_factory=Counts)
    legal_statuses: Counts = field(default_factory=Counts)
    """created: periods written; updated: plans whose start was corrected, or children whose whole history was
    replaced; closed: plans ended by a new one."""
    involvements: Counts = field(default_factory=Counts)
    references: dict[str, list[str]] = field(default_factory=lambda: {"created": [], "updated": [], "closed": []})
    """Family references created, updated and closed (for the audit trail)."""
    offices_created: list[str] = field(default_factory=list)
    teams_created: list[str] = field(default_factory=list)
    accounts_to_create: list[NewAccount] = field(default_factory=list)
    accounts_created: int = 0
    without_email: list[tuple[str, str]] = field(default_factory=list)
    """(the input's id, name) of professionals with no email to match them by: their involvements are left out."""
    ignored: dict[str, int] = field(default_factory=dict)

    @property
    def families(self) -> Counts:
        return sum(self.families_by_team.values(), Counts())

    def counts(self) -> dict[str, dict[str, int]]:
        """The counts an import reports and audits, by kind of record."""
        return {
            "families": asdict(self.families),
            "children": asdict(self.children),
            "legal_statuses": asdict(self.legal_statuses),
            "involvements": asdict(self.involvements),
        }

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
