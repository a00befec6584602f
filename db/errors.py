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


class DatabaseBusy(ServiceError):
    """Other saves held the database longer than this one could wait (SQLite's busy timeout): nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            "The database is busy with other people's saves and this one could not wait any longer, so nothing was "
            "saved. What you entered is still on screen: please save again in a moment."
        )
