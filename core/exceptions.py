class ApplicationError(Exception):
    """A refused action: the message is safe to show to the user."""

    def __init__(self, message: str, *, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class TransitionNotAllowed(ApplicationError):
    """A workflow transition that the transition table does not allow."""


class NotPermitted(ApplicationError):
    """The actor may not perform this action."""
