"""Domain errors. Each carries a message written for the person who caused it."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: `message` is safe and useful to show to the user as-is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The thing does not exist, or is not the acting user's (we do not say which)."""


class NoMatch(NotFound):
    """A reference to a creator (`@handle`, profile link or name) matched no one in the workspace.

    `ref` is what was typed (clipped), `is_profile` whether it named a profile rather than a name, so
    that the caller can say how to save or look for the creator.
    """

    def __init__(self, message: str, *, ref: str, is_profile: bool) -> None:
        super().__init__(message)
        self.ref = ref
        self.is_profile = is_profile


class NotOnList(NotFound):
    """The creator is not on the acting user's list.

    `who` is "Name (@handle)" when the creator is in the user's workspace, None when the id names no
    creator there (a forged id names no one), so that a caller can word its own answer.
    """

    def __init__(self, message: str, *, who: str | None) -> None:
        super().__init__(message)
        self.who = who


class InvalidInput(DomainError):
    """A value the user gave is not acceptable; `field` names it so a form can point at it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class Forbidden(DomainError):
    """The acting user may not do this."""


class Conflict(DomainError):
    """The change clashes with existing data (for example, a duplicate name)."""


class Ambiguous(DomainError):
    """A reference matched several things; `candidates` lists them so the user can pick one."""

    def __init__(self, message: str, candidates: list) -> None:
        super().__init__(message)
        self.candidates = candidates
