"""The audit trail: every change the domain makes is appended here, with who made it and why.

Only :func:`record` and :func:`record_many` write events. Nothing in provenance updates or deletes one: this
module offers no way to, the ORM refuses to flush a change to or the deletion of an :class:`Event`, and the
database's triggers refuse ``UPDATE`` and ``DELETE`` on the table (so a program of another kind cannot either).
Claims and sources are kept the same way: a claim is withdrawn and a source retracted, never deleted, so the
log's subjects stay in the database; the ORM refuses to delete either.

Who is acting is :func:`current_actor`: the name the command line was given with ``--as`` (set for the length
of one command with :func:`acting_as`), else ``$PROVENANCE_USER``, else the operating-system user. Every event,
and every ``created_by``, ``captured_by`` or ``decided_by`` the domain writes, takes it from there.
"""

from __future__ import annotations

import functools
import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event as orm_event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, Session

from provenance import db
from provenance.db import inserted_id
from provenance.errors import Invalid
from provenance.models import Base, Claim, Event, Source, utcnow

USER_ENV = "PROVENANCE_USER"
_event = Base.metadata.tables["event"]
# The name given for this command (``provenance --as NAME ...``); None: fall back to the environment.
_acting: ContextVar[str | None] = ContextVar("provenance_actor", default=None)


def check_actor(name: str) -> str:
    """``name`` with its spacing tidied, if it names someone; an empty or blank name is refused."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise Invalid(
            f"--as needs the name of who is acting, e.g. --as anna, not an empty one; leave it out to act as "
            f"${USER_ENV} or the system user"
        )
    return cleaned


@contextmanager
def acting_as(name: str) -> Iterator[str]:
    """Within the block, :func:`current_actor` is ``name`` (checked with :func:`check_actor`); afterwards it is
    what it was before."""
    actor = check_actor(name)
    token = _acting.set(actor)
    try:
        yield actor
    finally:
        _acting.reset(token)


def current_actor() -> str:
    """Who is acting: the name set by :func:`acting_as` (``--as``), else $PROVENANCE_USER, else the
    operating-system user."""
    acting = _acting.get()
    if acting is not None:
        return acting
    name = " ".join(os.environ.get(USER_ENV, "").split())
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
    db.insert_records(session, _event, rows)  # a capture of 20,000 files logs 20,000 of them


class KeptRecord(Exception):
    """A program tried to change an event, or to delete an event, a claim or a source: a bug, never user input."""


def _refuse(message: str) -> Any:
    def refuse(_mapper: Mapper[Any], _connection: Connection, _target: Any) -> None:
        raise KeptRecord(message)

    return refuse


orm_event.listen(Event, "before_update", _refuse("an event cannot be changed: the event log is append-only"))
orm_event.listen(Event, "before_delete", _refuse("an event cannot be deleted: the event log is append-only"))
orm_event.listen(Claim, "before_delete", _refuse("a claim cannot be deleted: it is withdrawn instead"))
orm_event.listen(Source, "before_delete", _refuse("a source cannot be deleted: it is retracted instead"))
