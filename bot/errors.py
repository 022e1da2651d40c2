"""Errors a person can act on. Doors show ``message`` as a friendly reply, never a trace."""


class UserError(Exception):
    """Something the person asked for cannot be done; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(UserError):
    """The person lacks the role (lead or admin) the action needs."""


class NotFound(UserError):
    """The thing referred to does not exist in this workspace."""
