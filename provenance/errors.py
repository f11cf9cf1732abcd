"""The one family of errors the domain raises for a user to read.

Every message is written for the person at the keyboard: it says what was wrong and what to do. The CLI
turns any of these into a single ``Error: ...`` line and exit code 1; anything else is a bug.
"""

from __future__ import annotations


class ProvenanceError(Exception):
    """A problem with the user's input or database that the user can fix."""


class NotFound(ProvenanceError):
    """A key, file or revision that does not exist."""


class Conflict(ProvenanceError):
    """The request clashes with what the database already holds."""


class Invalid(ProvenanceError):
    """A value that is not acceptable (a stance, a likelihood, a file's contents...)."""


class SchemaMismatch(ProvenanceError):
    """The database's schema is missing, older or newer than this version of provenance expects."""


class Forbidden(ProvenanceError):
    """The person acting may not do this: their role does not allow it, or the desk's rules refuse who they are."""


class Unauthenticated(ProvenanceError):
    """Nobody proven is acting: no sign-in, or a token or session that is unknown, expired, revoked or disabled."""


class Stale(Conflict):
    """A change made from a copy of a claim that someone has changed since (the server answers 412)."""

    def __init__(self, message: str, *, current_version: int) -> None:
        super().__init__(message)
        self.current_version = current_version


class TooManyAttempts(ProvenanceError):
    """Too many failed sign-ins from one name or one address: refused for ``retry_after`` seconds (HTTP 429)."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Busy(ProvenanceError):
    """The database is locked or too busy to answer in time; nothing was saved, and trying again is right (503)."""
