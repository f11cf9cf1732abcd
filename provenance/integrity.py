"""Checking that every link still holds: the database file itself and the schema's tables and triggers, the event
log's hash chain, each claim, evidence, contradiction and source against the state the log last recorded for it,
each source's text against its hash, each passage against its source's text, each piece of evidence against its
passage, and every reference against the row it names.

What a clean run proves: the engine found its file sound (SQLite's ``PRAGMA quick_check``); every table and
append-only trigger is there; every event is in one unbroken chain (no event changed, removed or inserted since
it was sealed, none outside it); every claim, evidence, contradiction and source (its text's hash and its
passages' offsets) is what the log says it last became; and every text, quote and reference holds. What it
cannot prove alone: someone able to write the database who rewrites the chain from some event on, with hashes
recomputed, leaves a chain that holds. That is what the head hash is for: verify prints it, a desk notes it
elsewhere (a ticket, a published report), and a later ``verify --expect-head HASH`` checks that the log still
passes through it.

Nothing in provenance changes a source, a passage or a quote once stored, but a database can be changed by other
tools (a SQL console, a script, a restore gone wrong), and SQLite databases made elsewhere may have foreign keys
switched off. :func:`verify` reads everything once and lists each problem with what was expected, what was found
and what to do. It only reads.

It streams: sources are read in id order and passages in the order of their source, side by side, so that one
source's text is held at a time however large the database.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from itertools import chain
from typing import Any, NamedTuple

from sqlalchemy import Connection, Enum, Select, Table, Text, and_, func, inspect, select, text, type_coerce
from sqlalchemy.orm import Session

from provenance import logchain
from provenance.anchoring import _similarity, format_score, quote_parts, trim_ellipses
from provenance.errors import Invalid
from provenance.models import AnchorMethod, Base

_source = Base.metadata.tables["source"]
_passage = Base.metadata.tables["passage"]
_evidence = Base.metadata.tables["evidence"]
_claim = Base.metadata.tables["claim"]
_event = Base.metadata.tables["event"]
_web_capture = Base.metadata.tables["web_capture"]
_caption = Base.metadata.tables["caption"]

BATCH = 2000  # rows fetched at a time from the streams of passages and evidence
SOURCE_BATCH = 16  # sources fetched at a time (on PostgreSQL; SQLite hands them over one by one): texts can be long
SCORE_TOLERANCE = 0.05  # a stored fuzzy score is kept to one decimal
_SHOWN = 48  # characters of a text shown around the first difference

EXACT_METHODS = {AnchorMethod.EXACT.value, AnchorMethod.EXACT_CONTEXT.value, AnchorMethod.EXACT_OCCURRENCE.value}
RESTORE = "restore it from a backup or an export bundle made before the change"


@dataclass(frozen=True)
class Problem:
    """One link that does not hold: what (``kind``), which row, what was expected and found, and what to do."""

    kind: str  # source_hash, passage_text, passage_offsets, evidence_quote, ...
    table: str
    row_id: int | None
    subject: str  # the row as a person finds it: "source KEY", "passage 12 of KEY (sentence, characters 3-40)"
    what: str
    expected: str
    found: str
    action: str

    def line(self) -> str:
        return f"{self.subject}: {self.what}: expected {self.expected}, found {self.found}; {self.action}"

    def record(self) -> dict[str, Any]:
        return {**asdict(self), "message": self.line()}


@dataclass
class Verification:
    """What :func:`verify` checked and the problems it found, in the order found."""

    sources: int = 0
    passages: int = 0
    claims: int = 0
    evidence: int = 0
    contradictions: int = 0
    events: int = 0
    head_seq: int = 0
    head_hash: str = logchain.GENESIS
    migrated: int = 0  # events hashed when the chain was added, not as each was written
    log_read: bool = False  # False when a missing table stopped the checks before the log
    problems: list[Problem] = field(default_factory=list)
    # the digest the log last recorded for each row: {table: {id: (digest, event id)}}
    logged: dict[str, dict[int, tuple[str, int]]] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        checked = (
            f"checked {_count(self.sources, 'source')}, {_count(self.passages, 'passage')}, "
            f"{_count(self.claims, 'claim')}, {self.evidence:,} evidence, "
            f"{_count(self.contradictions, 'contradiction')}, {_count(self.events, 'event')}"
        )
        return f"{checked}: {_count(len(self.problems), 'problem') if self.problems else 'no problems'}"

    def chain_start(self) -> str:
        """Where the chain starts, in words."""
        if not self.migrated:
            return "chained since the log began"
        return (
            f"chained since the schema migration that added the chain: the first {_count(self.migrated, 'event')} "
            "were hashed then, not as each was written"
        )

    def head(self) -> str:
        """The head of the chain, for a desk to note elsewhere and check later with ``--expect-head``."""
        if not self.log_read:
            return "log head not read: the database is missing a table (see above)"
        if not self.head_seq:
            return f"log head {self.head_hash} (the log is empty)"
        return f"log head {self.head_hash} (event {self.head_seq:,} of the chain; {self.chain_start()})"

    def record(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "sources": self.sources,
            "passages": self.passages,
            "claims": self.claims,
            "evidence": self.evidence,
            "contradictions": self.contradictions,
            "events": self.events,
            "head": {"seq": self.head_seq, "hash": self.head_hash, "migrated_events": self.migrated},
            "problems": [p.record() for p in self.problems],
            "summary": self.summary(),
        }


def verify(session: Session, *, expect_head: str | None = None) -> Verification:
    """Check the database file, the schema, the event log's chain, every row the log keeps the state of, every
    source, passage and piece of evidence, and every reference between rows (see the module). ``expect_head``:
    a head hash noted earlier, which the chain must still pass through."""
    connection = session.connection()
    result = Verification()
    if not _check_database(connection, result):
        return result  # a table is missing: the checks below would only fail on it
    _check_chain(connection, result, expect_head)
    _check_sources_and_passages(connection, result)
    _check_web_captures(connection, result)
    _check_captions(connection, result)
    _check_evidence(connection, result)
    _check_logged_rows(connection, result)
    _check_references(connection, result)
    return result


# The problems that say the log does not hold, or a row is not what the log says it became.
LOG_KINDS = frozenset(
    {"event_missing", "event_changed", "event_unchained", "unlogged_row", "row_changed", "logged_row_missing"}
)


def log_problems(session: Session) -> list[Problem]:
    """Only the log's own checks: its chain, and every claim, evidence, contradiction and source against the state
    it last logged (what a bundle must pass to be imported)."""
    connection = session.connection()
    result = Verification()
    _check_chain(connection, result, None)
    _check_sources_and_passages(connection, result)
    _check_logged_rows(connection, result)
    return [problem for problem in result.problems if problem.kind in LOG_KINDS]


def check_head(value: str) -> str:
    """A head hash as ``verify`` prints it (64 hexadecimal digits), lower-cased; anything else is refused."""
    cleaned = value.strip().lower()
    if len(cleaned) != 64 or any(c not in "0123456789abcdef" for c in cleaned):
        raise Invalid(
            f"--expect-head takes a log head as `provenance verify` prints it (64 hexadecimal digits), not {value!r}"
        )
    return cleaned


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


# --- what a problem shows -----------------------------------------------------------------------------


def shorten(text: str, limit: int = _SHOWN) -> str:
    """``text`` as a one-line Python literal, cut to about ``limit`` characters."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def difference(expected: str, found: str) -> tuple[str, str]:
    """The two texts around where they first differ, each as a one-line literal: ``(expected, found)``."""
    at = next((n for n, (a, b) in enumerate(zip(expected, found, strict=False)) if a != b), None)
    if at is None:
        at = min(len(expected), len(found))
    start = max(0, at - 12)
    lead = "…" if start else ""
    where = f" (from character {at})" if at else ""

    def cut(text: str) -> str:
        piece = text[start : start + _SHOWN]
        return repr(lead + piece + ("…" if start + _SHOWN < len(text) else ""))

    return cut(expected) + where, cut(found)


