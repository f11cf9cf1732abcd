"""The lossless bundle: the whole database as one JSON document, and loading it into an empty database.

This is how a desk moves from a laptop's SQLite to a shared PostgreSQL (or back): ``provenance export bundle``
on one, ``provenance import`` on the other. The shape::

    {"format": "provenance-bundle", "version": 1, "schema_revision": "<alembic revision>",
     "tables": {"source": {"columns": ["id", "key", ...], "rows": [[1, "india-north-korea-2018", ...], ...]},
                ...}}

Every table of the schema is there, parents before children, rows in primary-key order, but for the ones that
only last a while (:data:`NOT_CARRIED`: sign-ins to the desk's server, API tokens, sign-in attempts): people sign
in again and make new tokens on the desk the bundle is loaded into. Values are JSON and
come back exactly: timestamps as ISO 8601 in UTC with the offset written out, dates as ``YYYY-MM-DD``, choices
(stance, status...) as the value stored, JSON columns as JSON, numbers as Python writes them (``repr``, which
reads back to the same float), missing values as ``null``.

One thing JSON cannot say by itself: a JSON column can hold SQL NULL or the JSON document ``null``. The
application writes the JSON ``null``, so that is what ``null`` means in a JSON column; the rare SQL NULL is
listed under the table's ``"sql_null"`` key (column name -> row indexes), which is left out when there is none.

The desk's accounts are carried, with their roles and password hashes: **a bundle is as secret as the database
itself**; keep it where the database's own backups are kept. So making a bundle and loading one each need the
permission to manage accounts (an admin on the desk's server; the command line's operator or declared name has
no role and may, as it may open the database itself). A loaded desk's people sign in with the passwords they had.

Loading refuses, with one message and nothing kept (the caller rolls back): anything that is not a bundle, a
newer format, a schema revision other than the database's (which must be the latest this code knows), a
database that already holds rows, damaged content, and a bundle whose event log does not hold (the events carry
their hash chain; the chain and the rows' logged states are checked as ``provenance verify`` checks them, so an
edited bundle is refused). Values are checked against their columns before they
are sent; the database's own constraints (foreign keys, unique keys, checks) catch the rest.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    Integer,
    LargeBinary,
    String,
    Table,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import Column
from sqlalchemy.types import TypeDecorator, TypeEngine

from provenance import access, datafile, db, integrity
from provenance.access import Permission
from provenance.errors import Conflict, Invalid, SchemaMismatch
from provenance.importer import read_text
from provenance.models import Base
from provenance.search import reindex

FORMAT = "provenance-bundle"
VERSION = 1
BATCH_ROWS = 1000  # rows fetched, checked and inserted at a time
_SHOWN_REASON_CHARS = 300
_INT_RANGE = (-(2**63), 2**63 - 1)  # what either database can hold in an integer column at most
# Tables a bundle leaves out: sign-ins and tokens last a while and are made again on the new desk (a token's
# secret is shown once, so it could not be given again anyway); sign-in attempts only slow down guessing.
NOT_CARRIED = frozenset({"desk_session", "api_token", "sign_in_attempt"})

# Rows counted in words (a summary, the "not empty" refusal), most telling first; other tables count as "rows".
_NOUNS = {
    "claim": ("claim", "claims"),
    "source": ("source", "sources"),
    "passage": ("passage", "passages"),
    "evidence": ("evidence", "evidence"),
    "contradiction": ("contradiction", "contradictions"),
    "entity": ("entity", "entities"),
    "entity_alias": ("entity alias", "entity aliases"),
    "claim_entity": ("claim-entity link", "claim-entity links"),
    "event": ("event", "events"),
}


@dataclass(frozen=True)
class BundleSummary:
    """What a bundle load put in the database: rows per table, in the order they were inserted."""

    schema_revision: str
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def describe(self) -> str:
        """The rows in words, most telling first: "12 claims, 2 sources, 73 passages, ..." (or "no rows")."""
        return _describe_counts(self.rows)


def _describe_counts(counts: dict[str, int]) -> str:
    held = {name: n for name, n in counts.items() if n}
    order = [name for name in _NOUNS if name in held] + [name for name in held if name not in _NOUNS]
    parts = []
    for name in order:
        singular, plural = _NOUNS.get(name, (f"{name} row", f"{name} rows"))
        parts.append(f"{held[name]} {singular if held[name] == 1 else plural}")
    return ", ".join(parts) or "no rows"


class _Damaged(Exception):
    """A value or shape in the bundle that this schema cannot take (turned into Invalid with its place)."""


# --- values -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Codec:
    encode: Callable[[Any], Any]  # database value (not None) -> JSON value
    decode: Callable[[Any], Any]  # JSON value (not None) -> database value; raises _Damaged


def _shown(value: Any) -> str:
    shown = json.dumps(value, ensure_ascii=False, default=repr)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _decode_int(value: Any) -> int:
    if type(value) is not int:
        raise _Damaged(f"should be a whole number, not {_shown(value)}")
    if not _INT_RANGE[0] <= value <= _INT_RANGE[1]:
        raise _Damaged(f"{value} is too large for a database integer")
    return value


def _decode_bool(value: Any) -> bool:
    if type(value) is not bool:
        raise _Damaged(f"should be true or false, not {_shown(value)}")
    return value


def _decode_float(value: Any) -> float:
    if type(value) not in (int, float):
        raise _Damaged(f"should be a number, not {_shown(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise _Damaged(f"{value} is too large for a number column") from None
    if not math.isfinite(number):
        raise _Damaged(f"should be a finite number, not {value}")
    return number


def _decode_str(value: Any) -> str:
    if not isinstance(value, str):
        raise _Damaged(f"should be text, not {_shown(value)}")
    return value


def _decode_bytes(value: Any) -> bytes:
    try:
        return base64.b64decode(_decode_str(value), validate=True)
    except binascii.Error as exc:
        raise _Damaged(f"should be base64, not {_shown(value)}") from exc


def _decode_date(value: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(_decode_str(value))
    except ValueError:
        raise _Damaged(f"should be a date (YYYY-MM-DD), not {_shown(value)}") from None


def _datetime_codec(timezone: bool) -> _Codec:
    def encode(value: dt.datetime) -> str:
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat(timespec="microseconds")

    def decode(value: Any) -> dt.datetime:
        try:
            parsed = dt.datetime.fromisoformat(_decode_str(value))
        except ValueError:
            raise _Damaged(f"should be an ISO 8601 timestamp, not {_shown(value)}") from None
        if timezone and parsed.tzinfo is None:
            raise _Damaged(f"should be a timestamp with its UTC offset, not {_shown(value)}")
        if not timezone and parsed.tzinfo is not None:
            raise _Damaged(f"should be a timestamp without an offset, not {_shown(value)}")
        return parsed.astimezone(dt.UTC) if timezone else parsed

    return _Codec(encode, decode)


def _enum_codec(type_: Enum) -> _Codec:
    allowed = list(type_.enums)
    members = type_.enum_class

    def encode(value: Any) -> str:
        return str(value.value if isinstance(value, enum.Enum) else value)

    def decode(value: Any) -> Any:
        if value not in allowed:
            raise _Damaged(f"should be one of {', '.join(allowed)}, not {_shown(value)}")
        return members(value) if members is not None else value

    return _Codec(encode, decode)


def _check_json(value: Any, depth: int = 0) -> None:
    """Only what JSON itself can hold (a bundle read as YAML could hold dates; Python's json reads NaN)."""
    if depth > 100:
        raise _Damaged("JSON nested too deeply")
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Damaged(f"JSON cannot hold {value}")
    elif isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Damaged(f"JSON object keys must be text, not {key!r}")
            _check_json(item, depth + 1)
    else:
        raise _Damaged(f"should be JSON, not {type(value).__name__} {value!r}")


def _decode_json(value: Any) -> Any:
    _check_json(value)
    return value


_JSON_CODEC = _Codec(lambda value: value, _decode_json)


def _codec(column: Column[Any]) -> _Codec:
    """How one column's values go to JSON and back; a column type added to the schema must be added here."""
    type_: TypeEngine[Any] = column.type
    if isinstance(type_, TypeDecorator):  # UTCDateTime: values pass through it, so it is judged by its impl
        type_ = type_.impl_instance
    if isinstance(type_, JSON):
        return _JSON_CODEC
    if isinstance(type_, Enum):  # before String: an Enum is a String
        return _enum_codec(type_)
    if isinstance(type_, DateTime):
        return _datetime_codec(bool(type_.timezone))
    if isinstance(type_, Date):
        return _Codec(lambda value: value.isoformat(), _decode_date)
    if isinstance(type_, Boolean):
        return _Codec(bool, _decode_bool)
    if isinstance(type_, Float):
        return _Codec(float, _decode_float)
    if isinstance(type_, Integer):
        return _Codec(int, _decode_int)
    if isinstance(type_, String):
        return _Codec(str, _decode_str)
    if isinstance(type_, LargeBinary):  # bytes as base64 text
        return _Codec(lambda value: base64.b64encode(value).decode("ascii"), _decode_bytes)
    raise TypeError(f"the bundle has no codec for {column.table.name}.{column.name} ({column.type!r}); add one")


def _tables() -> list[Table]:
    """The tables a bundle carries, parents first."""
    return [table for table in Base.metadata.sorted_tables if table.name not in NOT_CARRIED]


def _is_json(column: Column[Any]) -> bool:
    type_ = column.type
    return isinstance(type_.impl_instance if isinstance(type_, TypeDecorator) else type_, JSON)


# --- schema revision ------------------------------------------------------------------------------------


def _database_revision(session: Session) -> str:
    """The database's schema revision, which must be the latest this code knows (the models describe it)."""
    revision = MigrationContext.configure(session.connection()).get_current_revision()
    head = db.head_revision()
    if revision is None:
        raise SchemaMismatch("this database has no provenance schema yet; run `provenance init` first")
    if revision != head:
        known = {r.revision for r in db.script_directory().walk_revisions()}
        if revision not in known:
            raise SchemaMismatch(
                f"this database is at schema revision {revision}, newer than this provenance knows (latest "
                f"{head}); upgrade provenance"
            )
        raise SchemaMismatch(
            f"this database is at schema revision {revision}, older than this provenance needs ({head}); "
            "run `provenance db upgrade` first"
        )
    return revision


# --- dump -----------------------------------------------------------------------------------------------


def _read_snapshot(session: Session) -> None:
    """On PostgreSQL, read every table in one snapshot, so rows added meanwhile by others cannot leave a child
    without its parent. Only possible before the session's transaction has begun; otherwise it is as it is."""
    if not session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


@dataclass
class _TableDump:
    table: Table
    columns: list[str]
    sql_null: dict[str, list[int]]  # filled in as the rows are read


def _table_rows(session: Session, table: Table, out: _TableDump) -> Iterator[list[Any]]:
    columns = list(table.columns)
    codecs = [_codec(column) for column in columns]
    json_columns = [column for column in columns if _is_json(column)]
    statement = select(
        *columns, *(column.is_(None).label(f"sql_null_{n}") for n, column in enumerate(json_columns))
    ).order_by(*table.primary_key.columns)
    result = session.execute(statement, execution_options={"yield_per": BATCH_ROWS})
    width = len(columns)
    for index, row in enumerate(result):
        values = [
            None if value is None else codec.encode(value) for value, codec in zip(row[:width], codecs, strict=True)
        ]
        for column, is_sql_null in zip(json_columns, row[width:], strict=True):
            if is_sql_null:
                out.sql_null.setdefault(column.name, []).append(index)
        yield values


def _dumps_of_tables(session: Session) -> Iterator[tuple[_TableDump, Iterator[list[Any]]]]:
    for table in _tables():
        out = _TableDump(table, [column.name for column in table.columns], {})
        yield out, _table_rows(session, table, out)


def dump(session: Session) -> dict[str, Any]:
    """The whole database as a bundle (a JSON-ready dict). Reads only; needs the permission to manage accounts
    (the bundle holds their password hashes)."""
    access.require(Permission.MANAGE_ACCOUNTS)
    _read_snapshot(session)
    revision = _database_revision(session)
    tables: dict[str, Any] = {}
    for out, rows in _dumps_of_tables(session):
        entry: dict[str, Any] = {"columns": out.columns, "rows": list(rows)}
        if out.sql_null:
            entry["sql_null"] = out.sql_null
        tables[out.table.name] = entry
    return {"format": FORMAT, "version": VERSION, "schema_revision": revision, "tables": tables}


def iter_dumps(session: Session) -> Iterator[str]:
    """The bundle as JSON text, in pieces (one row a line), without holding the whole database in memory.
    ``"".join(iter_dumps(session))`` is :func:`dumps`; its JSON is exactly :func:`dump`."""
    access.require(Permission.MANAGE_ACCOUNTS)
    _read_snapshot(session)
    revision = _database_revision(session)
    head = {"format": FORMAT, "version": VERSION, "schema_revision": revision}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "tables": {'
    for n, (out, rows) in enumerate(_dumps_of_tables(session)):
        yield ("," if n else "") + f"\n{json.dumps(out.table.name)}: {{"
        yield f'"columns": {json.dumps(out.columns)}, "rows": ['
        for m, row in enumerate(rows):
            yield ("," if m else "") + "\n" + json.dumps(row, ensure_ascii=False, allow_nan=False)
        yield "]"
        if out.sql_null:
            yield f', "sql_null": {json.dumps(out.sql_null)}'
        yield "}"
    yield "\n}}\n"


def dumps(session: Session) -> str:
    """The whole database as bundle JSON text (UTF-8 when written; one row a line). Reads only."""
    return "".join(iter_dumps(session))


# --- load -----------------------------------------------------------------------------------------------


def is_bundle(data: object) -> bool:
    """Whether ``data`` (a parsed JSON or YAML document) says it is a bundle rather than a claims file."""
    return isinstance(data, dict) and data.get("format") == FORMAT


def read_file(path: Path) -> Any:
    """A bundle file's JSON, with the place of any syntax error (a truncated file ends before it should)."""
    raw = read_text(path, "bundle file")
    try:
        return datafile.loads_json(raw, path, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise Invalid(
            f"{path} line {exc.lineno}, column {exc.colno}: {exc.msg}; the bundle is damaged or cut short, "
            "export it again"
        ) from exc


def _refuse_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not JSON", name, 0)


def load_file(session: Session, path: Path) -> BundleSummary:
    """:func:`load` the bundle in the JSON file at ``path``."""
    return load(session, read_file(path))


def load(session: Session, data: dict[str, Any]) -> BundleSummary:
    """Insert every row of the bundle ``data``, keeping its ids, into the session's empty database.

    Runs in the caller's transaction: the caller commits, or rolls back on any error so that nothing is kept.
    Needs the permission to manage accounts: the bundle brings the desk's accounts and roles.
    """
    access.require(Permission.MANAGE_ACCOUNTS)
    revision = _check_header(data)
    plans = _check_tables(data["tables"])
    database_revision = _database_revision(session)
    if revision != database_revision:
        raise SchemaMismatch(
            f"the bundle was exported at schema revision {revision}, older than this database's "
            f"{database_revision}; run `provenance db upgrade` on the database it came from and export it again"
        )
    _check_empty(session)
    rows: dict[str, int] = {}
    for plan in plans:
        rows[plan.table.name] = _insert(session, plan)
    if session.get_bind().dialect.name == "postgresql":
        _reset_sequences(session)
    else:
        reindex(session)  # SQLite's search index takes inserted sentences from the domain layer, not a trigger
    _check_log(session)
    return BundleSummary(schema_revision=revision, rows=rows)


def _check_log(session: Session) -> None:
    """The bundle's event log must be one unbroken hash chain, and its claims, evidence, contradictions and
    sources what the log says they last became: a bundle edited after it was exported is refused."""
    broken = integrity.log_problems(session)
    if not broken:
        return
    first = broken[0]
    more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
    raise Invalid(
        f"damaged bundle: its event log does not hold: {first.subject}: {first.what}{more}; the bundle was changed "
        "after it was exported: export it again from the desk's database; nothing was imported"
    )


def _check_header(data: Any) -> str:
    if not is_bundle(data):
        raise Invalid(
            f'not a provenance bundle: it has no "format": "{FORMAT}"; a bundle is what '
            "`provenance export bundle` writes"
        )
    version = data.get("version")
    if type(version) is not int or version < 1:
        raise Invalid(f"damaged bundle: its version should be a whole number from 1, not {_shown(version)}")
    if version > VERSION:
        raise SchemaMismatch(
            f"this bundle is format version {version}, newer than this provenance reads (up to {VERSION}); "
            "upgrade provenance to import it"
        )
    revision = data.get("schema_revision")
    if not isinstance(revision, str) or not revision:
        raise Invalid(f"damaged bundle: schema_revision should be a revision id, not {_shown(revision)}")
    known = {r.revision for r in db.script_directory().walk_revisions()}
    if revision not in known:
        raise SchemaMismatch(
            f"the bundle was exported at schema revision {revision}, which this provenance does not know (its "
            f"latest is {db.head_revision()}): it comes from a newer provenance; upgrade provenance to import it"
        )
    unknown = sorted(set(data) - {"format", "version", "schema_revision", "tables"})
    if unknown:
        raise Invalid(f"damaged bundle: unknown top-level key {', '.join(map(repr, unknown))}")
    if not isinstance(data.get("tables"), dict):
        raise Invalid('damaged bundle: it has no "tables" object')
    return revision


@dataclass(frozen=True)
class _Plan:
    """How to read one table's rows: bundle column positions in the table's own column order."""

    table: Table
    positions: list[int]
    codecs: list[_Codec]
    nullable: list[bool]
    width: int
    rows: list[Any]
    sql_null: dict[str, list[int]]


def _check_tables(tables: dict[str, Any]) -> list[_Plan]:
    """The shape of every table (not yet its values), in the order the rows go in: parents first."""
    expected = {table.name for table in _tables()}
    missing = sorted(expected - set(tables))
    if missing:
        raise Invalid(f"damaged bundle: table {', '.join(missing)} missing; export it again")
    unknown = sorted(set(tables) - expected)
    left_out = [name for name in unknown if name in NOT_CARRIED]
    if left_out:
        raise Invalid(
            f"damaged bundle: table {', '.join(left_out)} is never carried in a bundle (sign-ins and tokens are made "
            "again on the new desk); export it again"
        )
    if unknown:
        raise Invalid(f"damaged bundle: table {', '.join(unknown)} is not in this schema")
    return [_check_table(table, tables[table.name]) for table in _tables()]


def _check_table(table: Table, entry: Any) -> _Plan:
    where = f"damaged bundle: table {table.name}"
    if not isinstance(entry, dict):
        raise Invalid(f"{where} should be an object with columns and rows")
    unknown = sorted(set(entry) - {"columns", "rows", "sql_null"})
    if unknown:
        raise Invalid(f"{where}: unknown key {', '.join(map(repr, unknown))}")
    names = entry.get("columns")
    rows = entry.get("rows")
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise Invalid(f"{where}: columns should be a list of column names")
    if not isinstance(rows, list):
        raise Invalid(f"{where}: rows should be a list")
    columns = list(table.columns)
    wanted = [column.name for column in columns]
    missing = [name for name in wanted if name not in names]
    extra = [name for name in names if name not in wanted]
    if missing or extra or len(names) != len(set(names)):
        problems = [f"missing {', '.join(missing)}"] if missing else []
        problems += [f"not in this schema: {', '.join(extra)}"] if extra else []
        problems += [] if problems else ["a column is named twice"]
        raise Invalid(f"{where}: columns {'; '.join(problems)}")
    sql_null = entry.get("sql_null", {})
    json_names = {column.name for column in columns if _is_json(column)}
    if not isinstance(sql_null, dict) or not all(
        name in json_names and isinstance(indexes, list) and all(type(i) is int and 0 <= i < len(rows) for i in indexes)
        for name, indexes in sql_null.items()
    ):
        raise Invalid(f"{where}: sql_null should map JSON columns to row indexes")
    return _Plan(
        table=table,
        positions=[names.index(name) for name in wanted],
        codecs=[_codec(column) for column in columns],
        nullable=[bool(column.nullable) for column in columns],
        width=len(names),
        rows=rows,
        sql_null=sql_null,
    )


def _decoded(plan: _Plan, index: int, row: Any) -> dict[str, Any]:
    table = plan.table
    where = f"damaged bundle: tables.{table.name}.rows[{index}]"
    if not isinstance(row, list) or len(row) != plan.width:
        size = f"{len(row)} values" if isinstance(row, list) else _shown(row)
        raise Invalid(f"{where}: a row should be a list of {plan.width} values (one per column), not {size}")
    values: dict[str, Any] = {}
    for column, position, codec, nullable in zip(
        table.columns, plan.positions, plan.codecs, plan.nullable, strict=True
    ):
        value = row[position]
        try:
            if value is None:
                if not nullable:
                    raise _Damaged("must have a value, not null")
                values[column.name] = None
            else:
                values[column.name] = codec.decode(value)
        except _Damaged as exc:
            raise Invalid(f"{where}: column {column.name} {exc}") from None
    return values


def _batches(items: Iterable[Any], size: int) -> Iterator[list[tuple[int, Any]]]:
    batch: list[tuple[int, Any]] = []
    for item in enumerate(items):
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(session: Session, plan: _Plan) -> int:
    table = plan.table
    try:
        # A JSON column's SQL NULL (as opposed to JSON null) is written by leaving the column out of the INSERT,
        # never by updating the row afterwards: some tables (the event log) refuse updates.
        null_columns: dict[int, set[str]] = {}
        for name, indexes in plan.sql_null.items():
            for index in indexes:
                null_columns.setdefault(index, set()).add(name)
        for batch in _batches(plan.rows, BATCH_ROWS):
            groups: dict[frozenset[str], list[dict[str, Any]]] = {}
            for index, row in batch:
                left_out = frozenset(null_columns.get(index, ()))
                values = _decoded(plan, index, row)
                groups.setdefault(left_out, []).append({k: v for k, v in values.items() if k not in left_out})
            for rows in groups.values():
                session.execute(insert(table), rows)
    except (IntegrityError, DataError) as exc:
        raise Invalid(
            f"damaged bundle: the database refused the rows of table {table.name} ({_reason(exc)}); "
            "nothing was imported"
        ) from exc
    except StatementError as exc:
        if isinstance(exc, DBAPIError):  # a lost connection or a locked file is not the bundle's fault
            raise
        raise Invalid(
            f"damaged bundle: a value in table {table.name} cannot be stored ({_reason(exc)}); nothing was imported"
        ) from exc
    return len(plan.rows)


def _reason(exc: StatementError) -> str:
    reason = " ".join(str(exc.orig).split())
    return reason if len(reason) <= _SHOWN_REASON_CHARS else reason[: _SHOWN_REASON_CHARS - 3] + "..."


def _check_empty(session: Session) -> None:
    counts = {table.name: session.scalar(select(func.count()).select_from(table)) or 0 for table in _tables()}
    if any(counts.values()):
        raise Conflict(
            f"import a bundle into an empty database; this one has {_describe_counts(counts)}. Create a new "
            "database (`provenance --db NEW init`) and import the bundle there"
        )


def _reset_sequences(session: Session) -> None:
    """Point each id sequence past the ids the bundle brought, so the next row gets max(id) + 1.

    The table name is given unqualified to pg_get_serial_sequence, so the search_path finds it in whatever
    schema the database uses."""
    preparer = session.get_bind().dialect.identifier_preparer
    for table in _tables():
        column = table.autoincrement_column
        if column is None:
            continue
        name, key = preparer.format_table(table), preparer.quote(column.name)
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), COALESCE(MAX({key}), 1), "
                f"MAX({key}) IS NOT NULL) FROM {name}"
            ),
            {"table": name, "column": column.name},
        )
