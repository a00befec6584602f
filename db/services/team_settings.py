"""A team's own settings for how its meeting is shown: kept by the team's manager, who chairs the meeting and knows
the room, or by an administrator; the command line may set them too.

Presentation mode puts the ranking and the family card on a projector. In a room where visitors can see it
(students, a partner agency's observers), the team shows its families' names as initials only ("F-100088 · J / A")
while every other screen, and the records, keep the full name.
"""

from __future__ import annotations

from sqlalchemy import Engine, select

from db.access import require_schedule_keeper_or_command_line
from db.errors import NotFound
from db.models import Team, User
from db.services.audit import record
from db.services.meeting_changes import bump_open_meetings
from db.session import transaction

PRESENTATION_INITIALS_VERB = "team.presentation_initials"


def set_presentation_initials(engine: Engine, actor: User | None, team: int | str, initials_only: bool) -> bool:
    """Show the team's families' names as initials only in Presentation mode, or in full (the team by id, or by
    name from the command line). Audited with the setting before and after; the open meeting's screens redraw.
    Returns False when the team already had this setting (nothing is written)."""
    with transaction(engine) as session:
        where = Team.id == team if isinstance(team, int) else Team.name == team
        found = session.scalars(select(Team).where(where).with_for_update()).one_or_none()
        if found is None:
            raise NotFound(
                f"There is no team called {team!r}." if isinstance(team, str) else "That team does not exist."
            )
        require_schedule_keeper_or_command_line(session, actor, found.id)
        if found.presentation_initials == initials_only:
            return False
        before = {"presentation_initials": found.presentation_initials}
        found.presentation_initials = initials_only
        record(
            session,
            actor,
            PRESENTATION_INITIALS_VERB,
            "team",
            found.id,
            before=before,
            after={"presentation_initials": initials_only},
        )
        bump_open_meetings(session, [found.id])  # the shared screen shows the names the new way
        return True
