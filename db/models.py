"""The schema, as typed SQLAlchemy models. The database is created by the Alembic migrations, never from here.

Enumerations are stored as short strings with a CHECK constraint (not native PostgreSQL enums) so that SQLite and
PostgreSQL hold the same values and a migration can add a value without ALTER TYPE.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from risk.policies import DEFAULT_POLICY, POLICIES
from risk.presentation import FAMILY_NAME_MAX
from risk.reminders import ReminderKind
from risk.schedule import DEFAULT_OPEN_DAYS_BEFORE, Pattern
from risk.supervision import CHOICE_LABEL_MAX, DECISION_TEXT_MAX, UPDATE_TEXT_MAX, ChoiceKind
from risk.vocabulary import RAG, Band, LegalStatus, MeetingStatus, Role

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

NEVER_REUSED_IDS = {"sqlite_autoincrement": True}
"""For the records the audit trail names by id (a family, a child, a rating, an involvement, an action): once one
is erased its id is never given to a new record (PostgreSQL's sequences never reuse one; SQLite needs
AUTOINCREMENT), so the trail's events about an erased record can never be read as a new record's."""

RATIONALE_MAX = 500
ACTION_TEXT_MAX = 1000


WITHHELD = "withheld_from_exports"
"""A column's `info` key saying why the data exit (db/exports/data_exit.py) leaves it out: credentials stay here."""
CREDENTIAL = "a credential, not the council's data"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        values_callable=lambda e: [m.value for m in e],
        length=32,
        validate_strings=True,
    )


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    __table__: ClassVar[Table]  # every model here maps one table (SQLAlchemy types it as any FromClause)
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: DateTime(timezone=True), dict[str, Any]: JSON}


class Office(Base):
    """A base holding several teams; one psychologist serves each office."""

    __tablename__ = "office"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)

    teams: Mapped[list[Team]] = relationship(back_populates="office", order_by="Team.name")


class Team(Base):
    """A locality Family Safeguarding team; it owns a caseload and holds its own monthly supervision."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # The team's rule for combining ratings (risk.policies), as an administrator last set it: its live ranking,
    # its family cards and the scores stored when its meetings close (or are rebuilt) all follow it.
    policy: Mapped[str] = mapped_column(String(32), default=DEFAULT_POLICY, server_default=DEFAULT_POLICY)
    policy_version: Mapped[int] = mapped_column(
        default=POLICIES[DEFAULT_POLICY].version, server_default=str(POLICIES[DEFAULT_POLICY].version)
    )
    # Presentation mode shows families' names as initials only (risk.presentation.family_label): for rooms where
    # visitors can see the projector. Set by the team's manager or an administrator (db.services.team_settings).
    presentation_initials: Mapped[bool] = mapped_column(default=False)

    office: Mapped[Office] = relationship(back_populates="teams")


class User(Base):
    """Anyone who signs in: the team's professionals, service leads and administrators.

    Professionals belong to a team; a psychologist or a service lead may instead be tied to an office.
    Users are deactivated, never deleted, so the audit trail and past ratings keep their author.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="RESTRICT"), index=True)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id", ondelete="RESTRICT"))
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), info={WITHHELD: CREDENTIAL})
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Plain tables instead of canvas grids on every page: a screen reader's user should not have to ask each time.
    table_view: Mapped[bool] = mapped_column(default=False)
    # Two-step sign-in (RFC 6238): the base32 secret once enrolment is confirmed, and the last time step a code was
    # accepted for, so a code is never accepted twice (the step only moves forward, in one atomic UPDATE).
    totp_secret: Mapped[str | None] = mapped_column(String(64), info={WITHHELD: CREDENTIAL})
    totp_enabled_at: Mapped[dt.datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # Every app process compares its sessions' generation with this at each click and refresh: moving it on (a
    # password change, an MFA reset, a deactivation, "sign out everywhere") ends every older session, and the
    # reason says why.
    session_generation: Mapped[int] = mapped_column(default=0)
    sessions_ended_reason: Mapped[str | None] = mapped_column(String(40))
    # Single sign-on identities are judged by the provider's own issue time (`iat`, seconds): the latest one
    # accepted, and the newest one whose dashboard session has ended (signed out, idle, deactivated), at or
    # before which the browser's identity cookie is not taken again: the provider is asked.
    sso_last_iat: Mapped[int | None] = mapped_column(BigInteger)
    sso_ended_before: Mapped[int | None] = mapped_column(BigInteger)
    # A first password an administrator typed is known to them: it must be changed at first sign-in (ASVS 2.3.1).
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # Reminders by email (ratings due, actions due, the chair's list): on unless the person turns them off.
    reminder_emails: Mapped[bool] = mapped_column(default=True)

    team: Mapped[Team | None] = relationship()
    office: Mapped[Office | None] = relationship()

    @property
    def has_mfa(self) -> bool:
        return self.totp_secret is not None


class RecoveryCode(Base):
    """One of an account's ten one-time recovery codes, for when the authenticator is lost: only its argon2 hash is
    kept, and `used_at` is set (once, atomically) when it signs someone in."""

    __tablename__ = "mfa_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255), info={WITHHELD: CREDENTIAL})
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    used_at: Mapped[dt.datetime | None]


class Family(Base):
    """A case: allocated to one team and one lead social worker, open from `opened_on` until `closed_on`."""

    __tablename__ = "family"
    __table_args__ = (
        CheckConstraint("closed_on IS NULL OR closed_on >= opened_on", name="closed_after_opened"),
        Index("ix_family_team_id_closed_on", "team_id", "closed_on"),
        NEVER_REUSED_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="RESTRICT"))
    case_reference: Mapped[str] = mapped_column(String(40), unique=True)
    # The family's name as the case system holds it (the surname or surnames, "Jones / Ahmed"), shown beside the
    # case reference by risk.presentation.family_label; plain text, never HTML. None when the import gives none.
    display_name: Mapped[str | None] = mapped_column(String(FAMILY_NAME_MAX))
    social_worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    opened_on: Mapped[dt.date]
    closed_on: Mapped[dt.date | None]
    # Set while the family is restricted (UK GDPR Art 18): no query or service shows or changes it, except the
    # administrator's records tools (db.access.visible_families is the one condition every case query applies).
    restricted_at: Mapped[dt.datetime | None]

    team: Mapped[Team] = relationship()
    social_worker: Mapped[User | None] = relationship()
    children: Mapped[list[Child]] = relationship(back_populates="family", order_by="Child.date_of_birth")


