"""Engines, sessions and schema migrations (Alembic) for SQLite and PostgreSQL."""

from __future__ import annotations

import json
import math
import os
import re
import shlex
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote

from sqlalchemy import JSON, Table, create_engine, event, inspect
from sqlalchemy import text as sql_text
from sqlalchemy.engine import URL, Connection, CursorResult, Dialect, Engine, Result, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.types import TypeEngine

from provenance import locking
from provenance.errors import Busy, Conflict, Invalid, NotFound, ProvenanceError, SchemaMismatch

if TYPE_CHECKING:  # Alembic is loaded only to migrate: it takes longer to load than most commands take to run
    from alembic.config import Config
    from alembic.script import ScriptDirectory

DEFAULT_URL = "sqlite:///provenance.db"
URL_ENV = "PROVENANCE_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# How long a command waits for another's lock before it gives up with one line saying who holds it (seconds; the
# default is SQLITE_BUSY_TIMEOUT_MS): SQLite's busy timeout, and PostgreSQL's lock_timeout.
LOCK_TIMEOUT_ENV = "PROVENANCE_LOCK_TIMEOUT"
# On PostgreSQL, the longest one statement may run, and a transaction of this program stay idle (seconds; 0: no
# limit): generous, only so that nothing hangs for ever holding locks.
STATEMENT_TIMEOUT_ENV = "PROVENANCE_STATEMENT_TIMEOUT"
STATEMENT_TIMEOUT_S = 600


def resource_dir(name: str) -> Path:
    """A folder shipped with the package (inside the wheel) or, in a source checkout, beside it."""
    package = Path(__file__).resolve().parent
    for candidate in (package / f"_{name}", package.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"provenance is installed without its {name}/ folder; reinstall it")


def resolve_url(url: str | None = None) -> URL:
    """The database URL to use: the one given, else $PROVENANCE_DATABASE_URL, else ./provenance.db.

    A bare path means a SQLite file; ``postgresql://`` and ``postgres://`` mean PostgreSQL through psycopg 3.
    """
    text = url or os.environ.get(URL_ENV) or DEFAULT_URL
    if "://" not in text:
        return URL.create("sqlite", database=text)
    try:
        parsed = make_url(text)
    except ArgumentError as exc:
        raise Invalid(f"cannot read database URL {text!r}; use sqlite:///PATH or postgresql://USER@HOST/DB") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def describe_url(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _seconds_from_env(name: str, default_ms: int, *, zero: str | None = None) -> int:
    """Milliseconds from $``name`` (seconds, e.g. ``30`` or ``0.5``), else ``default_ms``; 0 only if ``zero`` says
    what it means."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default_ms
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0 or (seconds == 0 and zero is None) or seconds > 86_400:
        allowed = f"0 ({zero}) or more" if zero is not None else "more than 0"
        raise Invalid(f"{name}={value!r} is not a number of seconds; set it to {allowed}, at most 86400, or unset it")
    return max(1, round(seconds * 1000)) if seconds else 0


def lock_timeout_ms() -> int:
    """How long a command waits for another's lock: $PROVENANCE_LOCK_TIMEOUT seconds, else 30 s."""
    return _seconds_from_env(LOCK_TIMEOUT_ENV, SQLITE_BUSY_TIMEOUT_MS)


def statement_timeout_ms() -> int:
    """PostgreSQL's limit on one statement and on an idle transaction: $PROVENANCE_STATEMENT_TIMEOUT seconds."""
    return _seconds_from_env(STATEMENT_TIMEOUT_ENV, STATEMENT_TIMEOUT_S * 1000, zero="no limit")


def _postgresql_connect_args(url: URL, application_name: str) -> dict[str, str]:
    """Each connection's settings: it waits for a lock at most the lock timeout (then says who holds it, see
    :func:`session_scope`), and neither a statement nor an idle transaction holds its locks for ever. The
    ``application_name`` shows in ``pg_stat_activity``, so that a waiting command can name this one. Options and
    an application name given in the URL are kept."""
    statement = statement_timeout_ms()
    settings = {
        "lock_timeout": lock_timeout_ms(),
        "statement_timeout": statement,
        "idle_in_transaction_session_timeout": statement,
    }
    given = url.query.get("options")
    options = [given] if isinstance(given, str) and given else []
    args = {"options": " ".join([*options, *(f"-c {name}={value}" for name, value in settings.items())])}
    if "application_name" not in url.query:
        args["application_name"] = application_name.encode()[:63].decode(errors="ignore")  # PostgreSQL's limit
    return args


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys enforced; a writer waits for another to finish (up to the busy timeout) instead of failing at
    once; write-ahead logging, so readers and one writer do not block each other."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {lock_timeout_ms()}")
    try:
        cursor.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError as exc:
        # A read-only file (or folder) keeps the journal it has: commands that only read still work where SQLite
        # can read it, and one that writes fails with the read-only error (see driver_error).
        if not str(getattr(exc, "sqlite_errorname", "")).startswith("SQLITE_READONLY"):
            raise
    cursor.close()