# --- the database and its schema ---------------------------------------------------------------------

# The triggers that keep the event log append-only (and, on PostgreSQL, refuse TRUNCATE), by backend.
EVENT_TRIGGERS = {
    "sqlite": ("event_append_only_delete", "event_append_only_update"),
    "postgresql": ("event_append_only", "event_no_truncate"),
}
RESTORE_DATABASE = "restore the database from a backup or an export bundle"
RESTORE_LOG = (
    "restore the database from a backup or an export bundle made before the change; until then the log cannot be "
    "trusted"
)
CHAIN_PROBLEMS_SHOWN = 50  # broken links listed one by one; the rest counted in one line


def _check_database(connection: Connection, result: Verification) -> bool:
    """The engine's own check of its file (SQLite), and every table and event-log trigger there. False when a
    table is missing."""
    problems = result.problems
    backend = connection.dialect.name
    if backend == "sqlite":
        found = [str(row[0]) for row in connection.exec_driver_sql("PRAGMA quick_check")]
        if found != ["ok"]:
            shown = "; ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
            problems.append(
                Problem(
                    "database_integrity",
                    "",
                    None,
                    "the database file",
                    "SQLite's own integrity check (PRAGMA quick_check) fails",
                    "ok",
                    shown,
                    f"the file is damaged: {RESTORE_DATABASE}; `sqlite3 FILE .recover` may save what is left",
                )
            )
    present = set(inspect(connection).get_table_names())
    missing = [name for name in Base.metadata.tables if name not in present]
    for name in missing:
        problems.append(
            Problem(
                "missing_table",
                name,
                None,
                f"table {name}",
                "it is missing from the database",
                f"table {name}",
                "no such table",
                f"{RESTORE_DATABASE}; nothing else was checked",
            )
        )
    if "event" in present:
        _check_triggers(connection, backend, problems)
    if backend == "sqlite":
        _check_search_index(connection, present, problems)
    return not missing