class Child(Base):
    """A child in a family. Ratings are per child. A family with children cannot be deleted (RESTRICT)."""

    __tablename__ = "child"
    __table_args__ = (NEVER_REUSED_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id", ondelete="RESTRICT"), index=True)
    case_reference: Mapped[str] = mapped_column(String(40), unique=True)
    first_name: Mapped[str] = mapped_column(String(80))
    date_of_birth: Mapped[dt.date]

    family: Mapped[Family] = relationship(back_populates="children")
    legal_statuses: Mapped[list[LegalStatusPeriod]] = relationship(
        back_populates="child", order_by="LegalStatusPeriod.started_on"
    )


class LegalStatusPeriod(Base):
    """One stretch of a child's plan. `ended_on` is exclusive and NULL while current, so the periods of a child
    tile time and the status on any date (and so the outcome counts for any month) can be found."""

    __tablename__ = "legal_status"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on > started_on", name="ends_after_start"),
        UniqueConstraint("child_id", "started_on"),
        Index("ix_legal_status_status_started_on", "status", "started_on", "ended_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"))
    status: Mapped[LegalStatus] = mapped_column(_enum(LegalStatus, "legal_status"))
    started_on: Mapped[dt.date]
    ended_on: Mapped[dt.date | None]

    child: Mapped[Child] = relationship(back_populates="legal_statuses")


class Involvement(Base):
    """Which professional works with which family, and when: only they are expected to rate its children."""

    __tablename__ = "involvement"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on > started_on", name="ends_after_start"),
        UniqueConstraint("family_id", "practitioner_id", "started_on"),
        Index("ix_involvement_practitioner_id", "practitioner_id", "family_id"),
        NEVER_REUSED_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id", ondelete="CASCADE"))
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    started_on: Mapped[dt.date]
    ended_on: Mapped[dt.date | None]

    family: Mapped[Family] = relationship()
    practitioner: Mapped[User] = relationship()