# An execution option naming how a SQLite transaction begins ("IMMEDIATE"); without it, Python's sqlite3 begins
# one only at the first INSERT, UPDATE or DELETE, as for migrations (whose PRAGMAs must run outside one).
SQLITE_BEGIN = "provenance_sqlite_begin"
# How session_scope's transactions begin on SQLite (None: at the first write, as Python's sqlite3 does).
SQLITE_SESSION_BEGIN: str | None = "IMMEDIATE"


def _sqlite_begin(connection: Connection) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN)
    if mode is not None:
        connection.exec_driver_sql(f"BEGIN {mode}")


def _writing(engine: Engine) -> Engine:
    """``engine`` with its SQLite transactions begun IMMEDIATE.

    A transaction begun DEFERRED that reads and then writes must upgrade its read lock to the write lock; if
    another connection wrote in between, SQLite fails it at once with "database is locked", without waiting out
    the busy timeout. Taking the write lock first makes such transactions wait their turn instead.
    """
    if engine.url.get_backend_name() != "sqlite" or SQLITE_SESSION_BEGIN is None:
        return engine
    return engine.execution_options(**{SQLITE_BEGIN: SQLITE_SESSION_BEGIN})


def _reading(engine: Engine) -> Engine:
    """``engine`` with its SQLite transactions begun DEFERRED: one snapshot for all a command reads."""
    if engine.url.get_backend_name() != "sqlite":
        return engine
    return engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"})


def _busy(engine: Engine) -> ProvenanceError:
    return Busy(
        f"database {describe_url(engine.url)} is locked by another command (waited up to "
        f"{_seconds(lock_timeout_ms())}); nothing was saved; run the command again when that one is done"
    )


def _seconds(ms: int) -> str:
    return f"{ms / 1000:g} s"


# PostgreSQL's SQLSTATEs for a lock waited for too long, a statement cancelled by statement_timeout, and a session
# ended by idle_in_transaction_session_timeout.
_PG_LOCK_TIMEOUT = "55P03"
_PG_STATEMENT_TIMEOUT = "57014"
_PG_IDLE_TIMEOUT = "25P03"
# Lock modes a writer (or SELECT ... FOR UPDATE) holds on a table; readers hold only AccessShareLock. A row's lock
# is waited for behind a writer; a table's, behind one holding the modes from ShareUpdateExclusiveLock on.
_WRITER_LOCKS = ("RowShareLock", "RowExclusiveLock")
_TABLE_LOCKS = (
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
)
# Sessions in a transaction holding such a lock on a table of this database's schema (the one named, if any).
_HOLDERS = sql_text(
    """
    SELECT a.pid, a.application_name, a.usename, host(a.client_addr), a.state,
           extract(epoch FROM now() - a.xact_start)
    FROM pg_stat_activity AS a
    WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.xact_start IS NOT NULL
      AND a.state <> 'idle in transaction (aborted)'
      AND EXISTS (
        SELECT FROM pg_locks AS l
        JOIN pg_class AS c ON c.oid = l.relation
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE l.pid = a.pid AND l.granted AND l.locktype = 'relation' AND l.mode = ANY(:modes)
          AND n.nspname = ANY(current_schemas(false))
          AND (CAST(:relation AS text) IS NULL OR c.oid = to_regclass(CAST(:relation AS text)))
      )
    ORDER BY a.xact_start
    """
)
# Where a row lock was waited for: 'while updating tuple (0,1) in relation "claim"'.
_WAITED_IN = re.compile(r'in relation "([^"]+)"')


