"""Giving an account the right to read ratings is an event of its own, for the service lead to see.

An administrator sees no ratings, but could create a team manager account with a password they know (or move an
account into a team, or reset a practitioner's password) and sign in as it. Each of those is written as
`access.ratings_granted` beside the account event, saying how, so the service lead's overview lists every account
given access to a team's ratings, by whom; and it goes to the security log."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.models import User
from db.services.audit import record

CREATED = "a new account with a password"
CREATED_SSO = "a new account for single sign-on"
MOVED = "a role, team or office changed, or the account activated again"
RESET_BY_ADMIN = "a password reset by an administrator"
VERB = "access.ratings_granted"


def reads_ratings(user: User) -> bool:
    """Team staff read their team's ratings (an office's psychologist, its teams'); service leads and
    administrators read none."""
    return user.role.rates_children and (user.team_id is not None or user.office_id is not None)


def record_ratings_access(session: Session, actor: User | None, user: User, how: str) -> None:
    """After the account event, when `user` can now read ratings: who was given it, by whom (the actor), and how."""
    if reads_ratings(user):
        record(
            session,
            actor,
            VERB,
            "user",
            user.id,
            after={"how": how, "role": user.role.value, "team_id": user.team_id, "office_id": user.office_id},
        )
