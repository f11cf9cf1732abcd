"""The audit trail: every change the domain makes is appended here, with who made it and why.

Only :func:`record` writes events, and nothing in provenance updates or deletes one.
"""

from __future__ import annotations

import functools
import getpass
import os
from typing import Any

from sqlalchemy.orm import Session

from provenance.db import inserted_id
from provenance.models import Base, utcnow

USER_ENV = "PROVENANCE_USER"
_event = Base.metadata.tables["event"]


def current_actor() -> str:
    """Who is acting: $PROVENANCE_USER, else the operating-system user."""
    name = os.environ.get(USER_ENV, "").strip()
    return name or _system_user()


@functools.cache
def _system_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def record(
    session: Session,
    action: str,
    subject_type: str,
    subject_key: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
    actor: str | None = None,
) -> int:
    """Append one event to the log (in the caller's transaction) and return its id."""
    result = session.execute(
        _event.insert(),
        {
            "occurred_at": utcnow(),
            "actor": actor or current_actor(),
            "action": action,
            "subject_type": subject_type,
            "subject_key": subject_key,
            "before": before,
            "after": after,
            "reason": reason,
        },
    )
    return inserted_id(result)


def record_many(session: Session, entries: list[dict[str, Any]]) -> None:
    """Append several events at once (``action``, ``subject_type``, ``subject_key`` and optionally ``before``,
    ``after``, ``reason``, ``actor`` each), in order, in one statement."""
    if not entries:
        return
    now, actor = utcnow(), current_actor()
    rows = [
        {"occurred_at": now, "actor": actor, "before": None, "after": None, "reason": None, **entry}
        for entry in entries
    ]
    session.execute(_event.insert(), rows)