class Meeting(Base):
    """One team's monthly group supervision. Ratings are entered while it is open; closing it stores the
    family scores and locks the record."""

    __tablename__ = "meeting"
    __table_args__ = (
        UniqueConstraint("team_id", "held_on"),
        CheckConstraint("planned_minutes > 0", name="planned_minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="RESTRICT"))
    held_on: Mapped[dt.date]
    status: Mapped[MeetingStatus] = mapped_column(_enum(MeetingStatus, "meeting_status"))
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None]
    # What the chair has open on the shared screen, and since when: others can follow it, and the time a family
    # is open counts as time spent discussing it.
    focus_family_id: Mapped[int | None] = mapped_column(ForeignKey("family.id", ondelete="RESTRICT"))
    focus_opened_at: Mapped[dt.datetime | None]
    planned_minutes: Mapped[int | None]
    # Moves with every change the meeting's screens show (db.services.meeting_changes.bump_meeting_change): a
    # refresh that finds it where it was redraws nothing, and what was computed at a count is shared.
    changes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The council's wall-clock time it starts (from the team's schedule, or set by the chair); None: not said.
    starts_at: Mapped[dt.time | None]

    team: Mapped[Team] = relationship()
    chair: Mapped[User | None] = relationship()


class MeetingSchedule(Base):
    """A team's rule for when its meetings are held (risk.schedule.ScheduleRule), from which each meeting opens
    for ratings by itself. One per team; `version` is the optimistic lock, so the administrator and the team manager
    editing it at once cannot overwrite each other silently."""

    __tablename__ = "meeting_schedule"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("planned_minutes > 0", name="planned_minutes"),
        CheckConstraint("open_days_before >= 0", name="open_days_before"),
    )

    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="RESTRICT"), primary_key=True)
    pattern: Mapped[Pattern] = mapped_column(_enum(Pattern, "schedule_pattern"))
    weekday: Mapped[int]
    nth: Mapped[int | None]
    every_weeks: Mapped[int | None]
    starts_on: Mapped[dt.date]
    starts_at: Mapped[dt.time]
    planned_minutes: Mapped[int]
    open_days_before: Mapped[int] = mapped_column(default=DEFAULT_OPEN_DAYS_BEFORE)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    team: Mapped[Team] = relationship()

    __mapper_args__ = {"version_id_col": version}


class ScheduleChange(Base):
    """A one-off change to the meeting a team's rule puts on `scheduled_on`: moved (to `moved_to`, perhaps at
    another time) or, with no `moved_to`, cancelled. The rule itself is untouched."""

    __tablename__ = "schedule_change"
    __table_args__ = (UniqueConstraint("team_id", "scheduled_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="RESTRICT"))
    scheduled_on: Mapped[dt.date]
    moved_to: Mapped[dt.date | None]
    moved_time: Mapped[dt.time | None]
    made_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    team: Mapped[Team] = relationship()


class Reminder(Base):
    """One reminder email to one person: which kind, for which meeting or action, and when it was sent. The record
    is what makes each reminder go once: `dedupe_key` is unique, so a second run (or a run on another machine at
    the same moment) cannot claim it again. A claim is made before sending and removed if sending fails, so a
    reminder is marked sent only once the relay has accepted it. The message itself is never stored."""

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_reminder_sent_at", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[ReminderKind] = mapped_column(_enum(ReminderKind, "reminder_kind"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="RESTRICT"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id", ondelete="RESTRICT"))
    claimed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]

    recipient: Mapped[User] = relationship()


class FamilyDiscussion(Base):
    """The meeting's own record of a family: whether supervision discussed it, and for how long.

    `seconds_spent` adds up every stretch the family was open on the chair's screen; `discussed_at` is when the
    chair marked it discussed (None: not discussed, or unmarked again). Time spent stays when a mark is undone:
    the time was spent.
    """

    __tablename__ = "family_discussion"
    __table_args__ = (
        UniqueConstraint("meeting_id", "family_id"),
        CheckConstraint("seconds_spent >= 0", name="seconds_spent"),
        Index("ix_family_discussion_family_id", "family_id", "discussed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="RESTRICT"))
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id", ondelete="RESTRICT"))
    seconds_spent: Mapped[int] = mapped_column(Integer, default=0)
    discussed_at: Mapped[dt.datetime | None]
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))