# SQLite's full-text search index (made by the migrations, outside the models): its tables and the triggers that
# keep it in step with claims and passages.
SQLITE_SEARCH = {
    "passage_search": ("passage", ("passage_search_delete", "passage_search_update")),
    "claim_search": ("claim", ("claim_search_delete", "claim_search_insert", "claim_search_update")),
}
REBUILD_SEARCH = (
    "searches miss or misreport what changed: restore the database from a backup, or export a bundle and import "
    "it into a new database (`provenance --db NEW init`), which builds the index afresh"
)


def _check_search_index(connection: Connection, present: set[str], problems: list[Problem]) -> None:
    triggers = {
        str(name) for (name,) in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }
    for index, (table, names) in SQLITE_SEARCH.items():
        if index not in present:
            problems.append(
                Problem(
                    "missing_table",
                    index,
                    None,
                    f"table {index}",
                    f"the search index of the table {table} is missing from the database",
                    f"table {index}",
                    "no such table",
                    REBUILD_SEARCH,
                )
            )
        for name in names:
            if name not in triggers:
                problems.append(
                    Problem(
                        "missing_trigger",
                        table,
                        None,
                        f"trigger {name} on table {table}",
                        f"the trigger that keeps the search index {index} in step is missing",
                        f"trigger {name}",
                        "no such trigger",
                        REBUILD_SEARCH,
                    )
                )


def _check_triggers(connection: Connection, backend: str, problems: list[Problem]) -> None:
    if backend == "sqlite":
        rows = connection.exec_driver_sql(
            "SELECT name, 'O' FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'event'"
        )
    else:
        rows = connection.execute(
            text("SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'event'::regclass AND NOT tgisinternal")
        )
    found = {str(name): str(enabled) for name, enabled in rows}
    # SQLite's triggers always fire; PostgreSQL's are made to fire ALWAYS ("A"), even for replication sessions
    expected = "O" if backend == "sqlite" else "A"
    for name in EVENT_TRIGGERS.get(backend, ()):
        state = found.get(name)
        if state == expected:
            continue
        how = {None: "missing", "D": "disabled"}.get(state, "skipped by sessions with session_replication_role set")
        problems.append(
            Problem(
                "missing_trigger",
                "event",
                None,
                f"trigger {name} on table event",
                f"the trigger that keeps the event log append-only is {how}",
                f"trigger {name}, enabled always",
                "no such trigger" if state is None else f"{how} (pg_trigger.tgenabled {state!r})",
                "run `provenance db upgrade` on a database restored from a backup, or ask whoever changed the schema; "
                "until it is back the log can be rewritten",
            )
        )


# --- the event log's chain ----------------------------------------------------------------------------

_EVENT_COLUMNS = [
    *(_event.c[name] for name in logchain.EVENT_FIELDS),
    _event.c.seq,
    _event.c.hash,
    _event.c.state,
    _event.c.migrated,
]
_CHAIN = select(*_EVENT_COLUMNS).where(_event.c.seq.is_not(None)).order_by(_event.c.seq)
_UNCHAINED = select(*_EVENT_COLUMNS).where(_event.c.seq.is_(None)).order_by(_event.c.id)


def _mappings(connection: Connection, query: Select[Any], name: str) -> Iterator[dict[str, Any]]:
    """The rows of ``query`` as dicts of their columns' values, as SQLAlchemy would give them back, streamed
    through the driver (:func:`_rows`, :func:`_converted`)."""
    names = [column.name for column in query.selected_columns]
    types: list[Any] = []
    with _rows(connection, query, name, types=types) as rows:
        for row in _converted(connection, query, types, rows, plain=False):
            yield dict(zip(names, row, strict=True))


def _converted(
    connection: Connection, query: Select[Any], types: list[Any], rows: Iterator[tuple[Any, ...]], *, plain: bool
) -> Iterator[list[Any]]:
    """``rows`` of ``query`` read from the driver (:func:`_rows`, which gave the ``types``), each column converted
    as SQLAlchemy converts it (timestamps, JSON and booleans on SQLite, ...), then, with ``plain``, made
    :func:`provenance.logchain.plain`."""
    dialect = connection.dialect
    converters = [
        (n, processor)
        for n, (column, code) in enumerate(zip(query.selected_columns, types, strict=True))
        if (processor := column.type.dialect_impl(dialect).result_processor(dialect, code)) is not None
    ]
    made_plain = logchain.plain
    for found in rows:
        row = list(found)
        for n, processor in converters:
            value = row[n]
            if value is not None:
                row[n] = made_plain(processor(value)) if plain else processor(value)
        yield row


