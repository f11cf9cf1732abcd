"""Retracting a source: a source is never deleted, since evidence and the audit log refer to it; it is marked
retracted, with who, when and why, and every report, listing and export that shows it says so.

A retraction can be taken back (a source retracted by mistake) with a reason too. Both go into the audit log
with the source's retraction before and after. Only the version the key names is retracted, as only that
version is rated: another version is another text.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from provenance import access, events
from provenance.access import Permission
from provenance.errors import Conflict, Invalid
from provenance.models import Source, utcnow
from provenance.text import user_text


def retraction_state(source: Source) -> dict[str, Any]:
    """The log's record of a source's retraction (all None when it is not retracted)."""
    return {
        "retracted_at": source.retracted_at.isoformat() if source.retracted_at else None,
        "retracted_by": source.retracted_by,
        "retraction_reason": source.retraction_reason,
    }


def retraction_record(source: Source) -> dict[str, Any] | None:
    """The retraction as ``--json`` gives it (``at``, ``by``, ``reason``), or None for a source not retracted."""
    if source.retracted_at is None:
        return None
    return {"at": source.retracted_at.isoformat(), "by": source.retracted_by, "reason": source.retraction_reason}


def retraction_details(source: Source) -> str | None:
    """When, by whom and why the source was retracted (``2026-11-22 by anna: the publisher withdrew it``), or
    None; callers put "retracted" or "source retracted" before it."""
    if source.retracted_at is None:
        return None
    by = f" by {source.retracted_by}" if source.retracted_by else ""
    why = f": {source.retraction_reason}" if source.retraction_reason else ""
    return f"{source.retracted_at:%Y-%m-%d}{by}{why}"


def _reason(reason: str | None, key: str, doing: str) -> str:
    cleaned = user_text(reason or "", "reason")
    if not cleaned:
        raise Invalid(
            f'say why source {key!r} is {doing}, with --reason "..." (it goes into the audit log and every report '
            "quoting the source)"
        )
    return cleaned


def retract_source(session: Session, key: str, *, reason: str | None) -> Source:
    """Mark the source ``key`` retracted, by whoever is acting, now, for ``reason`` (required); logged.

    Its passages and the evidence quoting them stay: reports show that evidence marked with the retraction.
    """
    access.require(Permission.RETRACT_SOURCES)
    from provenance.sources import get_source  # loaded only to write: `claim show` needs none of it

    source = get_source(session, key)
    why = _reason(reason, key, "retracted")
    if source.retracted_at is not None:
        raise Conflict(
            f"source {key!r} is already retracted ({retraction_details(source)}); to take that back: "
            f'`provenance source retract {key} --undo --reason "..."`'
        )
    before = retraction_state(source)
    source.retracted_at = utcnow()
    source.retracted_by = events.current_actor()
    source.retraction_reason = why
    session.flush()
    events.record(
        session, "source.retract", "source", source.key, before=before, after=retraction_state(source), reason=why
    )
    return source


def reinstate_source(session: Session, key: str, *, reason: str | None) -> Source:
    """Take back the retraction of source ``key`` (made by mistake), for ``reason`` (required); logged, so the
    retraction stays in the source's history."""
    access.require(Permission.RETRACT_SOURCES)
    from provenance.sources import get_source

    source = get_source(session, key)
    why = _reason(reason, key, "reinstated")
    if source.retracted_at is None:
        raise Conflict(f"source {key!r} is not retracted; there is no retraction to undo")
    before = retraction_state(source)
    source.retracted_at = None
    source.retracted_by = None
    source.retraction_reason = None
    session.flush()
    events.record(
        session, "source.reinstate", "source", source.key, before=before, after=retraction_state(source), reason=why
    )
    return source
