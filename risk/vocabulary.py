"""The words of the practice, as types: every other module takes its vocabulary from here.

Kept free of Streamlit and SQLAlchemy so the risk rules, the models and the pages share one definition.
"""

from __future__ import annotations

import enum


class RAG(enum.StrEnum):
    """A professional's red/amber/green judgement of one child's risk at one meeting."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def level(self) -> int:
        """Severity as a number: green 1, amber 2, red 3, so ratings can be compared and averaged."""
        return _RAG_LEVEL[self]

    @property
    def severity(self) -> float:
        """Share of the way from green to red (green 0, amber ½, red 1), used in the family score."""
        return (self.level - 1) / 2

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @classmethod
    def from_level(cls, level: int) -> RAG:
        return _LEVEL_RAG[level]


_RAG_LEVEL = {RAG.GREEN: 1, RAG.AMBER: 2, RAG.RED: 3}
_LEVEL_RAG = {v: k for k, v in _RAG_LEVEL.items()}


class Band(enum.StrEnum):
    """A family's overall band. `unrated` is its own band: a family nobody rated is never shown as green."""

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


_ROLE_LABELS = {
    Role.DOMESTIC_ABUSE_PRACTITIONER: "domestic abuse practitioner (victims)",
    Role.DOMESTIC_ABUSE_OFFICER: "domestic abuse officer (perpetrators)",
}


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


class MeetingStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
