"""What administrators change: offices, teams, accounts and who works with which family. Administrators see no
ratings; every change here is audited with what it was before and after."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from db.access import require_admin, require_unrestricted_for_admin
from db.errors import InvalidInput, NotFound
from db.models import Family, Involvement, Office, Team, User
from db.plain_text import clean_text
from db.services.accounts import check_new_password, create_user, end_sessions, hash_password
from db.services.audit import record
from db.services.meeting_changes import bump_open_meetings
from db.services.ratings_access import MOVED, RESET_BY_ADMIN, record_ratings_access
from db.session import transaction
from risk.vocabulary import Role

NAME_MAX = 120


def _name(value: str, what: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise InvalidInput(f"Give the {what} a name.")
    if len(value) > NAME_MAX:
        raise InvalidInput(f"A {what} name can be at most {NAME_MAX} characters.")
    return clean_text(value, what=f"The {what} name", limit=NAME_MAX)


def _unique(
    session: Session, model: type[Office] | type[Team], name: str, what: str, own_id: int | None = None
) -> None:
    found = session.execute(select(model.id, model.name).where(func.lower(model.name) == name.lower())).first()
    if found is not None and found.id != own_id:
        raise InvalidInput(f"There is already {what} called {found.name!r}. Choose another name.")


def add_office(engine: Engine, actor: User | None, name: str) -> Office:
    actor = require_admin(actor)
    name = _name(name, "office")
    with transaction(engine) as session:
        _unique(session, Office, name, "an office")
        office = Office(name=name)
        session.add(office)
        session.flush()
        record(session, actor, "office.create", "office", office.id, after={"name": name})
        return office


def rename_office(engine: Engine, actor: User | None, office_id: int, name: str) -> None:
    actor = require_admin(actor)
    name = _name(name, "office")
    with transaction(engine) as session:
        office = session.get(Office, office_id)
        if office is None:
            raise NotFound("That office does not exist.")
        _unique(session, Office, name, "an office", own_id=office.id)
        if office.name != name:
            before = {"name": office.name}
            office.name = name
            record(session, actor, "office.update", "office", office.id, before=before, after={"name": name})


def add_team(engine: Engine, actor: User | None, name: str, office_id: int) -> Team:
    actor = require_admin(actor)
    name = _name(name, "team")
    with transaction(engine) as session:
        if session.get(Office, office_id) is None:
            raise InvalidInput("Choose the office the team works from.")
        _unique(session, Team, name, "a team")
        team = Team(name=name, office_id=office_id)
        session.add(team)
        session.flush()
        record(session, actor, "team.create", "team", team.id, after={"name": name, "office_id": office_id})
        return team


def update_team(engine: Engine, actor: User | None, team_id: int, name: str, office_id: int) -> None:
    actor = require_admin(actor)
    name = _name(name, "team")
    with transaction(engine) as session:
        team = session.get(Team, team_id)
        if team is None:
            raise NotFound("That team does not exist.")
        if session.get(Office, office_id) is None:
            raise InvalidInput("Choose the office the team works from.")
        _unique(session, Team, name, "a team", own_id=team.id)
        before = {"name": team.name, "office_id": team.office_id}
        team.name, team.office_id = name, office_id
        record(
            session, actor, "team.update", "team", team.id, before=before, after={"name": name, "office_id": office_id}
        )


def update_user(
    engine: Engine,
    actor: User | None,
    user_id: int,
    *,
    role: Role,
    team_id: int | None,
    office_id: int | None,
    active: bool,
) -> None:
    """Change an account's role, team or office, or (de)activate it: a deactivated user loses access at once, and
    every session it had stays ended if it is activated again."""
    actor = require_admin(actor)
    with transaction(engine) as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("That account does not exist.")
        if user.id == actor.id and (not active or role is not Role.ADMINISTRATOR):
            raise InvalidInput("You cannot deactivate yourself or remove your own administrator role.")
        if role.rates_children and role is not Role.PSYCHOLOGIST and team_id is None:
            raise InvalidInput(f"A {role.label} belongs to a team: choose one.")
        if not role.rates_children:
            team_id = None
        if office_id is not None and session.get(Office, office_id) is None:
            raise InvalidInput("That office does not exist.")
        if team_id is not None:
            team = session.get(Team, team_id)
            if team is None:
                raise InvalidInput("That team does not exist.")
            office_id = team.office_id
        before = {"role": user.role.value, "team_id": user.team_id, "office_id": user.office_id, "active": user.active}
        if user.active and not active:
            end_sessions(user, "deactivated")
        user.role, user.team_id, user.office_id, user.active = role, team_id, office_id, active
        after = {"role": role.value, "team_id": team_id, "office_id": office_id, "active": active}
        if before != after:
            record(session, actor, "user.update", "user", user.id, before=before, after=after)
            if active and any(before[k] != after[k] for k in ("role", "team_id", "office_id", "active")):
                record_ratings_access(session, actor, user, MOVED)
            bump_open_meetings(session)  # a card's professionals and their roles; rare enough to tell every meeting


def reset_password(engine: Engine, actor: User | None, user_id: int, password: str) -> int:
    """Set a new password for someone who forgot theirs; it also lifts a lockout. Their sessions end, and as the
    administrator knows this password, its owner must change it at their next sign-in (ASVS 2.3.1). Returns the
    account's new session generation (an administrator setting their own carries on with it)."""
    actor = require_admin(actor)
    with transaction(engine) as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("That account does not exist.")
        check_new_password(password, email=user.email, name=user.display_name)
        user.password_hash = hash_password(password)
        user.failed_sign_ins, user.locked_until = 0, None
        user.must_change_password = user.id != actor.id
        end_sessions(user, "password reset")
        record(session, actor, "user.password_reset", "user", user.id)
        if user.id != actor.id:
            record_ratings_access(session, actor, user, RESET_BY_ADMIN)
        return user.session_generation


