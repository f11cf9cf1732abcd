"""The audit trail: every change the domain makes is appended here, with who made it and why.

Only :func:`record` and :func:`record_many` write events. Nothing in provenance updates or deletes one: this
module offers no way to, the ORM refuses to flush a change to or the deletion of an :class:`Event`, and the
database's triggers refuse ``UPDATE`` and ``DELETE`` on the table (so a program of another kind cannot either).
Claims and sources are kept the same way: a claim is withdrawn and a source retracted, never deleted, so the
log's subjects stay in the database; the ORM refuses to delete either.

The log proves itself: each event is a link of a hash chain (:mod:`provenance.logchain`). Events are inserted
where the domain records them, with no place in the chain yet; when the transaction commits, :func:`seal` takes
the chain's head under a lock held until the commit (on PostgreSQL a transaction-scoped advisory lock; SQLite's
writing transaction holds the database's write lock already), gives the transaction's events the next places
(``seq``) in the order they were written, and sets each one's ``hash`` from its content as the database gives it
back and the hash before it. The transaction's last event also carries ``state``: the digests of the claims,
evidence, contradictions and sources the transaction added or changed, so that ``provenance verify`` can tell a
row changed behind the log's back. Sealing last means the chain's lock is the last lock a writer takes and is
held only while it commits: writers never wait for each other's chain except for that moment, and cannot
deadlock over it. The database's triggers let an event's chain columns be set once, and nothing else be changed.

Who is acting is :func:`current`, an :class:`~provenance.access.Actor` set for the length of one command or
request with :func:`acting_as` by the door it came through (the command line: ``--as``, else ``$PROVENANCE_USER``,
else the operating-system user, or the operator in a desk of verified identities; the server: the account signed
in or whose token was shown). Every event, with how its actor was known (``identity``), and every ``created_by``,
``captured_by`` or ``decided_by`` the domain writes, takes it from there.
"""

from __future__ import annotations

import functools
import getpass
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Text, bindparam, select, text, type_coerce
from sqlalchemy import event as orm_event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, Session, UOWTransaction

from provenance import db, logchain
from provenance.access import Actor
from provenance.db import inserted_id
from provenance.errors import Invalid
from provenance.models import Base, Claim, Contradiction, Event, Evidence, Identity, Passage, Source, utcnow
from provenance.text import user_text

USER_ENV = "PROVENANCE_USER"
_event = Base.metadata.tables["event"]
# Who is acting in this command or request, as the door it came through set it; None: a declared name from the
# environment (see current()).
_acting: ContextVar[Actor | None] = ContextVar("provenance_actor", default=None)


def check_actor(name: str) -> str:
    """``name`` with its spacing tidied, if it names someone; an empty or blank name is refused."""
    cleaned = user_text(name, "name given to --as")
    if not cleaned:
        raise Invalid(
            f"--as needs the name of who is acting, e.g. --as anna, not an empty one; leave it out to act as "
            f"${USER_ENV} or the system user"
        )
    return cleaned


@contextmanager
def acting_as(who: str | Actor) -> Iterator[Actor]:
    """Within the block, :func:`current` is ``who`` (a name is a declared one, checked with :func:`check_actor`);
    afterwards it is what it was before."""
    actor = who if isinstance(who, Actor) else Actor(check_actor(who), Identity.DECLARED)
    token = _acting.set(actor)
    try:
        yield actor
    finally:
        _acting.reset(token)


def current() -> Actor:
    """Who is acting: the actor set by :func:`acting_as`, else the name $PROVENANCE_USER or the system user
    declares."""
    acting = _acting.get()
    return acting if acting is not None else Actor(declared_name(), Identity.DECLARED)


def current_actor() -> str:
    """The name of who is acting (see :func:`current`)."""
    return current().name


def declared_name() -> str:
    """$PROVENANCE_USER, else the operating-system user."""
    name = user_text(os.environ.get(USER_ENV, ""), f"${USER_ENV}")
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
    acting = current()
    result = session.execute(
        _event.insert(),
        {
            "occurred_at": utcnow(),
            "actor": actor or acting.name,
            "identity": acting.identity.value,
            "action": action,
            "subject_type": subject_type,
            "subject_key": subject_key,
            "before": before,
            "after": after,
            "reason": reason,
        },
    )
    event_id = inserted_id(result)
    _unsealed(session).append(event_id)
    return event_id


