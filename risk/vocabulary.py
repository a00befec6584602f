"""The words of the practice, as types: every other module takes its vocabulary from here.

Kept free of Streamlit and SQLAlchemy so the risk rules, the models and the pages share one definition.
"""

from __future__ import annotations

import enum


class RAG(enum.StrEnum):
    """A professional's red/amber/green judgement of one child's risk at one meeting, least severe first: the order
    the values are defined in here is their order of severity everywhere (forms, scores, charts and files)."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def level(self) -> int:
        """Severity as a number: green 1, amber 2, red 3, so ratings can be compared and averaged."""
        return _RAG_LEVEL[self]

    @property
    def severity(self) -> float:
        """Share of the way from the least severe rating to the most severe (green 0, amber ½, red 1), used in the
        family score."""
        return (self.level - 1) / (len(_RAG_LEVEL) - 1)

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @classmethod
    def from_level(cls, level: int) -> RAG:
        return _LEVEL_RAG[level]


_RAG_LEVEL = {rag: level for level, rag in enumerate(RAG, start=1)}
_LEVEL_RAG = {v: k for k, v in _RAG_LEVEL.items()}

RATINGS = tuple(sorted(RAG, key=lambda rag: rag.level, reverse=True))
"""Every rating, most severe first: the order a form offers them in and a table counts them in."""
RATING_WORDS = ", ".join(r.value for r in RATINGS[:-1]) + f" or {RATINGS[-1].value}"
"""'red, amber or green': the choice in words, for a sentence that asks for one."""


class Band(enum.StrEnum):
    """A family's overall band: one per rating, and `unrated`, a band of its own, so a family nobody rated is never
    shown as green. (Every rating's value is a band's value too: `Band.of`.)"""

    UNRATED = "unrated"
    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def label(self) -> str:
        return "Not yet rated" if self is Band.UNRATED else self.value.capitalize()

    @classmethod
    def of(cls, rag: RAG) -> Band:
        return cls(rag.value)


RATED_BANDS = tuple(Band.of(rag) for rag in RATINGS)
"""The bands of rated families, most severe first."""
BANDS = (*RATED_BANDS, Band.UNRATED)
"""Every band, in the order figures and files list them: the rated bands most severe first, then unrated."""
BAND_PRIORITY = (*RATED_BANDS[:-1], Band.UNRATED, RATED_BANDS[-1])
"""Every band in the order supervision works through them, most urgent first: a family nobody rated is an unknown,
so it comes before the least severe band, never hidden among the greens."""


class Role(enum.StrEnum):
    """Roles of the people who use the product: the team's professionals, plus service leads and admins."""

    SOCIAL_WORKER = "social_worker"
    SENIOR_PRACTITIONER = "senior_practitioner"
    TEAM_MANAGER = "team_manager"
    FAMILY_SUPPORT_WORKER = "family_support_worker"
    DOMESTIC_ABUSE_PRACTITIONER = "domestic_abuse_practitioner"
    DOMESTIC_ABUSE_OFFICER = "domestic_abuse_officer"
    SUBSTANCE_MISUSE_WORKER = "substance_misuse_worker"
    MENTAL_HEALTH_PRACTITIONER = "mental_health_practitioner"
    PSYCHOLOGIST = "psychologist"
    EDUCATION_ATTAINMENT_OFFICER = "education_attainment_officer"
    PROBATION_OFFICER = "probation_officer"
    SERVICE_LEAD = "service_lead"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return _ROLE_LABELS.get(self, self.value.replace("_", " "))

    @property
    def rates_children(self) -> bool:
        """Everyone in a team rates the children they work with; service leads and admins never rate."""
        return self not in (Role.SERVICE_LEAD, Role.ADMINISTRATOR)

    @property
    def order(self) -> int:
        """Where the role comes in a list of people, a record or a sentence naming roles: the order the roles are
        defined in above, the team's social workers first."""
        return _ROLE_ORDER[self]


_ROLE_LABELS = {
    Role.DOMESTIC_ABUSE_PRACTITIONER: "domestic abuse practitioner (victims)",
    Role.DOMESTIC_ABUSE_OFFICER: "domestic abuse officer (perpetrators)",
}
_ROLE_ORDER = {role: position for position, role in enumerate(Role)}

CASE_ROLES = frozenset(role for role in Role if role.rates_children)
"""The team's professionals: they see their team's cases and rate the children they work with."""
MANAGER_ROLES = frozenset({Role.TEAM_MANAGER})
"""Who chairs a team's supervision: opens and closes its meetings, records actions and corrects ratings."""


class LegalStatus(enum.StrEnum):
    """The child's plan. Ordered by how far the state has stepped in, which the ranking uses as a tie-break."""

    CIN = "cin"
    CP = "cp"
    PLO = "plo"
    CARE_PROCEEDINGS = "care_proceedings"
    CLA = "cla"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def short(self) -> str:
        return _STATUS_SHORT[self]

    @property
    def severity(self) -> int:
        """CLA 5, proceedings 4, PLO 3, CP 2, CIN 1, closed 0."""
        return _STATUS_SEVERITY[self]


_STATUS_LABELS = {
    LegalStatus.CIN: "Child in Need",
    LegalStatus.CP: "Child Protection plan",
    LegalStatus.PLO: "Pre-proceedings (PLO)",
    LegalStatus.CARE_PROCEEDINGS: "Care proceedings",
    LegalStatus.CLA: "Looked After",
    LegalStatus.CLOSED: "Closed",
}
_STATUS_SHORT = {
    LegalStatus.CIN: "CIN",
    LegalStatus.CP: "CP",
    LegalStatus.PLO: "PLO",
    LegalStatus.CARE_PROCEEDINGS: "Proceedings",
    LegalStatus.CLA: "CLA",
    LegalStatus.CLOSED: "Closed",
}
_STATUS_SEVERITY = {
    LegalStatus.CLOSED: 0,
    LegalStatus.CIN: 1,
    LegalStatus.CP: 2,
    LegalStatus.PLO: 3,
    LegalStatus.CARE_PROCEEDINGS: 4,
    LegalStatus.CLA: 5,
}

PLANS = tuple(sorted((s for s in LegalStatus if s is not LegalStatus.CLOSED), key=lambda s: s.severity))
"""The plans a child can be on (every status but closed), least to most intrusive."""


class MeetingStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
