"""Reminders by email: who has something to do before the meeting hears so, once.

`send_reminders` is what `fsdash reminders send` runs from cron. It works out what is due (risk.reminders says
which reminders a day brings), then for each email: claims its reminders in the `reminder` table (a unique key per
reminder, so a second run, or a run on another machine at the same moment, finds them taken and sends nothing),
sends it, and marks them sent. If sending fails the claim is removed, so nothing is marked sent that was not, and
the next run tries again. A claim left behind by a run that died between claiming and marking (a crash, a power
cut) is released after STALE_CLAIM, so that reminder is not lost: in that rare case it may arrive twice.

An email holds counts, dates, team names, staff names on the chair's list and links: the messages are composed in
risk.reminders from those values alone, never from a family, a child, a rating or anyone's words.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.access import require_admin_or_command_line
from db.mail import AddressRefused, MailSettings, Relay, RelayUnavailable, build_email, mail_settings, relay
from db.models import Action, Family, Meeting, Reminder, Team, User, utcnow
from db.queries.meeting_inputs import families_at_meeting
from db.services.accounts import set_own_preference
from db.services.audit import record
from db.session import reading, transaction
from db.settings import (
    PUBLIC_URL,
    REMINDER_ACTION_DAYS,
    REMINDER_HOUR,
    REMINDER_RATING_DAYS,
    SettingProblem,
    time_zone,
)
from risk.reminders import (
    OVERDUE_WINDOW_DAYS,
    ActionLine,
    Links,
    Message,
    ReminderKind,
    ReminderSettings,
    StillToRate,
    action_reminder_due,
    actions_message,
    chair_list_due,
    chair_message,
    days_problem,
    parse_days,
    ratings_message,
    ratings_reminder_due,
    sending_hours,
)
from risk.signals import missing_ratings
from risk.vocabulary import MeetingStatus, Role

STALE_CLAIM = dt.timedelta(minutes=30)


def reminder_settings() -> ReminderSettings:
    """The reminder settings from the environment, or SettingProblem saying which one is wrong."""
    rating_days, action_days, hour = REMINDER_RATING_DAYS.value(), REMINDER_ACTION_DAYS.value(), REMINDER_HOUR.value()
    for setting, text in ((REMINDER_RATING_DAYS, rating_days), (REMINDER_ACTION_DAYS, action_days)):
        if (problem := days_problem(text)) is not None:
            raise SettingProblem(f"{setting.name}: {problem}")
    if len(parse_days(action_days)) != 1:
        raise SettingProblem(f"{REMINDER_ACTION_DAYS.name}: give one number of days, such as 2.")
    if not hour.isdigit() or not 0 <= int(hour) <= 23:
        raise SettingProblem(f"{REMINDER_HOUR.name}={hour!r}: give an hour of the day from 0 to 23, such as 7.")
    return ReminderSettings(
        rating_days=parse_days(rating_days),
        action_days=parse_days(action_days)[0],
        sending_hour=int(hour),
        time_zone=time_zone().key,
    )


# --- what is due ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """One reminder to one person: recorded once under `key`."""

    key: str
    kind: ReminderKind
    meeting_id: int | None = None
    action_id: int | None = None
    line: ActionLine | None = None


@dataclass(frozen=True)
class Outgoing:
    """One email: to whom, the reminders it carries, and how to word it from the reminders this run claimed."""

    recipient_id: int
    address: str
    kind: ReminderKind
    dues: tuple[Due, ...]
    compose: Callable[[Sequence[Due]], Message]


@dataclass(frozen=True)
class Recipient:
    id: int
    name: str
    email: str


def _recipients(session: Session) -> dict[int, Recipient]:
    """Everyone who may get a reminder: active accounts that have not turned them off. (An account that signs in
    only with the council's single sign-on has the email the identity provider verified: it is the account's.)"""
    rows = session.execute(
        select(User.id, User.display_name, User.email).where(User.active.is_(True), User.reminder_emails.is_(True))
    )
    return {row.id: Recipient(row.id, row.display_name, row.email) for row in rows}


def _missing_by_person(session: Session, meeting: Meeting) -> dict[int, int]:
    """Ratings still to enter at the meeting, per professional, exactly as the chair's screen counts them."""
    missing: dict[int, int] = defaultdict(int)
    for family in families_at_meeting(session, meeting):
        for gap in missing_ratings(family):
            missing[gap.practitioner_id] += len(gap.child_ids)
    return missing


def _links(mail: MailSettings | None, path: str) -> Links:
    base = mail.public_url if mail is not None else (PUBLIC_URL.value().rstrip("/") or "(FSDASH_PUBLIC_URL)")
    return Links(page=f"{base}/{path}", account=f"{base}/account")