def record_many(session: Session, entries: list[dict[str, Any]]) -> None:
    """Append several events at once (``action``, ``subject_type``, ``subject_key`` and optionally ``before``,
    ``after``, ``reason``, ``actor`` each), in order, in one statement."""
    if not entries:
        return
    now, acting = utcnow(), current()
    ids = db.next_ids(session, _event, len(entries))
    rows = [
        {
            "id": n,
            "occurred_at": now,
            "actor": acting.name,
            "identity": acting.identity.value,
            "before": None,
            "after": None,
            "reason": None,
            **entry,
        }
        for n, entry in zip(ids, entries, strict=True)
    ]
    db.insert_records(session, _event, rows)  # a capture of 20,000 files logs 20,000 of them
    _unsealed(session).extend(ids)


# --- the chain -----------------------------------------------------------------------------------------

# Where a session keeps, for its open transaction, the ids of the events it inserted and the rows it touched.
_UNSEALED = "provenance.events.unsealed"
_TOUCHED = "provenance.events.touched"
_STATE_CLASSES = {Claim: "claim", Evidence: "evidence", Contradiction: "contradiction"}
_CHAIN_COLUMNS = [_event.c[name] for name in logchain.EVENT_FIELDS]
_SEAL_BATCH = 1000
# Whether commits seal their events into the chain: always, but for benchmarks/concurrency.py measuring what the
# chain costs (the events it writes with this off are reported by verify as not in the chain).
SEAL = True
_CHAIN_LOCK = "provenance.event_chain."  # with the schema's name: the advisory lock of one database's chain


def _unsealed(session: Session) -> list[int]:
    found: list[int] = session.info.setdefault(_UNSEALED, [])
    return found


def _touched(session: Session) -> dict[str, set[int]]:
    found: dict[str, set[int]] = session.info.setdefault(_TOUCHED, {})
    return found


