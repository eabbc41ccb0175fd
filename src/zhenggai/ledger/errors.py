"""Domain errors: each carries a Chinese message for the user who caused it."""

from __future__ import annotations


class DomainError(Exception):
    """A request the ledger refuses; `message` is shown to the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotPermitted(DomainError):
    """The user may not do this to this object (or may not see it at all)."""


class InvalidTransition(DomainError):
    """The measure's lifecycle does not allow this step from its current state."""


class InvalidInput(DomainError):
    """A value failed validation; `field` names the form field it belongs to, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Conflict(DomainError):
    """Someone else changed the object since the user read it; nothing was written. `changes` lists what
    changed in between (field label, before, after), oldest first."""

    def __init__(self, message: str, changes: list[tuple[str, str, str]] | None = None) -> None:
        super().__init__(message)
        self.changes = changes or []