def plan_reminders(
    session: Session, local_now: dt.datetime, settings: ReminderSettings, mail: MailSettings | None
) -> list[Outgoing]:
    """Every email due at `local_now` (the council's wall clock), whether or not it has been sent already: the
    record of what was sent decides that, when each is claimed."""
    today = local_now.date()
    people = _recipients(session)
    outgoing: list[Outgoing] = []
    meetings = session.execute(
        select(Meeting, Team.name)
        .join(Team, Team.id == Meeting.team_id)
        .where(Meeting.status == MeetingStatus.OPEN, Meeting.held_on >= today)
        .order_by(Team.name)
    ).all()
    for meeting, team in meetings:
        days = ratings_reminder_due(meeting.held_on, today, settings.rating_days)
        chair_day = chair_list_due(meeting.held_on, meeting.starts_at, local_now)
        if days is None and not chair_day:
            continue
        missing = _missing_by_person(session, meeting)
        if days is not None:
            links = _links(mail, f"rate?team={meeting.team_id}")
            for person_id, count in sorted(missing.items()):
                if person_id not in people or not count:
                    continue
                due = Due(
                    f"{ReminderKind.RATINGS_DUE}:m{meeting.id}:{meeting.held_on}:d{days}:u{person_id}",
                    ReminderKind.RATINGS_DUE,
                    meeting_id=meeting.id,
                )
                message = ratings_message(team, meeting.held_on, meeting.starts_at, count, links)
                outgoing.append(Outgoing(person_id, people[person_id].email, due.kind, (due,), _always(message)))
        if chair_day:
            names = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(missing))).all())
            still = [StillToRate(names[pid], count) for pid, count in missing.items() if count]
            links = _links(mail, f"meeting?team={meeting.team_id}")
            message = chair_message(team, meeting.held_on, meeting.starts_at, still, links)
            for chair_id in _chairs(session, meeting):
                if chair_id not in people:
                    continue
                due = Due(
                    f"{ReminderKind.CHAIR_LIST}:m{meeting.id}:{meeting.held_on}:u{chair_id}",
                    ReminderKind.CHAIR_LIST,
                    meeting_id=meeting.id,
                )
                outgoing.append(Outgoing(chair_id, people[chair_id].email, due.kind, (due,), _always(message)))
    outgoing += _action_reminders(session, today, settings, mail, people)
    return outgoing


def _always(message: Message) -> Callable[[Sequence[Due]], Message]:
    """A message that reads the same whichever of its reminders were claimed (it carries one)."""

    def compose(_claimed: Sequence[Due]) -> Message:
        return message

    return compose


def _chairs(session: Session, meeting: Meeting) -> list[int]:
    """Who chairs: the manager who opened the meeting, if still the team's active manager; otherwise (a meeting the
    schedule opened) every active manager of the team."""
    managers = list(
        session.scalars(
            select(User.id).where(
                User.team_id == meeting.team_id, User.role == Role.TEAM_MANAGER, User.active.is_(True)
            )
        )
    )
    if meeting.chair_id in managers:
        return [meeting.chair_id]
    return sorted(managers)


def _action_reminders(
    session: Session,
    today: dt.date,
    settings: ReminderSettings,
    mail: MailSettings | None,
    people: dict[int, Recipient],
) -> list[Outgoing]:
    """One email per owner for all their actions falling due or just overdue, saying teams and dates only."""
    rows = session.execute(
        select(Action.id, Action.owner_id, Action.due_on, Team.name)
        .join(Family, Family.id == Action.family_id)
        .join(Team, Team.id == Family.team_id)
        .where(
            Action.completed_on.is_(None),
            Action.owner_id.is_not(None),
            Action.due_on.is_not(None),
            Action.due_on >= today - dt.timedelta(days=OVERDUE_WINDOW_DAYS),
            Action.due_on <= today + dt.timedelta(days=settings.action_days),
            Family.closed_on.is_(None),
        )
        .order_by(Action.owner_id, Action.due_on, Action.id)
    ).all()
    by_owner: dict[int, list[Due]] = defaultdict(list)
    for action_id, owner_id, due_on, team in rows:
        if due_on is None or owner_id not in people:
            continue
        kind = action_reminder_due(due_on, today, settings.action_days)
        if kind is None:
            continue
        line = ActionLine(team, due_on, overdue=kind is ReminderKind.ACTION_OVERDUE)
        by_owner[owner_id].append(
            Due(f"{kind}:a{action_id}:{due_on}:u{owner_id}", kind, action_id=action_id, line=line)
        )
    links = _links(mail, "caseload")
    return [
        Outgoing(
            owner_id,
            people[owner_id].email,
            ReminderKind.ACTION_OVERDUE
            if all(d.kind is ReminderKind.ACTION_OVERDUE for d in dues)
            else ReminderKind.ACTION_DUE,
            tuple(dues),
            lambda claimed: actions_message([d.line for d in claimed if d.line is not None], today, links),
        )
        for owner_id, dues in by_owner.items()
    ]