def _event_subject(row: Any) -> str:
    return (
        f"event {row['id']} ({row['action']} {row['subject_type']} {row['subject_key']}, "
        f"{logchain.timestamp(row['occurred_at'])[:19]}Z by {row['actor']})"
    )


def _check_chain(connection: Connection, result: Verification, expect_head: str | None) -> None:
    """Recompute every link of the chain, streaming the events in chain order; keep the states they log."""
    chain_problems: list[Problem] = []

    def broken(row: Any, kind: str, what: str, expected: str, found: str) -> None:
        chain_problems.append(
            Problem(kind, "event", row["id"], _event_subject(row), what, expected, found, RESTORE_LOG)
        )

    result.log_read = True
    previous, expected_seq, later_than_migration = logchain.GENESIS, 1, False
    head_seen = expect_head is None
    logged = result.logged
    for row in _mappings(connection, _CHAIN, "chain"):
        result.events += 1
        seq = row["seq"]
        if seq != expected_seq:
            gone = seq - expected_seq
            broken(
                row,
                "event_missing",
                f"{_count(gone, 'event')} before it {'is' if gone == 1 else 'are'} missing from the chain",
                f"place {expected_seq} of the chain next",
                f"place {seq} (events {expected_seq}-{seq - 1} were removed)" if gone > 1 else f"place {seq}",
            )
        elif logchain.event_hash(row, previous) != row["hash"]:
            broken(
                row,
                "event_changed",
                "its hash is not that of its content and the event before it: it was changed after it was "
                "written (or an event before it was replaced)",
                f"hash {logchain.event_hash(row, previous)}",
                f"hash {row['hash']}",
            )
        if row["migrated"]:
            result.migrated += 1
            if later_than_migration:
                broken(
                    row,
                    "event_changed",
                    "it is marked as hashed when the chain was added, after events that were not",
                    "the events hashed by the migration first",
                    "one after them",
                )
        else:
            later_than_migration = True
        for table, digests in (row["state"] or {}).items():
            into = logged.setdefault(str(table), {})
            for row_id, digest in digests.items():
                into[int(row_id)] = (str(digest), row["id"])
        previous, expected_seq = str(row["hash"]), seq + 1
        result.head_seq, result.head_hash = seq, previous
        head_seen = head_seen or previous == expect_head
    for row in _mappings(connection, _UNCHAINED, "unchained"):
        result.events += 1
        broken(
            row,
            "event_unchained",
            "it is not in the log's chain: it was inserted outside provenance",
            "an event sealed into the chain when the command that wrote it committed",
            "no place in the chain",
        )
    if not head_seen:
        chain_problems.append(
            Problem(
                "head_not_found",
                "event",
                None,
                "the event log",
                "the head noted earlier is not in the chain: the log was rewritten since it was noted",
                f"a chain through {expect_head}",
                f"a chain with head {result.head_hash} that does not pass through it",
                RESTORE_LOG,
            )
        )
    result.problems += chain_problems[:CHAIN_PROBLEMS_SHOWN]
    if len(chain_problems) > CHAIN_PROBLEMS_SHOWN:
        more = len(chain_problems) - CHAIN_PROBLEMS_SHOWN
        result.problems.append(
            Problem(
                "event_changed",
                "event",
                None,
                "the event log",
                f"{_count(more, 'more broken link')} after those listed",
                "an unbroken chain",
                f"{more} more",
                RESTORE_LOG,
            )
        )


# --- rows against the state the log last recorded -----------------------------------------------------


def _logged_state(
    result: Verification, table: str, row_id: int, subject: str, digest: str, *, what: str = "it was"
) -> None:
    entry = result.logged.get(table, {}).pop(row_id, None)
    if entry is not None and entry[0] == digest:
        return
    if entry is None:
        result.problems.append(
            Problem(
                "unlogged_row",
                table,
                row_id,
                subject,
                "no event of the log recorded it: it was added outside provenance",
                "a row the log recorded",
                f"{table} {row_id}, not in the log",
                "find who added it; restore the database from a backup or an export bundle",
            )
        )
        return
    result.problems.append(
        Problem(
            "row_changed",
            table,
            row_id,
            subject,
            f"it is not what the log says it last became: {what} changed outside provenance",
            f"the state logged with event {entry[1]}",
            "different values",
            f"see `provenance history` for what it should be; {RESTORE}",
        )
    )


