"""Optimistic locking of claims: a change made from an out-of-date copy of a claim is refused, never written
over someone else's.

Every claim carries a version counter (``Claim.version``, SQLAlchemy's ``version_id_col``): a new claim is at
version 1, and every change of it through the ORM (its likelihood, status, verdict, assignee, evidence added or
confirmed...) is ``UPDATE claim ... WHERE id = ? AND version = ?`` raising it by exactly one. A change meets a
newer claim in one of two ways:

- the analyst says which version they read (``--expect-version N``, as ``provenance claim show`` prints it) and
  the claim has moved on since: :func:`check_version` refuses before anything is written;
- another writer committed a change of the claim between this transaction's read and its write: the UPDATE
  matches no row and the ORM raises ``StaleDataError``, which :func:`stale_claims` and :func:`stale_conflict`
  turn into the same kind of :class:`~provenance.errors.Conflict` (see :func:`provenance.db.session_scope`).

Either way the whole transaction is rolled back, so the other writer's change stands and nothing of this one
is half-written.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from provenance.errors import Conflict, Stale
from provenance.models import Claim


def check_version(claim: Claim, expected_version: int | None) -> None:
    """Refuse to go on if ``expected_version`` is given and the claim is no longer at that version.

    Call it right after loading the claim, before changing anything, in the transaction that makes the change:
    the ORM's ``WHERE version = ?`` then guarantees that no one changes it in between either.
    """
    if expected_version is None or claim.version == expected_version:
        return
    raise Stale(
        f"claim {claim.key!r} is at version {claim.version}, not {expected_version} as expected: it was changed "
        f"since you read it; re-read it with `provenance claim show {claim.key}` and try again",
        current_version=claim.version,
    )


@dataclass(frozen=True)
class StaleClaim:
    """A claim this transaction changed, as it read it: its row id, key and version."""

    id: int
    key: str
    version: int


# Where a watched session keeps, for its latest flush, the claims it was changing (a list of StaleClaim).
_FLUSHING = "provenance.locking.flushing"


def watch(session: Session) -> None:
    """Have ``session`` note, before each flush, the claims it is about to change and the versions it read, so
    that a flush failing on one of them can say which (see :func:`stale_claims`)."""
    event.listen(session, "before_flush", _note_flushing)


def _note_flushing(session: Session, _context: object, _instances: object) -> None:
    changing = [obj for obj in [*session.dirty, *session.deleted] if isinstance(obj, Claim)]
    session.info[_FLUSHING] = [StaleClaim(c.id, c.key, c.version) for c in changing if inspect(c).persistent]


def stale_claims(session: Session) -> list[StaleClaim]:
    """The claims a :func:`watch`-ed session was changing when its latest flush failed, as it had read them.

    Kept aside before the flush: once a flush fails, the session has already expired what it was changing.
    """
    found: list[StaleClaim] = session.info.get(_FLUSHING, [])
    return sorted(found, key=lambda c: c.key)


def stale_conflict(engine: Engine, stale: list[StaleClaim]) -> Conflict:
    """The error for a change that lost the race to another writer's (``stale`` from :func:`stale_claims`, the
    transaction already rolled back): it names the claim, the version read and the version stored now."""
    if not stale:
        return Conflict(
            "something this command changed was changed or removed by someone else while it ran; nothing was "
            "saved; run the command again"
        )
    stored = _stored_versions(engine, [c.id for c in stale])
    claim = next((c for c in stale if stored.get(c.id, c.version) != c.version), stale[0])
    now = f", now at version {stored[claim.id]}" if claim.id in stored else ""
    return Conflict(
        f"claim {claim.key!r} was changed by someone else since this command read it at version {claim.version}"
        f"{now}; nothing was saved; re-read it with `provenance claim show {claim.key}` and try again"
    )


def _stored_versions(engine: Engine, ids: list[int]) -> dict[int, int]:
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(Claim.id, Claim.version).where(Claim.id.in_(ids)))
            return {claim_id: version for claim_id, version in rows}
    except SQLAlchemyError:
        return {}  # the error still names the claim and the version read