# --- sending, once ------------------------------------------------------------------------------------------------


@dataclass
class ReminderRun:
    """What one run did. `stopped` is the relay's failure that ended the run early, if any."""

    before_hours: bool = False
    emails: int = 0
    reminders: int = 0
    by_kind: dict[ReminderKind, int] = field(default_factory=dict)
    already_sent: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)
    stopped: str | None = None
    not_reached: int = 0
    planned: int = 0


def _claim(session: Session, due: Due, recipient_id: int, now: dt.datetime) -> bool:
    """Record the reminder as being sent; False when it is already recorded (sent, or being sent elsewhere)."""
    values = {
        "dedupe_key": due.key,
        "kind": due.kind.value,
        "recipient_id": recipient_id,
        "meeting_id": due.meeting_id,
        "action_id": due.action_id,
        "claimed_at": now,
    }
    table = Reminder.__table__
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    statement = insert.values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id)
    return session.execute(statement).first() is not None


def send_reminders(
    engine: Engine,
    actor: User | None,
    *,
    now: dt.datetime | None = None,
    settings: ReminderSettings | None = None,
    mail: MailSettings | None = None,
    dry_run: bool = False,
    connect: Callable[[MailSettings], AbstractContextManager[Relay]] = relay,
) -> ReminderRun:
    """Send every reminder due now that has not been sent; see the module's docstring. With `dry_run`, only say
    how many emails are due (and change nothing)."""
    require_admin_or_command_line(actor)
    settings = settings or reminder_settings()
    now = now or utcnow()
    local_now = settings.local(now)
    run = ReminderRun()
    if not sending_hours(local_now, settings):
        run.before_hours = True
        return run
    if not dry_run:
        mail = mail or mail_settings()
    with reading(engine) as session:
        outgoing = plan_reminders(session, local_now, settings, mail)
    run.planned = len(outgoing)
    if dry_run:
        for email in outgoing:
            run.by_kind[email.kind] = run.by_kind.get(email.kind, 0) + 1
        return run
    assert mail is not None
    with transaction(engine) as session:  # claims a dead run left behind go back into the pool
        session.execute(delete(Reminder).where(Reminder.sent_at.is_(None), Reminder.claimed_at < now - STALE_CLAIM))
    with connect(mail) as connection:
        for position, email in enumerate(outgoing):
            try:
                _send_one(engine, connection, mail, email, now, run)
            except RelayUnavailable as stopped:
                run.stopped = str(stopped)
                run.not_reached = len(outgoing) - position
                break
    if run.emails:
        with transaction(engine) as session:
            record(
                session,
                actor,
                "reminders.send",
                "reminder",
                None,
                after={
                    "emails": run.emails,
                    "reminders": run.reminders,
                    **{k.value: n for k, n in run.by_kind.items()},
                },
            )
    return run


def _send_one(
    engine: Engine, connection: Relay, mail: MailSettings, email: Outgoing, now: dt.datetime, run: ReminderRun
) -> None:
    with transaction(engine) as session:
        claimed = [due for due in email.dues if _claim(session, due, email.recipient_id, now)]
    if not claimed:
        run.already_sent += 1
        return
    ids = select(Reminder.id).where(Reminder.dedupe_key.in_([due.key for due in claimed]))
    try:
        connection.send(build_email(email.compose(claimed), mail, email.address))
    except (AddressRefused, RelayUnavailable) as failure:
        with transaction(engine) as session:  # not sent, so not marked: the next run tries again
            session.execute(delete(Reminder).where(Reminder.id.in_(ids)))
        if isinstance(failure, RelayUnavailable):
            raise
        run.refused.append((email.recipient_id, str(failure)))
        return
    with transaction(engine) as session:
        session.execute(update(Reminder).where(Reminder.id.in_(ids)).values(sent_at=utcnow()))
    run.emails += 1
    run.reminders += len(claimed)
    run.by_kind[email.kind] = run.by_kind.get(email.kind, 0) + 1


# --- a person's own choice ----------------------------------------------------------------------------------------


def set_reminder_emails(engine: Engine, actor: User | None, on: bool) -> None:
    """Turn one's own reminder emails on or off (My account)."""
    set_own_preference(engine, actor, "reminder_emails", on)