def _check_logged_rows(connection: Connection, result: Verification) -> None:
    """Every claim, evidence and contradiction against the digest the log last recorded for it.

    The rows come from the driver (:func:`_rows`); the columns SQLAlchemy would convert (timestamps, and on
    SQLite booleans) go through the same conversions, then :func:`provenance.logchain.plain`, so each digest is
    the one :func:`provenance.logchain.row_digest` makes of the row as the ORM reads it. A choice is read as its
    stored text, which is its value's: a value outside the choices then makes a different digest instead of an
    error."""
    for name, fields in logchain.ROW_FIELDS.items():
        table = Base.metadata.tables[name]
        columns: list[Any] = [table.c[field] for field in fields]
        columns = [type_coerce(c, Text) if isinstance(c.type, Enum) else c for c in columns]
        digests = result.logged.get(name, {})
        digest_of = logchain.values_digest
        types: list[Any] = []
        query = select(*columns).order_by(table.c.id)
        with _rows(connection, query, f"logged_{name}", types=types) as rows:
            for row in _converted(connection, query, types, rows, plain=True):
                row_id = row[0]
                digest = digest_of(row)
                entry = digests.get(row_id)
                if name == "claim":
                    result.claims += 1
                elif name == "contradiction":
                    result.contradictions += 1
                if entry is not None and entry[0] == digest:
                    del digests[row_id]
                    continue
                if name == "claim":
                    subject = f"claim {row[1]}"
                elif name == "contradiction":
                    subject = f"contradiction {row_id} (claims {row[1]} and {row[2]})"
                else:
                    subject = f"evidence {row_id} of claim {row[1]}"
                _logged_state(result, name, row_id, subject, digest)
    _missing_logged_rows(result)


def _missing_logged_rows(result: Verification) -> None:
    for name in ("source", *logchain.ROW_FIELDS):
        for row_id, (_digest, event_id) in sorted(result.logged.pop(name, {}).items()):
            result.problems.append(
                Problem(
                    "logged_row_missing",
                    name,
                    row_id,
                    f"{name} {row_id}",
                    "the log recorded it but it is not in the database: it was deleted outside provenance",
                    f"{name} {row_id}, as logged with event {event_id}",
                    "no such row",
                    RESTORE_DATABASE,
                )
            )


# --- sources and passages -----------------------------------------------------------------------------


@contextmanager
def _rows(
    connection: Connection, query: Select[Any], name: str, batch: int = BATCH, types: list[Any] | None = None
) -> Iterator[Iterator[tuple[Any, ...]]]:
    """A cursor over the rows of ``query``, as plain tuples fetched a batch at a time, in the session's
    transaction.

    Read with the driver's own cursor (a named, server-side one on PostgreSQL, so that the rows are not all held
    at once): a million passages made into SQLAlchemy rows took about half as long again as the checks
    themselves. The rows are taken a batch at a time with ``fetchmany`` and handed over from the batch's list (a
    psycopg cursor stepped row by row costs a Python call a row). The queries' only parameters are integer
    constants, written into the SQL; what their columns need converting, the caller converts (``types``, when
    given, receives the driver's type code of each column).
    """
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    driver = connection.connection.driver_connection
    assert driver is not None
    if connection.dialect.name == "postgresql":
        cursor = driver.cursor(name=f"provenance_verify_{name}")
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(sql)
        if types is not None:
            types.extend(column[1] for column in cursor.description or ())
        yield chain.from_iterable(iter(partial(cursor.fetchmany, batch), []))
    finally:
        cursor.close()


_SOURCES = select(_source.c.id, _source.c.key, _source.c.text, _source.c.text_sha256).order_by(_source.c.id)
_PASSAGES = select(
    _passage.c.id,
    _passage.c.source_id,
    type_coerce(_passage.c.kind, Text),
    _passage.c.char_start,
    _passage.c.char_end,
    _passage.c.text,
    _passage.c.paragraph_no,
    _passage.c.sentence_no,
    _passage.c.page_no,
).order_by(_passage.c.source_id, _passage.c.char_start)


class _SourceRow(NamedTuple):
    id: int
    key: str
    text: str
    text_sha256: str