class Rating(Base):
    """One professional's red/amber/green for one child at one meeting.

    `version` is SQLAlchemy's optimistic lock: a save made against an older version fails instead of silently
    overwriting a colleague's change.
    """

    __tablename__ = "rating"
    __table_args__ = (
        UniqueConstraint("meeting_id", "child_id", "practitioner_id"),
        Index("ix_rating_child_id", "child_id", "meeting_id"),
        NEVER_REUSED_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="RESTRICT"))
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="RESTRICT"))
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    rag: Mapped[RAG] = mapped_column(_enum(RAG, "rag"))
    rationale: Mapped[str | None] = mapped_column(String(RATIONALE_MAX))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    meeting: Mapped[Meeting] = relationship()
    child: Mapped[Child] = relationship()
    practitioner: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}


class FamilyRiskScore(Base):
    """The family's aggregate at a closed meeting, stored with the policy that made it and how it was derived,
    so a score shown in a year's time can still be explained."""

    __tablename__ = "family_risk_score"
    __table_args__ = (
        UniqueConstraint("meeting_id", "family_id"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        Index("ix_family_risk_score_family_id", "family_id", "meeting_id"),
        Index("ix_family_risk_score_meeting_id_band", "meeting_id", "band", "score"),  # the service heatmaps
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="RESTRICT"))
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id", ondelete="RESTRICT"))
    score: Mapped[float | None] = mapped_column(Numeric(5, 2, asdecimal=False))
    band: Mapped[Band] = mapped_column(_enum(Band, "band"))
    policy: Mapped[str] = mapped_column(String(32))
    policy_version: Mapped[int]
    components: Mapped[dict[str, Any]]
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    family: Mapped[Family] = relationship()


class MeetingRatingMix(Base):
    """How many children a closed meeting rated with each mix of greens, ambers and reds, among the children two or
    more professionals rated: what the raters' agreement (Krippendorff's alpha) is measured from. Stored with the
    scores when the meeting closes, and again when a rating of it is corrected or the scores are rebuilt."""

    __tablename__ = "meeting_rating_mix"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True)
    greens: Mapped[int] = mapped_column(primary_key=True)
    ambers: Mapped[int] = mapped_column(primary_key=True)
    reds: Mapped[int] = mapped_column(primary_key=True)
    children: Mapped[int]


class MeetingRoleComparison(Base):
    """Each role beside its colleagues at one closed meeting: of the ratings of that colour given by that role to
    children two or more professionals rated, how many, and how many greens, ambers and reds those children got
    in all (the rating itself included). Added up over meetings, they say how often the role rated more or less
    severely than the others (db.queries.calibration.role_severity). The role is the one the professional held
    when the meeting closed. Stored with the mixes."""

    __tablename__ = "meeting_role_comparison"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), primary_key=True)
    rag: Mapped[RAG] = mapped_column(_enum(RAG, "rag"), primary_key=True)
    ratings: Mapped[int]
    greens: Mapped[int]
    ambers: Mapped[int]
    reds: Mapped[int]


class Action(Base):
    """An agreed next step from supervision: what, who, by when, and whether it was done."""

    __tablename__ = "action"
    __table_args__ = (Index("ix_action_family_id", "family_id", "completed_on"), NEVER_REUSED_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id", ondelete="RESTRICT"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(String(ACTION_TEXT_MAX))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    due_on: Mapped[dt.date | None]
    completed_on: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    family: Mapped[Family] = relationship()
    owner: Mapped[User | None] = relationship()


class ChoiceItem(Base):
    """An entry of one of the short lists the administrator keeps (risk.supervision.ChoiceKind): the kinds of work
    a professional's update names, the outcomes of the chair's decision. Retired, never deleted: a retired entry is
    no longer offered, and still names what old records chose."""

    __tablename__ = "choice_item"
    __table_args__ = (UniqueConstraint("kind", "label"), Index("ix_choice_item_kind_position", "kind", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ChoiceKind] = mapped_column(_enum(ChoiceKind, "choice_kind"))
    label: Mapped[str] = mapped_column(String(CHOICE_LABEL_MAX))
    position: Mapped[int]
    retired_at: Mapped[dt.datetime | None]


class SupervisionUpdate(Base):
    """One professional's update for one family at one meeting: what they did with the family since the last
    meeting, and the kind of work. Saved with their ratings of the family's children, in the same transaction,
    with the same optimistic lock; after the meeting closes only the team manager corrects it, with a reason."""

    __tablename__ = "supervision_update"
    __table_args__ = (
        UniqueConstraint("meeting_id", "family_id", "author_id"),
        Index("ix_supervision_update_family_id", "family_id", "meeting_id"),
        NEVER_REUSED_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="RESTRICT"))
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id", ondelete="RESTRICT"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # The author's role when they wrote it: the record says "the domestic abuse officer", as it did on the day.
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    work_kind_id: Mapped[int | None] = mapped_column(ForeignKey("choice_item.id", ondelete="RESTRICT"))
    text: Mapped[str | None] = mapped_column(String(UPDATE_TEXT_MAX))
    correction_reason: Mapped[str | None] = mapped_column(String(RATIONALE_MAX))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    work_kind: Mapped[ChoiceItem | None] = relationship()
    author: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}