def lock_chain(connection: Connection) -> None:
    """Hold the chain's head until this transaction ends. On PostgreSQL an advisory lock of this schema's log;
    SQLite's writing transaction already holds the database's write lock."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(hashtext('provenance.event_chain.' || current_schema()))")
        )


def chain_head(connection: Connection) -> tuple[int, str]:
    """The last place in the chain and its hash: ``(0, GENESIS)`` for an empty log."""
    row = connection.execute(
        select(_event.c.seq, _event.c.hash).where(_event.c.seq.is_not(None)).order_by(_event.c.seq.desc()).limit(1)
    ).first()
    return (0, logchain.GENESIS) if row is None else (int(row.seq), str(row.hash))


def seal(session: Session) -> None:
    """Give the events this transaction inserted their places and hashes in the chain, the last of them the
    digests of the rows the transaction touched (see the module). Runs when the session commits; running it
    again before then does nothing more."""
    if not SEAL or (not session.info.get(_UNSEALED) and not session.info.get(_TOUCHED)):
        _forget(session)
        return
    session.flush()  # the rows as they will be committed, and their ids
    ids = sorted(session.info.pop(_UNSEALED, []))
    touched: dict[str, set[int]] = session.info.pop(_TOUCHED, {})
    if not ids:
        return  # rows written with no event: nothing to carry their state (verify reports them)
    connection = session.connection()
    written = []  # the events as the database gives them back: what verify will hash
    for start in range(0, len(ids), _SEAL_BATCH):
        chunk = ids[start : start + _SEAL_BATCH]
        rows = connection.execute(select(*_CHAIN_COLUMNS).where(_event.c.id.in_(chunk)).order_by(_event.c.id))
        written += [dict(row) for row in rows.mappings()]
    sources = {event["subject_key"] for event in written if event["subject_type"] == "source"}
    states = row_states(connection, touched, sources)
    lock_chain(connection)
    seq, previous = chain_head(connection)
    sealed = []
    for event in written:
        seq += 1
        event.update(seq=seq, state=states if event is written[-1] else None)
        previous = logchain.event_hash(event, previous)
        sealed.append({"event_id": event["id"], "seq": seq, "hash": previous, "state": event["state"]})
    connection.execute(
        _event.update()
        .where(_event.c.id == bindparam("event_id"))
        .values(seq=bindparam("seq"), hash=bindparam("hash"), state=bindparam("state")),
        sealed,
    )


def row_states(connection: Connection, touched: dict[str, set[int]], source_keys: set[str]) -> dict[str, Any] | None:
    """The digests of the rows in ``touched`` (table name to ids) and of the sources with these keys, as they are
    now: ``{table: {id: digest}}``, or None when there are none."""
    states: dict[str, dict[str, str]] = {}
    for table, ids in touched.items():
        if table == "source" or not ids:
            continue
        columns = [Base.metadata.tables[table].c[name] for name in logchain.ROW_FIELDS[table]]
        for row in connection.execute(select(*columns).where(columns[0].in_(sorted(ids)))).mappings():
            states.setdefault(table, {})[str(row["id"])] = logchain.row_digest(table, row)
    source_ids = set(touched.get("source", ()))
    keys = sorted(source_keys)
    for start in range(0, len(keys), _SEAL_BATCH):
        chunk = keys[start : start + _SEAL_BATCH]
        source_ids |= set(connection.execute(select(_source.c.id).where(_source.c.key.in_(chunk))).scalars())
    if source_ids:
        states["source"] = source_states(connection, sorted(source_ids))
    return dict(sorted(states.items())) or None


_source = Base.metadata.tables["source"]
_passage = Base.metadata.tables["passage"]


def source_states(connection: Connection, source_ids: list[int]) -> dict[str, str]:
    """The digests of these sources (:func:`provenance.logchain.source_digest`), by id as text."""
    found: dict[str, str] = {}
    for start in range(0, len(source_ids), _SEAL_BATCH):
        chunk = source_ids[start : start + _SEAL_BATCH]
        heads = {
            row.id: (row.key, row.text_sha256)
            for row in connection.execute(
                select(_source.c.id, _source.c.key, _source.c.text_sha256).where(_source.c.id.in_(chunk))
            )
        }
        spans: dict[int, list[tuple[Any, ...]]] = {source_id: [] for source_id in heads}
        passages = select(
            _passage.c.source_id,
            _passage.c.id,
            type_coerce(_passage.c.kind, Text),
            _passage.c.char_start,
            _passage.c.char_end,
            _passage.c.paragraph_no,
            _passage.c.sentence_no,
            _passage.c.page_no,
        ).where(_passage.c.source_id.in_(chunk))
        for source_id, *passage in connection.execute(passages):
            spans.setdefault(source_id, []).append(tuple(passage))
        for source_id, (key, text_sha256) in heads.items():
            found[str(source_id)] = logchain.source_digest(key, text_sha256, spans[source_id])
    return found


def note_written(session: Session, table: str, ids: Iterable[int]) -> None:
    """Rows of ``table`` (claim, evidence, contradiction or source) written without the ORM, in bulk: the commit
    logs their state with the transaction's last event, as it does for rows the ORM writes. (Sources are also
    found from the ``source`` events of the transaction.)"""
    _touched(session).setdefault(table, set()).update(ids)


def _note_flush(session: Session, _context: UOWTransaction) -> None:
    """After each flush: the events added through the ORM are to be sealed, and the rows of the tables whose
    state the log keeps were touched."""
    for obj in [*session.new, *session.dirty]:
        if isinstance(obj, Event):
            if obj.hash is None:
                _unsealed(session).append(obj.id)
        elif isinstance(obj, Passage):
            _touched(session).setdefault("source", set()).add(obj.source_id)
        elif isinstance(obj, Source):
            _touched(session).setdefault("source", set()).add(obj.id)
        else:
            table = _STATE_CLASSES.get(type(obj))
            if table is not None:
                _touched(session).setdefault(table, set()).add(obj.id)


def _seal_on_commit(session: Session) -> None:
    if session.get_nested_transaction() is None:
        seal(session)


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_UNSEALED, None)
    session.info.pop(_TOUCHED, None)


orm_event.listen(Session, "after_flush", _note_flush)
orm_event.listen(Session, "before_commit", _seal_on_commit)
orm_event.listen(Session, "after_rollback", _forget)


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