def _check_sources_and_passages(connection: Connection, result: Verification) -> None:
    problems = result.problems
    orphans: dict[int, list[int]] = {}  # passages of a source that does not exist, by the source id they name
    with (
        _rows(connection, _SOURCES, "sources", SOURCE_BATCH) as sources,
        _rows(connection, _PASSAGES, "passages") as passages,
    ):

        def next_source() -> _SourceRow | None:
            if reading:  # the source before: its passages all read, its state is known
                before = reading[0]
                digest = logchain.source_digest(before.key, before.text_sha256, spans)
                _logged_state(
                    result, "source", before.id, f"source {before.key}", digest, what="its text or passages were"
                )
                spans.clear()
                reading.clear()
            row = next(sources, None)
            if row is None:
                return None
            source = _SourceRow(*row)
            reading.append(source)
            result.sources += 1
            source_intact.clear()  # only the current source's is needed
            source_intact[source.id] = _hash_holds(source, problems)
            return source

        source_intact: dict[int, bool] = {}
        reading: list[_SourceRow] = []  # the source whose passages are being read
        spans: list[tuple[Any, ...]] = []  # its passages as the log's digest covers them
        current = next_source()
        # the current source's id and text, as locals for the loop over every passage
        current_id, source_text = (current.id, current.text) if current is not None else (-1, "")
        count, keep = 0, spans.append
        for passage_id, source_id, kind, start, end, text, paragraph_no, sentence_no, page_no in passages:
            count += 1
            if current_id < source_id:
                while current is not None and current.id < source_id:
                    current = next_source()
                current_id, source_text = (current.id, current.text) if current is not None else (-1, "")
            if current_id != source_id or current is None:
                orphans.setdefault(source_id, []).append(passage_id)
                continue
            keep((passage_id, kind, start, end, paragraph_no, sentence_no, page_no))
            # a stored text must be the source's at its offsets; a paragraph's (none stored) must lie within it
            if text == source_text[start:end] if text is not None else end <= len(source_text):
                continue
            row = (passage_id, kind, start, end, text)
            _passage_problems(current, source_intact[current_id], row, problems)
        while current is not None:
            current = next_source()
        result.passages += count
    for source_id, passage_ids in orphans.items():
        problems.append(_orphaned_passages(source_id, passage_ids))


_WEB_CAPTURES = (
    select(
        _web_capture.c.id,
        _source.c.key,
        _source.c.original_sha256,
        _web_capture.c.content_gzip,
        _web_capture.c.content_length,
    )
    .join(_source, _source.c.id == _web_capture.c.source_id)
    .order_by(_web_capture.c.id)
)


def _check_web_captures(connection: Connection, result: Verification) -> None:
    """Each page fetched from the web keeps the bytes the source was read from: their SHA-256 is the source's
    ``original_sha256`` and their length the one recorded, so that the page archived (``source archive``) is
    the page quoted."""
    with _rows(connection, _WEB_CAPTURES, "web_captures", SOURCE_BATCH) as captures:
        for capture_id, key, expected, packed, length in captures:
            try:
                body = gzip.decompress(bytes(packed))
            except (OSError, EOFError, zlib.error):
                found = "bytes that are not gzip-compressed (they were damaged or replaced)"
            else:
                digest = hashlib.sha256(body).hexdigest()
                if digest == expected and len(body) == length:
                    continue
                found = f"SHA-256 {digest}, {len(body):,} bytes (the page kept was changed after it was fetched)"
            result.problems.append(
                Problem(
                    "web_capture_body",
                    "web_capture",
                    capture_id,
                    f"web capture of source {key}",
                    "the page kept is not the one the source was read from",
                    f"SHA-256 {expected}, {length:,} bytes",
                    found,
                    RESTORE,
                )
            )


_paragraph = _passage.alias("paragraph")
# The captions that are not a paragraph of their source, with the length of its text.
_CAPTIONS_APART = (
    select(_caption.c.source_id, _caption.c.char_start, _caption.c.char_end, _source.c.key, func.length(_source.c.text))
    .join(_source, _source.c.id == _caption.c.source_id)
    .outerjoin(
        _paragraph,
        and_(
            _paragraph.c.source_id == _caption.c.source_id,
            type_coerce(_paragraph.c.kind, Text) == "paragraph",
            _paragraph.c.char_start == _caption.c.char_start,
            _paragraph.c.char_end == _caption.c.char_end,
        ),
    )
    .where(_paragraph.c.id.is_(None))
    .order_by(_caption.c.source_id, _caption.c.char_start)
)


def _check_captions(connection: Connection, result: Verification) -> None:
    """Each span marked as a caption is one of its source's paragraphs (so within its text): what ``source show``
    labels a caption is a whole paragraph of the page."""
    for source_id, start, end, key, length in connection.execute(_CAPTIONS_APART):
        outside = end > length
        result.problems.append(
            Problem(
                "caption_span",
                "caption",
                None,
                f"caption of source {key} (characters {start}-{end})",
                "it lies outside its source's text" if outside else "it is not one of its source's paragraphs",
                f"a paragraph within its {length:,} characters" if outside else "the span of one of its paragraphs",
                f"characters {start}-{end}",
                f"{RESTORE}, or delete that caption row (source_id {source_id}, char_start {start}): the text is "
                "not changed by it, only what is marked as a caption",
            )
        )