class FamilyDecision(Base):
    """The chair's decision for one family at one meeting: the decision and next steps, an outcome from the
    administrator's list, and when the family is reviewed next. One per family and meeting, with an optimistic lock
    (two managers at two screens never overwrite each other silently); after the meeting closes it is corrected
    only with a reason."""

    __tablename__ = "family_decision"
    __table_args__ = (
        UniqueConstraint("meeting_id", "family_id"),
        Index("ix_family_decision_family_id", "family_id", "meeting_id"),
        NEVER_REUSED_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="RESTRICT"))
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id", ondelete="RESTRICT"))
    chair_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(String(DECISION_TEXT_MAX))
    outcome_id: Mapped[int] = mapped_column(ForeignKey("choice_item.id", ondelete="RESTRICT"))
    next_review_on: Mapped[dt.date | None]
    correction_reason: Mapped[str | None] = mapped_column(String(RATIONALE_MAX))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    outcome: Mapped[ChoiceItem] = relationship()
    chair: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}


class AuditEvent(Base):
    """Append-only record of who did what. The application only ever inserts here."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_entity", "entity_type", "entity_id"),
        Index("ix_audit_event_actor_id", "actor_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    verb: Mapped[str] = mapped_column(String(40))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    session_id: Mapped[str | None] = mapped_column(String(32), index=True)
    """the dashboard session the event happened in (db/request_context.py); none for the command line"""
    source_address: Mapped[str | None] = mapped_column(String(45))
    """the client's address, through a configured trusted proxy's X-Forwarded-For only"""
    user_agent: Mapped[str | None] = mapped_column(String(200))


class RetentionRule(Base):
    """How long a closed family's case data is kept before it is anonymised, as set by an administrator from the
    council's own retention schedule. Every change is a new row, so the rule in force on any day can be shown."""

    __tablename__ = "retention_rule"
    __table_args__ = (CheckConstraint("years_after_closure BETWEEN 1 AND 100", name="sensible_years"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    years_after_closure: Mapped[int]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    set_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FamilyAnonymisation(Base):
    """A family whose identifying details were replaced under the retention rule (it is not listed as due again)."""

    __tablename__ = "family_anonymisation"

    family_id: Mapped[int] = mapped_column(ForeignKey("family.id", ondelete="RESTRICT"), primary_key=True)
    anonymised_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    years_after_closure: Mapped[int]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))


class AuditPseudonymisation(Base):
    """The one door through the audit trail's append-only triggers. A permit is open only inside the transaction
    that anonymises or erases (inserted first, finished before commit); while it is open the triggers let that
    transaction rewrite the `before`/`after` details of events, and nothing else."""

    __tablename__ = "audit_pseudonymisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    audit_event_id: Mapped[int] = mapped_column(ForeignKey("audit_event.id", ondelete="RESTRICT"), unique=True)
    """the `audit.pseudonymise` event written for this permit (migration 0016): every opening is on the trail"""
    finished_at: Mapped[dt.datetime | None]
    """set when the rewrite ends, in the same transaction; a finished permit is kept and never reopened"""


class DeletionRule(Base):
    """Whether, and how many years after it was anonymised, an anonymised family is deleted altogether, for councils
    whose policy does not keep even the anonymised figures (None: never, the default). Set beside the retention
    rule; every change is a new row, as for the retention rule."""

    __tablename__ = "deletion_rule"
    __table_args__ = (
        CheckConstraint(
            "years_after_anonymisation IS NULL OR years_after_anonymisation BETWEEN 1 AND 100", name="sensible_years"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    years_after_anonymisation: Mapped[int | None]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    set_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
