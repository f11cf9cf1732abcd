"""The canonical forms the event log's hash chain is made of: pure functions, no database and no models.

Each event's ``hash`` is the SHA-256 (hex) of the canonical form of its content together with the hash of the
event before it in the chain (``previous``; :data:`GENESIS` for the first), so that changing, removing or
inserting an event anywhere breaks every hash after it. The canonical form is JSON with sorted keys, no
whitespace, non-ASCII characters as themselves, encoded as UTF-8, of::

    {"id", "seq", "occurred_at", "actor", "action", "subject_type", "subject_key", "before", "after", "reason",
     "state", "previous"}

and ``"identity"`` (how the actor was known: declared, signed-in, token, operator) when the event has one; events
written before accounts existed have none, and their form, and so their hash, is what it was.

with timestamps in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (both backends keep microseconds) and JSON values as
the database gives them back (a JSON column's SQL NULL and JSON ``null`` are both ``null``). Floats are written as
Python's ``repr`` writes them, which reads back to the same float, so the form is the same on SQLite and
PostgreSQL and after a bundle moves a desk from one to the other.

``state`` is what the transaction that wrote the event left behind: the digest (:func:`row_digest`) of every
claim, evidence, contradiction and source row it added or changed, under the table's name and the row's id, on
the transaction's last event (``None`` on the others). :mod:`provenance.integrity` recomputes the digests of the
rows as they are and compares them with the last one logged for each.

The migration that added the chain imports this module: a change to any form here needs a migration that
hashes the log again.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

GENESIS = "0" * 64  # the "previous hash" of the first event in the chain

# The fields of each table a row's digest covers: what the log says the row became. Sources are covered by their
# key, the SHA-256 of their text and their passages' spans (see :func:`source_digest`).
CLAIM_FIELDS = (
    "id",
    "key",
    "statement",
    "status",
    "verdict",
    "confidence",
    "confidence_note",
    "assignee",
    "verdict_by",
    "created_by",
    "created_at",
    "updated_at",
    "version",
)
EVIDENCE_FIELDS = (
    "id",
    "claim_id",
    "passage_id",
    "stance",
    "confidence",
    "attributed_to",
    "quote",
    "anchor_method",
    "anchor_score",
    "needs_review",
    "credibility",
    "note",
    "created_by",
    "created_at",
)
CONTRADICTION_FIELDS = (
    "id",
    "claim_a_id",
    "claim_b_id",
    "kind",
    "status",
    "note",
    "resolution",
    "passage_a_id",
    "passage_b_id",
    "created_by",
    "created_at",
    "updated_at",
)
ROW_FIELDS: dict[str, tuple[str, ...]] = {
    "claim": CLAIM_FIELDS,
    "evidence": EVIDENCE_FIELDS,
    "contradiction": CONTRADICTION_FIELDS,
}
# A passage in a source's digest: (id, kind, char_start, char_end, paragraph_no, sentence_no, page_no).
PASSAGE_FIELDS = ("id", "kind", "char_start", "char_end", "paragraph_no", "sentence_no", "page_no")
STATE_TABLES = ("source", "claim", "evidence", "contradiction")


_PLAIN = frozenset({str, int, float, bool, type(None)})  # written as they are


def timestamp(value: dt.datetime) -> str:
    """A timestamp in the canonical form: UTC, microseconds, ``Z`` (a naive one is taken as UTC, as SQLite
    keeps them)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def plain(value: Any) -> Any:
    """``value`` as the canonical JSON holds it: timestamps and dates as text, choices as their stored value."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, dt.datetime):
        return timestamp(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


# made once: json.dumps with options makes a new encoder at every call
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical(value: Any) -> bytes:
    """The canonical JSON of ``value``: sorted keys, no whitespace, UTF-8."""
    return _ENCODER.encode(value).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# The columns an event is written with, before it is sealed into the chain (which adds seq, hash and state).
EVENT_FIELDS = (
    "id",
    "occurred_at",
    "actor",
    "action",
    "subject_type",
    "subject_key",
    "before",
    "after",
    "reason",
    "identity",
)


def event_form(event: Mapping[Any, Any], previous: str) -> dict[str, Any]:
    """The fields of an event the hash covers (``event`` maps column names to values as the database gives
    them back), with the hash of the event before it."""
    form = {
        "id": event["id"],
        "seq": event["seq"],
        "occurred_at": timestamp(event["occurred_at"]),
        "actor": event["actor"],
        "action": event["action"],
        "subject_type": event["subject_type"],
        "subject_key": event["subject_key"],
        "before": event["before"],
        "after": event["after"],
        "reason": event["reason"],
        "state": event["state"],
        "previous": previous,
    }
    if event.get("identity") is not None:
        form["identity"] = event["identity"]
    return form


def event_hash(event: Mapping[Any, Any], previous: str) -> str:
    """The hash of ``event`` following the event whose hash is ``previous``."""
    return sha256(canonical(event_form(event, previous)))


def row_digest(table: str, row: Mapping[Any, Any]) -> str:
    """The digest of a claim, evidence or contradiction row: the canonical JSON of the list of its values of
    :data:`ROW_FIELDS`, in that order (a list, not an object: a digest is computed for every row verify reads)."""
    return values_digest([plain(row[name]) for name in ROW_FIELDS[table]])


def values_digest(values: Sequence[Any]) -> str:
    """:func:`row_digest` of a row given as its values of :data:`ROW_FIELDS`, in order, each already
    :func:`plain`."""
    return sha256(canonical(values))


def source_digest(key: str, text_sha256: str, passages: Iterable[Sequence[Any]]) -> str:
    """The digest of a source: its key, its text's SHA-256 and its passages (tuples of :data:`PASSAGE_FIELDS`:
    whole numbers, the kind as text and None; in any order: they are sorted here by id), so that a passage moved,
    added or removed changes it."""
    # by id alone: ids are unique, so this is the order of the whole tuples; tuples are written as JSON lists
    spans = sorted(passages, key=itemgetter(0))
    return sha256(canonical({"key": key, "text_sha256": text_sha256, "passages": spans}))