def _timed_out(engine: Engine, exc: BaseException) -> ProvenanceError | None:
    """A PostgreSQL timeout (lock, statement, idle transaction) as one line; None for any other error."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    sqlstate = getattr(orig, "sqlstate", None)
    where = describe_url(engine.url)
    if sqlstate == _PG_LOCK_TIMEOUT:
        return Busy(
            f"database {where} is locked by another session: {_lock_holders(engine, orig)}; this command waited "
            f"{_seconds(lock_timeout_ms())} (${LOCK_TIMEOUT_ENV}) and saved nothing; run it again when that "
            "session is done, or end it"
        )
    if sqlstate == _PG_STATEMENT_TIMEOUT and "statement timeout" in str(orig):
        return Busy(
            f"a statement on database {where} ran longer than {_seconds(statement_timeout_ms())} and was stopped; "
            f"nothing was saved; raise ${STATEMENT_TIMEOUT_ENV} (seconds, 0 for no limit) and run the command again"
        )
    if sqlstate == _PG_IDLE_TIMEOUT:
        return ProvenanceError(
            f"this command's transaction on database {where} stayed idle longer than "
            f"{_seconds(statement_timeout_ms())} and the server ended it; nothing was saved; run the command again "
            f"(${STATEMENT_TIMEOUT_ENV} sets the limit)"
        )
    return None


def _lock_holders(engine: Engine, error: BaseException | None) -> str:
    """Who holds the lock a command waited for, asked from a fresh connection (the waiting one is no longer
    waiting, so ``pg_blocking_pids`` cannot tell): the sessions in a transaction that hold a writer's lock on the
    table whose row was waited for, or else a lock that keeps others out of a whole table, oldest first."""
    context = getattr(getattr(error, "diag", None), "context", None) or ""
    waited = _WAITED_IN.search(context)
    searches: list[tuple[str | None, tuple[str, ...]]]
    if waited is not None:
        searches = [(waited[1], _WRITER_LOCKS + _TABLE_LOCKS)]
    else:
        searches = [(None, _TABLE_LOCKS), (None, _WRITER_LOCKS)]
    rows: list[Any] = []
    try:
        with engine.connect() as connection:
            for relation, modes in searches:
                rows = list(connection.execute(_HOLDERS, {"relation": relation, "modes": list(modes)}).all())
                if rows:
                    break
    except DBAPIError:
        return "one that could not be looked up"
    if not rows:
        return "one that has ended since"
    pid, application, user, address, state, seconds = rows[0]
    name = f"'{application}'" if application else "a session with no application name"
    origin = f"from {address}" if address else "on a local socket"
    held = f", in its transaction for {float(seconds):.0f} s" if seconds is not None else ""
    others = f", and {len(rows) - 1} other session(s) in a transaction" if len(rows) > 1 else ""
    return f"{name} (user {user} {origin}, process {pid}, {state}{held}){others}"


def _saved_meanwhile(engine: Engine, exc: IntegrityError) -> Conflict | None:
    """On PostgreSQL, a unique key broken by an insert: another writer committed the same row (a claim's key, a
    passage's span...) after this transaction looked for it and before it inserted its own. (On SQLite, where the
    transaction holds the write lock from its start, that cannot happen: there it is a bug, and shows as one.)"""
    orig = exc.orig
    if engine.url.get_backend_name() != "postgresql" or getattr(orig, "sqlstate", None) != "23505":
        return None
    diag = getattr(orig, "diag", None)
    table = getattr(diag, "table_name", None) or "row"
    key = re.fullmatch(r"Key \((.+)\)=\((.*)\) already exists\.", getattr(diag, "message_detail", None) or "")
    if key is None:
        same = ""
    elif "," in key[1]:
        same = f" with the same {key[1]}"
    else:
        same = f" with {key[1]} {key[2]!r}"
    return Conflict(
        f"another command saved a {table}{same} while this one ran; nothing was saved; run the command again"
    )


def make_engine(url: str | URL | None = None, *, application_name: str = "provenance") -> Engine:
    """An engine for ``url`` with foreign keys enforced on SQLite too; a missing driver is a user error.

    Its connections wait for another's lock at most $PROVENANCE_LOCK_TIMEOUT seconds (30 by default); on
    PostgreSQL they show as ``application_name`` (``provenance COMMAND``) to other sessions."""
    resolved = url if isinstance(url, URL) else resolve_url(url)
    backend = resolved.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise Invalid(f"provenance works with SQLite and PostgreSQL, not {backend!r}; use sqlite:/// or postgresql://")
    lock_timeout_ms()  # a bad $PROVENANCE_LOCK_TIMEOUT is refused here, in one line, not at the first connection
    connect_args = _postgresql_connect_args(resolved, application_name) if backend == "postgresql" else {}
    try:
        engine = create_engine(resolved, connect_args=connect_args)
    except (NoSuchModuleError, ImportError) as exc:
        if backend == "postgresql":
            raise ProvenanceError(
                f"the PostgreSQL driver for {resolved.drivername} is not installed; "
                "install the postgres extra: pip install 'provenance[postgres]'"
            ) from exc
        raise ProvenanceError(f"no database driver for {resolved.drivername}: {exc}") from exc
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


@contextmanager
def session_scope(engine: Engine, *, readonly: bool = False) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back whole if anything in it fails.

    ``readonly`` (commands that only read): on SQLite the transaction begins DEFERRED, a snapshot that neither
    waits for writers nor makes them wait (WAL), instead of taking the write lock.

    On SQLite it begins IMMEDIATE: it takes the database's write lock first (waiting up to the busy timeout for
    another writer to finish), so what it reads stays true until it commits. On PostgreSQL, writers do not wait
    for each other's reads: a claim another writer changed and committed after this transaction read it fails the
    flush or commit with one :class:`~provenance.errors.Conflict` naming the claim (see :mod:`provenance.locking`),
    and so does a row another writer inserted with the same key meanwhile; nothing of this transaction is saved.
    """
    bound = _reading(engine) if readonly else _writing(engine)
    with Session(bound, expire_on_commit=False) as session:
        locking.watch(session)
        try:
            yield session
            session.commit()
        except StaleDataError as exc:
            stale = locking.stale_claims(session)
            session.rollback()
            raise locking.stale_conflict(engine, stale) from exc
        except OperationalError as exc:
            session.rollback()
            translated = driver_error(engine, exc)  # locked, timed out, read-only, a full disk...
            if translated is not None:
                raise translated from exc
            raise
        except IntegrityError as exc:
            session.rollback()
            duplicate = _saved_meanwhile(engine, exc)
            if duplicate is not None:
                raise duplicate from exc
            raise
        except BaseException as exc:
            session.rollback()
            # a driver error SQLAlchemy files under another class (PostgreSQL's read-only transaction is an
            # InternalError), or the driver's own error, from a COPY (see insert_rows)
            translated = driver_error(engine, exc) if isinstance(exc, DBAPIError) else _timed_out(engine, exc)
            if translated is not None:
                raise translated from exc
            raise