def _hash_holds(source: _SourceRow, problems: list[Problem]) -> bool:
    digest = hashlib.sha256(source.text.encode("utf-8")).hexdigest()
    if digest == source.text_sha256:
        return True
    problems.append(
        Problem(
            "source_hash",
            "source",
            source.id,
            f"source {source.key}",
            "its text does not have the SHA-256 stored for it",
            source.text_sha256,
            f"{digest} (the text was changed after it was captured)",
            f"{RESTORE}; its passages and evidence were checked against the changed text",
        )
    )
    return False


def _passage_problems(
    source: _SourceRow, intact: bool, passage: tuple[int, str, int, int, str | None], problems: list[Problem]
) -> None:
    passage_id, kind, start, end, text = passage
    source_text = source.text
    subject = f"passage {passage_id} of {source.key} ({kind}, characters {start}-{end})"
    fix = (
        f"the source's text is intact, so the passage was changed: {RESTORE}"
        if intact
        else "the source's text was changed too (see its line): restore both"
    )

    def problem(kind_: str, what: str, expected: str, found: str) -> None:
        problems.append(Problem(kind_, "passage", passage_id, subject, what, expected, found, fix))

    if end > len(source_text) or start < 0:
        problem(
            "passage_offsets",
            "its offsets are outside its source's text",
            f"offsets within the {len(source_text)} characters of {source.key}",
            f"characters {start}-{end}",
        )
        return
    if text is not None and text != source_text[start:end]:
        expected, found = difference(source_text[start:end], text)
        problem("passage_text", "its text is not its source's text at its offsets", expected, found)


def _orphaned_passages(source_id: int, passage_ids: list[int]) -> Problem:
    passage_ids = sorted(passage_ids)
    shown = ", ".join(map(str, passage_ids[:10])) + (
        f" and {len(passage_ids) - 10} more" if len(passage_ids) > 10 else ""
    )
    return Problem(
        "missing_source",
        "passage",
        passage_ids[0],
        f"passage{'s' if len(passage_ids) > 1 else ''} {shown}",
        "their source does not exist",
        f"source {source_id}",
        "no such source",
        "restore the source from a backup or an export bundle; without it these passages quote nothing",
    )


# --- evidence -----------------------------------------------------------------------------------------


_EVIDENCE = (
    select(
        _evidence.c.id,
        _evidence.c.claim_id,
        _claim.c.key,
        _evidence.c.passage_id,
        _passage.c.id,
        # a paragraph's words are its source's (it stores none)
        func.coalesce(
            _passage.c.text,
            func.substr(_source.c.text, _passage.c.char_start + 1, _passage.c.char_end - _passage.c.char_start),
        ),
        _passage.c.source_id,
        _source.c.key,
        _evidence.c.quote,
        type_coerce(_evidence.c.anchor_method, Text),
        _evidence.c.anchor_score,
    )
    .select_from(
        _evidence.outerjoin(_claim, _claim.c.id == _evidence.c.claim_id)
        .outerjoin(_passage, _passage.c.id == _evidence.c.passage_id)
        .outerjoin(_source, _source.c.id == _passage.c.source_id)
    )
    .order_by(_evidence.c.id)
)


def _check_evidence(connection: Connection, result: Verification) -> None:
    count = 0
    with _rows(connection, _EVIDENCE, "evidence") as rows:
        for row in rows:
            count += 1
            # claim, passage and its text there, and the quote holds: nothing to say (the common case, kept short)
            if (
                row[2] is not None
                and row[4] is not None
                and row[5] is not None
                and _quote_problem(row[8], row[9], row[10], row[5]) is None
            ):
                continue
            result.problems += _evidence_problems(*row)
    result.evidence += count


def _evidence_problems(
    evidence_id: int,
    claim_id: int,
    claim_key: str | None,
    passage_id: int,
    found_passage: int | None,
    text: str | None,
    source_id: int | None,
    source_key: str | None,
    quote: str,
    method: str,
    score: float | None,
) -> list[Problem]:
    problems = []
    subject = f"evidence {evidence_id} of claim {claim_key or claim_id}"
    if claim_key is None:
        problems.append(
            Problem(
                "missing_claim",
                "evidence",
                evidence_id,
                subject,
                "its claim does not exist",
                f"claim {claim_id}",
                "no such claim",
                "restore the claim from a backup or an export bundle; the evidence supports nothing without it",
            )
        )
    if found_passage is None:
        problems.append(
            Problem(
                "missing_passage",
                "evidence",
                evidence_id,
                subject,
                "its passage does not exist",
                f"passage {passage_id}",
                "no such passage",
                "restore the passage from a backup or an export bundle, or add the evidence again "
                "(`provenance evidence add`)",
            )
        )
        return problems
    if text is None:
        return problems  # a paragraph of a missing source: that source's passages are reported
    checked = _quote_problem(quote, method, score, text)
    if checked is not None:
        kind, what, expected, found = checked
        action = (
            "the stored score is not the quote's similarity to its passage: check the passage, then restore the "
            "evidence from a backup or add it again (`provenance evidence add`)"
            if kind == "evidence_score"
            else "the quote no longer stands for its passage: check it, then restore the evidence from a backup "
            "or add it again (`provenance evidence add`)"
        )
        subject += f" (passage {passage_id} of {source_key or f'missing source {source_id}'})"
        problems.append(Problem(kind, "evidence", evidence_id, subject, what, expected, found, action))
    return problems


