"""Errors a user can act on. Their messages are sentences about the user's work, shown as they are."""


class ServiceError(Exception):
    """Base for every refusal a page shows to its user (the cause, if any, stays chained for developers)."""


class NotFound(ServiceError):
    pass


class InvalidInput(ServiceError):
    pass


class MeetingClosed(ServiceError):
    pass


class StaleRating(ServiceError):
    """Someone saved this rating after the user loaded it; saving now would overwrite their change."""


def _seconds(seconds: float | None) -> str:
    if seconds is None:
        return "the time allowed"
    return f"{seconds:g} second" + ("" if seconds == 1 else "s")


class DatabaseFault(ServiceError):
    """The database could not do what was asked, through no fault of the user's, and nothing was written: the
    transaction was rolled back (or never began). db.session turns the driver's error into one of these, so every
    page shows a sentence about the user's work instead of a crash, and keeps what was typed
    (dashboard/components/database_faults.py is the one place that shows them)."""

    # True where the fault passes by itself (a restart, a dropped connection): the page watches for the database
    # to answer again and carries on without a click.
    passes_by_itself = False


class DatabaseBusy(DatabaseFault):
    """Other saves held the database longer than this one could wait (SQLite's busy timeout, or PostgreSQL broke
    a deadlock or a serialisation conflict by cancelling this one): nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            "The database is busy with other people's saves and this one could not wait any longer, so nothing was "
            "saved. What you entered is still on screen: please save again in a moment."
        )


class DatabaseUnavailable(DatabaseFault):
    """The database did not answer: it is restarting or stopped, the network to it is down, or the connection was
    cut (PostgreSQL's pg_terminate_backend, a failover). Nothing was written."""

    passes_by_itself = True

    def __init__(self) -> None:
        super().__init__(
            "The database is not answering just now, so nothing was saved and nothing new can be shown. Your "
            "choices are kept on screen: this page carries on by itself once the database is back, and you can "
            "then save again."
        )


class DatabaseTimedOut(DatabaseFault):
    """A statement ran past the app's statement timeout (PostgreSQL `statement_timeout`) and was stopped."""

    def __init__(self, seconds: float | None = None) -> None:
        super().__init__(
            f"The database took longer than {_seconds(seconds)} to answer, so it was asked to stop and nothing was "
            "saved. Your choices are kept on screen: please try again in a moment. If it happens again, tell the "
            "service desk that the database is slow."
        )


class DatabaseLocked(DatabaseFault):
    """The records a statement needed stayed locked by other work (an administrator's open transaction, a
    maintenance job) for longer than the app's lock timeout (PostgreSQL `lock_timeout`)."""

    def __init__(self, seconds: float | None = None) -> None:
        super().__init__(
            "Other work on the database (for example an administrator's change or a maintenance job) held the "
            f"records this needed for longer than {_seconds(seconds)}, so this stopped waiting and nothing was saved. "
            "Your choices are kept on screen: please try again in a moment. If it happens again, tell the service "
            "desk that the database is locked."
        )


class DatabaseFull(DatabaseFault):
    """The database's disk is full (SQLite's SQLITE_FULL, PostgreSQL's disk_full): reading still works."""

    def __init__(self) -> None:
        super().__init__(
            "The database's disk is full, so nothing was saved. Everything already saved can still be read, and "
            "your choices are kept on screen. Please tell the service desk: saving works again once they have "
            "made room."
        )


class DatabaseCannotWrite(DatabaseFault):
    """The database can be read but not written: its file or disk is read-only (SQLite's SQLITE_READONLY, or
    the disk failing a write, SQLITE_IOERR), or PostgreSQL is a read-only standby."""

    def __init__(self) -> None:
        super().__init__(
            "The database can be read but not written just now (its disk is read-only or failing), so nothing "
            "was saved. Everything already saved can still be read, and your choices are kept on screen. Please "
            "tell the service desk."
        )