def insert_rows(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert rows of values, in the order of ``columns``, through the driver's bulk path, in the session's
    transaction: ``executemany`` on SQLite, ``COPY`` on PostgreSQL, without SQL compilation or SQLAlchemy's
    per-value handling. The values must be as the driver takes them (see :func:`insert_records`)."""
    if not rows:
        return
    connection = session.connection()
    names = ", ".join(connection.dialect.identifier_preparer.quote(name) for name in columns)
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(columns))
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", list(rows))


def next_ids(session: Session, table: Table, count: int) -> list[int]:
    """Ids for ``count`` new rows of ``table`` (integer primary key ``id``), to insert them with: from the
    column's sequence on PostgreSQL; on SQLite, after the largest id, as SQLite itself would number them
    (the transaction holds the database's write lock, so no other writer can take them meanwhile)."""
    if count == 0:
        return []
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        query = sql_text(f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, :n)")
        return list(connection.execute(query, {"n": count}).scalars())
    largest = connection.execute(sql_text(f"SELECT coalesce(max(id), 0) FROM {table.name}")).scalar_one()
    return list(range(largest + 1, largest + 1 + count))


def insert_records(session: Session, table: Table, records: Sequence[dict[str, Any]]) -> None:
    """Insert records (column name to value; every record the same columns) with :func:`insert_rows`, each
    value first converted as its column's type converts it for the driver (enums to their values, timestamps to
    UTC, dates to text on SQLite, JSON to text)."""
    if not records:
        return
    columns = list(records[0])
    if any(len(record) != len(columns) for record in records):
        raise ValueError(f"records for {table.name} with different columns: {columns} and others")
    dialect = session.get_bind().dialect
    processors = [_driver_value(table.c[name].type, dialect) for name in columns]
    converted = [(n, convert) for n, convert in enumerate(processors) if convert is not None]
    rows = []
    for record in records:
        row = [record[name] for name in columns]
        for n, convert in converted:
            row[n] = convert(row[n])
        rows.append(tuple(row))
    insert_rows(session, table, columns, rows)


def _driver_value(column_type: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """How a value of ``column_type`` is handed to the driver (None: as it is)."""
    if dialect.name == "postgresql" and isinstance(column_type, JSON):
        # psycopg's dialect leaves JSON to a parameter adapter, which COPY does not use: the text goes in.
        # Python's None is JSON's null, as SQLAlchemy stores it (the columns do not set none_as_null).
        return json.dumps
    return column_type.bind_processor(dialect)


def inserted_id(result: Result[Any]) -> int:
    """The primary key a single-row Core ``INSERT`` run through a session gave its row."""
    key = cast(CursorResult[Any], result).inserted_primary_key
    if key is None or key[0] is None:
        raise RuntimeError("the insert returned no primary key")
    return int(key[0])


# --- what the database driver says, for the user ---------------------------------------------------

# SQLite's result codes (Python's sqlite3 names them) and PostgreSQL's SQLSTATEs for the states of a database a
# user can fix or must know about, each with the message that says so.
_SQLITE_READONLY_FOLDER = ("SQLITE_READONLY_DIRECTORY", "SQLITE_READONLY_CANTINIT")
_PG_READ_ONLY = "25006"
_PG_DISK_FULL = "53100"
_PG_UNDEFINED_TABLE = "42P01"


def driver_error(engine: Engine, exc: DBAPIError) -> ProvenanceError | None:
    """What a driver error means for the user, as one :class:`ProvenanceError` (None: a bug, to show as one).

    The one place that reads the drivers' errors: a file that is not a database, a damaged one, a full disk, a
    read-only database or folder, a missing table, a locked database.
    """
    orig = exc.orig
    where = describe_url(engine.url)
    message = " ".join(str(orig).split())
    name = str(getattr(orig, "sqlite_errorname", ""))
    sqlstate = getattr(orig, "sqlstate", None)
    missing = re.match(r"(?:no such table|relation \"?([^\" ]+)\"? does not exist)[: ]*(\S*)", message)
    if name in _SQLITE_READONLY_FOLDER:
        file = engine.url.database
        return ProvenanceError(
            f"cannot use database {where}: its folder is read-only, and SQLite needs to create {file}-wal and "
            f"{file}-shm beside it; nothing was changed; copy the database to a folder you can write to"
        )
    if name.startswith("SQLITE_READONLY") or sqlstate == _PG_READ_ONLY:
        return ProvenanceError(
            f"database {where} is read-only ({message}); nothing was saved; this command writes to the database: "
            "get write access to it, or work on a copy"
        )
    if name == "SQLITE_FULL" or sqlstate == _PG_DISK_FULL:
        return ProvenanceError(
            f"no room to write to database {where} ({message}); nothing was saved; free some disk space and run "
            "the command again"
        )
    if name == "SQLITE_NOTADB":
        return Invalid(
            f"{engine.url.database} is not a SQLite database ({message}); nothing was changed; check the --db "
            "path, or restore the database from a backup"
        )
    if name.startswith("SQLITE_CORRUPT"):
        return Invalid(
            f"database {where} is damaged ({message}); nothing was changed; restore it from a backup (`sqlite3 "
            f"{engine.url.database} .recover` may save what is left)"
        )
    if missing is not None and (name == "SQLITE_ERROR" or sqlstate == _PG_UNDEFINED_TABLE):
        table = missing[1] or missing[2]
        return SchemaMismatch(
            f"database {where} has no table {table}: it is damaged or not a provenance database; nothing was "
            "changed; restore it from a backup (`provenance verify` lists what else is missing)"
        )
    if name.startswith("SQLITE_BUSY") or "database is locked" in message:
        return _busy(engine)
    return _timed_out(engine, exc)


@contextmanager
def driver_errors(engine: Engine) -> Iterator[None]:
    """Turn a driver error raised in the block into the user's one line (:func:`driver_error`), if it is one."""
    try:
        yield
    except DBAPIError as exc:
        translated = driver_error(engine, exc)
        if translated is None:
            raise
        raise translated from exc


# --- migrations ---------------------------------------------------------------------------------------

# Full-text search lives outside the models: FTS5 virtual tables (and their shadow tables) on SQLite; on PostgreSQL,
# the generated column passage.search_vector and GIN indexes. Made by the migrations; comparisons of models and
# migrations leave them out.
SEARCH_OBJECTS = ("passage_search", "claim_search", "ix_passage_search", "ix_claim_search", "search_vector")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's filter: everything but the full-text search objects."""
    return not (name or "").startswith(SEARCH_OBJECTS)


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resource_dir("migrations")))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


# Alembic's table holding the revision a database is at.
VERSION_TABLE = "alembic_version"
_REVISION_LINE = re.compile(r"^(down_revision|revision)\b[^=\n]*=\s*(.+)$", re.MULTILINE)


@cache
def known_revisions() -> dict[str, tuple[str, ...]]:
    """Every schema revision in migrations/versions/, each with the revisions it follows, read from the
    ``revision = "..."`` and ``down_revision = ...`` lines of the migration files without loading Alembic (which
    takes longer to load than most commands take to run; tests/test_startup.py checks that Alembic agrees)."""
    graph: dict[str, tuple[str, ...]] = {}
    for path in sorted((resource_dir("migrations") / "versions").glob("*.py")):
        lines = _REVISION_LINE.findall(path.read_text())
        values = {name: re.findall(r"[\"']([^\"']+)[\"']", value) for name, value in lines}
        if "revision" in values:
            (revision,) = values["revision"]
            graph[revision] = tuple(values.get("down_revision", ()))
    return graph


def head_revision() -> str:
    """The latest schema revision: the one no other revision follows."""
    graph = known_revisions()
    followed = {down for downs in graph.values() for down in downs}
    heads = [revision for revision in graph if revision not in followed]
    assert len(heads) == 1, f"the migrations folder should have one latest revision, not {heads}"
    return heads[0]


def _open(engine: Engine) -> Connection:
    """A connection, or one clear error when the database cannot be reached (no server, no such folder) or is
    not a database (see :func:`driver_error`)."""
    try:
        return engine.connect()
    except DBAPIError as exc:
        raise driver_error(engine, exc) or ProvenanceError(
            f"cannot open database {describe_url(engine.url)}: {exc.orig}"
        ) from exc


@contextmanager
def _connect(engine: Engine) -> Iterator[Connection]:
    with _open(engine) as connection, driver_errors(engine), connection.begin():
        yield connection


def current_revision(engine: Engine) -> str | None:
    """The revision stamped in the database's Alembic version table (None: no table or no revision yet), read with
    plain SQL, as Alembic's ``MigrationContext.get_current_revision`` reads it, without loading Alembic."""
    with _connect(engine) as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        stamped = list(connection.execute(sql_text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())
    if len(stamped) > 1:
        raise SchemaMismatch(
            f"database {describe_url(engine.url)} is stamped with several schema revisions ({', '.join(stamped)}), "
            "which provenance never does; restore it from a backup"
        )
    return stamped[0] if stamped else None


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """A connection for migrations. On SQLite, foreign keys are not enforced while batch operations copy and
    replace tables (a referenced table cannot otherwise be dropped and recreated), then checked before commit."""
    sqlite = engine.url.get_backend_name() == "sqlite"
    with _open(engine) as connection, driver_errors(engine):
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            connection.commit()
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise ProvenanceError(f"migration left {len(broken)} broken references; nothing was changed")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys = ON")
                connection.commit()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate up to ``revision``; returns the revision before and after."""
    before = check_known_revision(engine)
    _check_target(revision)
    from alembic import command

    with _migrating(engine) as connection:
        command.upgrade(alembic_config(connection), revision)
        if revision == "head" or revision == head_revision():
            _require_tables(engine, connection)
    return before, current_revision(engine)


def _require_tables(engine: Engine, connection: Connection) -> None:
    """Refuse a database at the latest schema that lacks some of its tables (dropped by hand, or damaged)."""
    from provenance.models import Base  # here: only migrations need the models, and they load slowly

    missing = sorted(set(Base.metadata.tables) - set(inspect(connection).get_table_names()))
    if missing:
        raise SchemaMismatch(
            f"database {describe_url(engine.url)} is at schema {head_revision()} but has no table "
            f"{', '.join(missing)}: it is damaged; nothing was changed; restore it from a backup (`provenance "
            "verify` lists what else is wrong)"
        )


def downgrade_losses(engine: Engine, revision: str) -> str | None:
    """What migrating down to ``revision`` destroys, for the user to confirm (None: nothing, it is there already).

    Every downgrade that undoes a revision counts: most drop a table or a column and the data in it, and "base"
    drops every table, the audit log included.
    """
    require_existing(engine)
    current = check_known_revision(engine)
    _check_target(revision)
    if current is None:
        return None
    if revision == "base":
        return (
            f"downgrading {describe_url(engine.url)} to base drops every table and all the data in them, the audit "
            "log included"
        )
    undone = [script.revision for script in script_directory().iterate_revisions(current, revision)]
    if not undone:
        return None
    return (
        f"downgrading {describe_url(engine.url)} to {revision} undoes schema revision(s) {', '.join(undone)}, "
        "dropping the tables and columns they added and the data in them"
    )


def backup_advice(engine: Engine) -> str:
    """How to copy the database first, in the words of its own tools."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        file = shlex.quote(str(url.database))
        backup = shlex.quote(f".backup {url.database}.bak")
        return f"back up first: sqlite3 {file} {backup} (or copy {file} while no command uses it)"
    dump = shlex.quote(url.set(drivername="postgresql").render_as_string(hide_password=True))
    return f"back up first: pg_dump --format=custom --file={shlex.quote(f'{url.database}.dump')} {dump}"


def downgrade(engine: Engine, revision: str, *, confirmed: bool = False) -> tuple[str | None, str | None]:
    """Migrate down to ``revision`` ("base" removes every table). A downgrade that destroys data (see
    :func:`downgrade_losses`) is refused, changing nothing, unless the user has ``confirmed`` it."""
    losses = downgrade_losses(engine, revision)
    if losses is not None and not confirmed:
        raise ProvenanceError(f"{losses}; {backup_advice(engine)}; then confirm with --yes")
    before = check_known_revision(engine)
    from alembic import command

    with _migrating(engine) as connection:
        command.downgrade(alembic_config(connection), revision)
    return before, current_revision(engine)


def _check_target(revision: str) -> None:
    if revision in ("head", "base"):
        return
    try:
        found = script_directory().get_revision(revision)
    except Exception as exc:  # alembic raises several kinds for bad or ambiguous ids
        raise NotFound(f"no schema revision {revision!r}; `provenance db history` lists them") from exc
    if found is None:
        raise NotFound(f"no schema revision {revision!r}; `provenance db history` lists them")


def check_known_revision(engine: Engine) -> str | None:
    """The database's revision, refusing one this version of provenance does not know (a newer schema)."""
    revision = current_revision(engine)
    if revision is not None and revision not in known_revisions():
        raise SchemaMismatch(
            f"database {describe_url(engine.url)} is at schema revision {revision}, newer than this "
            f"provenance knows (latest {head_revision()}); upgrade provenance to use it"
        )
    return revision


def require_existing(engine: Engine) -> None:
    """Refuse a SQLite file that does not exist, rather than let connecting create an empty one."""
    database = engine.url.database
    is_file = engine.url.get_backend_name() == "sqlite" and database and database != ":memory:"
    if is_file and engine.url.query.get("uri") == "true" and str(database).startswith("file:"):
        # a SQLite URI (sqlite:///file:desk.db?mode=ro&uri=true opens desk.db read-only): its file's path
        database = unquote(str(database).removeprefix("file:").partition("?")[0]) or ":memory:"
        is_file = database != ":memory:"
    if is_file and not Path(str(database)).exists():
        raise NotFound(f"no database file {database}; run `provenance init` to create it, or pass --db")


def require_current_schema(engine: Engine) -> None:
    """Refuse to work on a database without provenance's tables, or with an older or newer schema."""
    require_existing(engine)
    revision = check_known_revision(engine)
    if revision is None:
        with _connect(engine) as connection:
            has_tables = bool(set(inspect(connection).get_table_names()) - {"alembic_version"})
        what = "has tables but no provenance schema" if has_tables else "has no provenance schema yet"
        raise SchemaMismatch(f"database {describe_url(engine.url)} {what}; run `provenance init` first")
    if revision != head_revision():
        raise SchemaMismatch(
            f"database {describe_url(engine.url)} is at schema revision {revision}, older than this provenance "
            f"needs ({head_revision()}); run `provenance db upgrade`"
        )


def revision_history() -> list[dict[str, Any]]:
    """Every schema revision, newest first."""
    return [
        {"revision": r.revision, "down_revision": r.down_revision, "message": r.doc}
        for r in script_directory().walk_revisions()
    ]