def sign_out_everywhere(engine: Engine, actor: User | None, user_id: int) -> None:
    """End every session of an account in every app process at its next click or refresh (a lost laptop, a
    suspected misuse), its single sign-on identities included. The account itself is unchanged."""
    actor = require_admin(actor)
    with transaction(engine) as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("That account does not exist.")
        end_sessions(user, "signed out everywhere")
        record(session, actor, "user.sign_out_everywhere", "user", user.id)


def unlock_user(engine: Engine, actor: User | None, user_id: int) -> None:
    """Lift a lockout after repeated failed sign-ins (when the person knows their password and it was, say, a
    colleague mistyping at their desk); the password itself is unchanged."""
    actor = require_admin(actor)
    with transaction(engine) as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("That account does not exist.")
        if user.locked_until is None and not user.failed_sign_ins:
            raise InvalidInput(f"The account of {user.display_name} is not locked.")
        before = {
            "failed_sign_ins": user.failed_sign_ins,
            "locked_until": user.locked_until.isoformat() if user.locked_until else None,
        }
        user.failed_sign_ins, user.locked_until = 0, None
        record(
            session,
            actor,
            "user.unlock",
            "user",
            user.id,
            before=before,
            after={"failed_sign_ins": 0, "locked_until": None},
        )


def create_first_administrator(engine: Engine, email: str, name: str, password: str) -> User:
    """The first account of a new installation, made from the sign-in screen by whoever sets it up.

    Refused once any account exists: the count is taken inside the same transaction as the insert, under a table
    lock on PostgreSQL, so two people setting up at the same moment cannot both become administrator.
    """
    return create_user(
        engine, None, email=email, display_name=name, role=Role.ADMINISTRATOR, password=password, only_if_first=True
    )


def add_involvement(
    engine: Engine, actor: User | None, family_id: int, practitioner_id: int, started_on: dt.date
) -> Involvement:
    actor = require_admin(actor)
    with transaction(engine) as session:
        family = session.get(Family, family_id)
        person = session.get(User, practitioner_id)
        if family is None or person is None:
            raise NotFound("That family or professional does not exist.")
        require_unrestricted_for_admin(family)
        in_team = person.team_id == family.team_id or (
            person.role is Role.PSYCHOLOGIST and person.team_id is None and person.office_id == family.team.office_id
        )
        if not person.active or not person.role.rates_children or not in_team:
            raise InvalidInput(f"{person.display_name} is not an active professional of {family.team.name}.")
        if started_on < family.opened_on:
            raise InvalidInput(f"The family's case opened on {family.opened_on:%d/%m/%Y}: start on or after that.")
        current = session.scalar(
            select(Involvement.id).where(
                Involvement.family_id == family_id,
                Involvement.practitioner_id == practitioner_id,
                Involvement.ended_on.is_(None),
            )
        )
        if current is not None:
            raise InvalidInput(f"{person.display_name} already works with {family.case_reference}.")
        involvement = Involvement(family_id=family_id, practitioner_id=practitioner_id, started_on=started_on)
        session.add(involvement)
        session.flush()
        record(
            session,
            actor,
            "involvement.create",
            "involvement",
            involvement.id,
            after={"family_id": family_id, "practitioner_id": practitioner_id, "started_on": started_on.isoformat()},
        )
        bump_open_meetings(session, [family.team_id])
        return involvement


def end_involvement(engine: Engine, actor: User | None, involvement_id: int, ended_on: dt.date) -> None:
    actor = require_admin(actor)
    with transaction(engine) as session:
        involvement = session.get(Involvement, involvement_id)
        if involvement is None:
            raise NotFound("That involvement does not exist.")
        require_unrestricted_for_admin(involvement.family)
        if involvement.ended_on is not None:
            raise InvalidInput("That involvement has already ended.")
        if ended_on <= involvement.started_on:
            raise InvalidInput(f"It started on {involvement.started_on:%d/%m/%Y}: the end must be after that.")
        involvement.ended_on = ended_on
        record(
            session,
            actor,
            "involvement.end",
            "involvement",
            involvement.id,
            before={"ended_on": None},
            after={"ended_on": ended_on.isoformat(), "family_id": involvement.family_id},
        )
        bump_open_meetings(session, [involvement.family.team_id])
