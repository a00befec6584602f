"""What the screens watching an open meeting share: its change mark, and the results computed at each mark.

A meeting is watched by the chair's shared screen and by everyone following it, each refreshing by itself. The
meeting's `changes` counter moves in the same transaction as every change those screens show
(db/services/meeting_changes.py), so a refresh reads the mark first (one look-up of the meeting's own row) and
redraws only when it moved. The ranking, the family cards and the record of discussion of an open meeting at a
mark are the same for everyone who may see the team's cases, so they are computed once per app process and
shared by every session (`SHARED`). Nobody reads the cache without the check: every query here and in
caseload.py, family_card.py and discussions.py loads the meeting and checks the actor's access to its team on
the server first, and only then looks the result up, so a session can never be handed what its scope forbids.

Only open meetings are shared: a closed meeting's screens never refresh by themselves, and what they read is the
record stored at the close.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar, cast

from sqlalchemy import Engine, select

from db.access import require_case_team
from db.errors import NotFound
from db.models import Meeting, User
from db.session import reading
from risk.vocabulary import MeetingStatus

T = TypeVar("T")

SHARED_ENTRIES = 512
"""Results kept per process: a ranking, a record and a few cards for each open meeting being watched. An entry
of an old mark is never read again and falls out as newer ones come in."""


@dataclass(frozen=True, slots=True)
class MeetingMark:
    """Where a meeting stands: a screen that drew it at this mark has nothing new to draw."""

    meeting_id: int
    changes: int
    is_open: bool
    clock_running: bool
    """The chair's clock runs: the time shown for the open family grows although nothing is written."""

    @property
    def key(self) -> tuple[int, int]:
        return (self.meeting_id, self.changes)


def meeting_mark(engine: Engine, actor: User | None, meeting_id: int) -> MeetingMark:
    """The meeting's mark, for anyone who may see the team's cases: one look-up by the meeting's key."""
    with reading(engine) as session:
        row = session.execute(
            select(
                Meeting.team_id, Meeting.status, Meeting.changes, Meeting.focus_family_id, Meeting.focus_opened_at
            ).where(Meeting.id == meeting_id)
        ).first()
        if row is None:
            raise NotFound("That meeting does not exist.")
        require_case_team(session, actor, row.team_id)
    return MeetingMark(
        meeting_id,
        row.changes,
        row.status is MeetingStatus.OPEN,
        row.focus_family_id is not None and row.focus_opened_at is not None,
    )


class SharedResults:
    """A small process-wide cache of results by key, least recently used out first, each computed once: sessions
    asking for the same key at the same moment wait for the one computing it instead of computing it too."""

    def __init__(self, entries: int = SHARED_ENTRIES) -> None:
        self._entries = entries
        self._results: OrderedDict[Hashable, object] = OrderedDict()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        self.computed = 0
        """How many results were computed (not found): for tests and benchmarks."""

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        while True:
            with self._lock:
                if key in self._results:
                    self._results.move_to_end(key)
                    return cast(T, self._results[key])
                turn = self._computing.get(key)
                if turn is None:
                    turn = self._computing[key] = threading.Lock()
                    turn.acquire()
                    break
            with turn:  # another session is computing it: wait, then look again
                pass
        try:
            result = compute()
            with self._lock:
                self._results[key] = result
                self._results.move_to_end(key)
                self.computed += 1
                while len(self._results) > self._entries:
                    self._results.popitem(last=False)
            return result
        finally:
            with self._lock:
                del self._computing[key]
            turn.release()

    def clear(self) -> None:
        with self._lock:
            self._results.clear()

    def __len__(self) -> int:
        return len(self._results)


SHARED = SharedResults()


def shared_while_open(meeting: Meeting, what: Hashable, compute: Callable[[], T]) -> T:
    """`compute()` for an open meeting at its current mark, shared by every session of the process; computed
    afresh for a closed one. The caller has loaded `meeting` and checked the actor's access to its team.

    The key holds the meeting's opening time as well as its id and count, so a meeting row that was replaced
    (a database restored from a backup under a running app) can never be served another meeting's results."""
    if meeting.status is not MeetingStatus.OPEN:
        return compute()
    opened_at: dt.datetime | None = meeting.opened_at
    return SHARED.get((meeting.id, opened_at, meeting.changes, what), compute)