def fuzzy_score(quote: str, span: str) -> float:
    """The score a fuzzy anchor of ``quote`` to ``span`` was stored with, computed as anchoring computes it (the
    quote without an ellipsis at its ends, to one decimal)."""
    return _similarity(trim_ellipses(quote), span)


def _quote_problem(quote: str, method: str, score: float | None, text: str) -> tuple[str, str, str, str] | None:
    """What is wrong with a quote anchored by ``method`` to a passage with ``text``: (kind, what, expected,
    found), or None."""
    if method in EXACT_METHODS:
        if text == quote or text == trim_ellipses(quote):
            return None
        expected, found = difference(trim_ellipses(quote), text)
        return "evidence_quote", f"its quote ({method.replace('_', ' ')}) is not its passage's text", expected, found
    if method == AnchorMethod.EXACT_OMISSION.value:
        position = 0
        for n, part in enumerate(quote_parts(quote), start=1):
            at = text.find(part, position)
            if at < 0:
                where = f" after character {position}" if position else ""
                return (
                    "evidence_quote",
                    "a part of its quote with left-out words is not in its passage, in order",
                    f"part {n} {shorten(part)}{where}",
                    f"a passage without it: {shorten(text)}",
                )
            position = at + len(part)
        return None
    if method == AnchorMethod.FUZZY.value:
        computed = fuzzy_score(quote, text)
        if score is not None and abs(score - computed) <= SCORE_TOLERANCE:
            return None
        stored = "no score" if score is None else f"stored score {format_score(score)}/100"
        return (
            "evidence_score",
            "its fuzzy match score is not the quote's similarity to its passage",
            f"{format_score(computed)}/100 (the quote {shorten(quote)} against the passage {shorten(text)})",
            stored,
        )
    known = ", ".join(m.value for m in AnchorMethod)
    return "evidence_method", "its anchor method is unknown", f"one of {known}", repr(method)


# --- references ---------------------------------------------------------------------------------------

# Checked while streaming (above), where the row that refers is read anyway.
_STREAMED = {("passage", "source_id"), ("evidence", "passage_id"), ("evidence", "claim_id")}

_HINTS = {
    "contradiction": "restore the claim or passage from a backup or an export bundle; without it the contradiction "
    "stands between nothing",
    "contradiction_suggestion": "restore the row it names from a backup or an export bundle; `provenance "
    "contradictions detect` suggests afresh from the passages there are",
}


def _check_references(connection: Connection, result: Verification) -> None:
    """Rows naming a row of another table (a foreign key) that is not there: possible when foreign keys were off."""
    for table in Base.metadata.sorted_tables:
        for key in sorted(table.foreign_keys, key=lambda k: k.parent.name):
            column = key.parent
            if (table.name, column.name) in _STREAMED:
                continue
            referred = key.column.table.alias("referred")
            target = referred.c[key.column.name]
            primary = list(table.primary_key.columns)
            query = (
                select(*primary, column)
                .select_from(table.outerjoin(referred, target == column))
                .where(and_(column.is_not(None), target.is_(None)))
                .order_by(*primary)
            )
            for row in connection.execute(query):
                result.problems.append(_dangling(table, primary, row, column.name, key.column.table.name))


def _dangling(table: Table, primary: list[Any], row: Any, column: str, referred: str) -> Problem:
    ids = tuple(row[: len(primary)])
    named = dict(zip((c.name for c in primary), ids, strict=True))
    label = (
        f"{table.name} {ids[0]}"
        if len(ids) == 1
        else f"{table.name} row ({', '.join(f'{k} {v}' for k, v in named.items())})"
    )
    return Problem(
        "missing_reference",
        table.name,
        ids[0] if len(ids) == 1 else None,
        label,
        f"its {column} names a {referred} that does not exist",
        f"{referred} {row[-1]}",
        f"no such {referred}",
        _HINTS.get(table.name, f"restore the {referred} from a backup or an export bundle, or remove this row"),
    )
