"""Optimistic locking of claims: a change made from a stale copy is refused instead of overwriting another's.

Every change to a claim through the ORM raises ``Claim.version``. A command given the version its user last saw
checks it here before changing anything.
"""

from __future__ import annotations

from provenance.errors import Conflict
from provenance.models import Claim


def check_version(claim: Claim, expected_version: int | None) -> None:
    """Refuse to go on if ``expected_version`` is given and the claim is no longer at that version."""
    if expected_version is None or claim.version == expected_version:
        return
    raise Conflict(
        f"claim {claim.key!r} is at version {claim.version}, not {expected_version} as expected: it was changed "
        f"since you read it; re-read it with `provenance claim show {claim.key}` and try again"
    )
