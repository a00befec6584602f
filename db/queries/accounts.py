"""Account look-ups that need no signed-in user: for the command line and the first-run screen."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from db.models import User
from db.session import reading
from risk.vocabulary import Role

DEMO_ROLES = (
    Role.TEAM_MANAGER,
    Role.SOCIAL_WORKER,
    Role.MENTAL_HEALTH_PRACTITIONER,
    Role.SERVICE_LEAD,
    Role.ADMINISTRATOR,
)


def has_any_user(engine: Engine) -> bool:
    with reading(engine) as session:
        return session.execute(select(func.count()).select_from(User)).scalar_one() > 0


def demo_accounts(engine: Engine) -> list[tuple[str, str]]:
    """One account per role worth trying, (role label, email): printed after seeding demo data."""
    with reading(engine) as session:
        out = []
        for role in DEMO_ROLES:
            email = session.scalar(
                select(User.email).where(User.role == role, User.active.is_(True)).order_by(User.id).limit(1)
            )
            if email:
                out.append((role.label, email))
        return out
