"""Bundles: the whole database out as JSON and back into an empty database, row for row, on either backend,
and every bad bundle refused with nothing kept."""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO_CLAIMS, PG_SKIP_REASON, PG_URL, Provenance, row_counts
from sqlalchemy import JSON, Table, create_engine, null, select, text
from sqlalchemy.orm import Session

from provenance import bundle, claims, db, events
from provenance.documents import document_from_text
from provenance.errors import Conflict, Invalid, NotFound, SchemaMismatch
from provenance.importer import import_claims_file, parse_claims_file
from provenance.models import (
    Base,
    Claim,
    ClaimStatus,
    Contradiction,
    Entity,
    Event,
    Evidence,
    Passage,
    Source,
    Verdict,
)
from provenance.search import search_passages
from provenance.sources import add_source

TABLES = [table.name for table in Base.metadata.sorted_tables if table.name not in bundle.NOT_CARRIED]
EMPTY = dict.fromkeys(Base.metadata.tables, 0)
DUCK_TIME = dt.datetime(2024, 2, 29, 12, 0, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))


# --- databases ----------------------------------------------------------------------------------------


@contextmanager
def _opened(url: str) -> Iterator[Session]:
    engine = db.make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()


@contextmanager
def _database_at_head(backend: str, folder: Path) -> Iterator[str]:
    """A database of its own at the latest schema with no rows: a SQLite file, or a PostgreSQL schema."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / f'{uuid.uuid4().hex[:8]}.db'}"
        engine = db.make_engine(url)
        db.upgrade(engine)
        engine.dispose()
        yield url
        return
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(db.resolve_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = (
            db.resolve_url(PG_URL)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
        engine = db.make_engine(url)
        db.upgrade(engine)
        engine.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def new_database(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Makes empty databases at the latest schema on either backend (skipping when PostgreSQL is not set up)."""
    with ExitStack() as stack:

        def make(backend: str) -> str:
            if backend == "postgresql" and not PG_URL:
                pytest.skip(PG_SKIP_REASON)
            return stack.enter_context(_database_at_head(backend, tmp_path))

        yield make


def _add_awkward_rows(url: str) -> None:
    """Values that are easy to get wrong: float digits, exponents, offsets, microseconds, astral characters,
    empty and nested JSON, SQL NULL beside JSON null, a source without a date, a reviewed claim."""
    with _opened(url) as session:
        add_source(session, document_from_text("Undated text. 🦆 Second sentence.", name="inline"), key="undated")
        session.add_all(
            [
                Claim(
                    key="awkward",
                    statement='Ünïcode 🦆 "quotes", a back\\slash\nand a new line',
                    status=ClaimStatus.PUBLISHED,
                    verdict=Verdict.MOSTLY_FALSE,
                    confidence=0.1 + 0.2,
                    created_at=dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
                    updated_at=DUCK_TIME,
                ),
                Claim(
                    key="tiny",
                    statement="Almost impossible",
                    confidence=1e-07,
                    created_at=DUCK_TIME,
                    updated_at=DUCK_TIME,
                ),
                Event(
                    occurred_at=DUCK_TIME,
                    actor="tester",
                    action="test.json",
                    subject_type="claim",
                    subject_key="awkward",
                    before=None,
                    after={"nested": [1, 2.5, None, {"é": "🦆"}], "empty": {}, "list": [], "big": 2**53 + 1},
                ),
            ]
        )
        session.flush()
        # through the ORM, so that the commit seals it into the log's chain as any event
        session.add(
            Event(
                occurred_at=DUCK_TIME,
                actor="tester",
                action="test.sql_null",
                subject_type="claim",
                subject_key="awkward",
                before=null(),
                after=null(),
            )
        )
        session.commit()


def _seed(url: str) -> None:
    with _opened(url) as session:
        import_claims_file(session, DEMO_CLAIMS)
        session.commit()
    _add_awkward_rows(url)


def _dump(url: str) -> dict[str, Any]:
    with _opened(url) as session:
        return bundle.dump(session)


def _load(url: str, data: dict[str, Any]) -> bundle.BundleSummary:
    with _opened(url) as session:
        summary = bundle.load(session, data)
        session.commit()
    return summary


def _carried(counts: dict[str, int]) -> dict[str, int]:
    """Row counts of the tables a bundle carries (sign-ins, tokens and sign-in attempts are left out)."""
    return {name: count for name, count in counts.items() if name not in bundle.NOT_CARRIED}


def _every_row(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, all columns, ordered by primary key, as SQLAlchemy reads them (aware UTC
    datetimes, enums, floats, decoded JSON), plus for each JSON column whether it is SQL NULL."""
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            rows = {}
            for table in (Base.metadata.tables[name] for name in TABLES):
                json_columns = [c for c in table.columns if isinstance(c.type, JSON)]
                statement = select(*table.columns, *(c.is_(None) for c in json_columns)).order_by(
                    *table.primary_key.columns
                )
                rows[table.name] = [tuple(row) for row in connection.execute(statement)]
            return rows
    finally:
        engine.dispose()


def _raw_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row as the database itself holds it: SQLite's stored values, PostgreSQL's text form of each row."""
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            rows = {}
            for table in (Base.metadata.tables[name] for name in TABLES):
                order = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
                if engine.dialect.name == "sqlite":
                    columns = ", ".join(f'"{c.name}"' for c in table.columns)
                    sql = f'SELECT {columns} FROM "{table.name}" ORDER BY {order}'
                else:
                    sql = f'SELECT CAST(t AS text) FROM "{table.name}" AS t ORDER BY {order}'
                rows[table.name] = [tuple(row) for row in connection.exec_driver_sql(sql)]
            return rows
    finally:
        engine.dispose()


def _assert_same_rows(expected: dict[str, list[tuple[Any, ...]]], actual: dict[str, list[tuple[Any, ...]]]) -> None:
    assert list(actual) == list(expected) == TABLES
    for name in TABLES:
        assert len(actual[name]) == len(expected[name]), name
        for want, got in zip(expected[name], actual[name], strict=True):
            assert got == want, f"table {name}"
            for value in got:
                if isinstance(value, dt.datetime):
                    assert value.utcoffset() == dt.timedelta(0), f"table {name}: {value!r} is not UTC-aware"


# --- round trips ------------------------------------------------------------------------------------


def test_the_demo_database_round_trips_row_for_row_into_a_fresh_database(
    seeded: Provenance, backend: str, new_database: Callable[[str], str]
) -> None:
    _add_awkward_rows(seeded.url)
    target = new_database(backend)
    data = _dump(seeded.url)

    summary = _load(target, data)

    assert summary.rows == _carried(row_counts(seeded.url))
    assert list(summary.rows) == TABLES
    assert summary.rows["claim"] == len(parse_claims_file(DEMO_CLAIMS).claims) + 2
    assert summary.schema_revision == db.head_revision()
    counts = row_counts(seeded.url)
    assert summary.describe().startswith(f"{counts['claim']} claims, {counts['source']} sources, ")
    assert summary.describe().endswith(f"{counts['claim_entity']} claim-entity links, {counts['event']} events")
    _assert_same_rows(_every_row(seeded.url), _every_row(target))
    assert _raw_rows(target) == _raw_rows(seeded.url)
    assert _dump(target) == data
    with _opened(seeded.url) as before, _opened(target) as after:
        for query in ("rodong", "suntech", "pyongyang"):
            assert search_passages(after, query) == search_passages(before, query) != []


@pytest.mark.parametrize(("origin", "destination"), [("sqlite", "postgresql"), ("postgresql", "sqlite")])
def test_a_bundle_moves_a_database_between_sqlite_and_postgresql(
    origin: str, destination: str, new_database: Callable[[str], str], tmp_path: Path
) -> None:
    source_url, target_url = new_database(origin), new_database(destination)
    _seed(source_url)
    path = tmp_path / "desk.json"
    with _opened(source_url) as session:
        path.write_text(bundle.dumps(session), encoding="utf-8")

    with _opened(target_url) as session:
        summary = bundle.load_file(session, path)
        session.commit()

    assert summary.rows == _carried(row_counts(source_url)) == _carried(row_counts(target_url))
    _assert_same_rows(_every_row(source_url), _every_row(target_url))
    assert _dump(target_url) == _dump(source_url)


def test_an_empty_database_round_trips(db_url: str, backend: str, new_database: Callable[[str], str]) -> None:
    data = _dump(db_url)
    assert data == {
        "format": "provenance-bundle",
        "version": 1,
        "schema_revision": db.head_revision(),
        "tables": {name: {"columns": data["tables"][name]["columns"], "rows": []} for name in TABLES},
    }
    target = new_database(backend)

    summary = _load(target, data)

    assert summary.rows == _carried(EMPTY) and summary.total == 0 and summary.describe() == "no rows"
    assert _dump(target) == data
    with _opened(target) as session:  # the sequences were set for an empty table: the first id is 1
        assert claims.add_claim(session, "first", "The first claim").id == 1
        session.commit()


def test_dumps_writes_the_json_of_dump_one_row_a_line(seeded: Provenance) -> None:
    _add_awkward_rows(seeded.url)
    with _opened(seeded.url) as session:
        written = bundle.dumps(session)
        pieces = "".join(bundle.iter_dumps(session))
        data = bundle.dump(session)
        rows = sum(session.scalar(text(f'SELECT count(*) FROM "{name}"')) or 0 for name in TABLES)

    assert json.loads(written) == data
    assert pieces == written
    assert written.startswith('{"format": "provenance-bundle", "version": 1, "schema_revision": ')
    assert "🦆" in written  # UTF-8 text, not \\u escapes
    assert len(written.splitlines()) == 2 + len(TABLES) + rows  # the header, a line a table, a line a row, the end


def test_tables_come_parents_first_and_rows_in_key_order(seeded: Provenance) -> None:
    data = _dump(seeded.url)
    assert list(data["tables"]) == TABLES
    assert TABLES.index("source") < TABLES.index("passage") < TABLES.index("evidence")
    assert TABLES.index("claim") < TABLES.index("claim_entity") and TABLES.index("entity") < TABLES.index(
        "claim_entity"
    )
    for name, table in data["tables"].items():
        keys = [c.name for c in Base.metadata.tables[name].primary_key.columns]
        at = [table["columns"].index(key) for key in keys]
        ids = [[row[i] for i in at] for row in table["rows"]]
        assert ids == sorted(ids), name
        assert table["columns"] == [c.name for c in Base.metadata.tables[name].columns]


def test_values_are_plain_json_that_reads_back_exactly(seeded: Provenance) -> None:
    _add_awkward_rows(seeded.url)
    data = _dump(seeded.url)

    def rows(name: str) -> list[dict[str, Any]]:
        table = data["tables"][name]
        return [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]

    awkward = next(row for row in rows("claim") if row["key"] == "awkward")
    assert awkward["confidence"] == 0.30000000000000004
    assert awkward["status"] == "published" and awkward["verdict"] == "mostly_false"
    assert awkward["created_at"] == "1999-12-31T23:59:59.000000+00:00"
    assert awkward["updated_at"] == "2024-02-29T06:30:00.123456+00:00"  # +05:30 stored as UTC
    assert next(row for row in rows("claim") if row["key"] == "tiny")["confidence"] == 1e-07
    sources = {row["key"]: row for row in rows("source")}
    assert sources["india-north-korea-2018"]["published"] == "2018-05-17"
    assert sources["undated"]["published"] is None
    assert {row["stance"] for row in rows("evidence")} <= {"supports", "contradicts", "mentions"}
    json_event = next(row for row in rows("event") if row["action"] == "test.json")
    assert json_event["after"]["nested"] == [1, 2.5, None, {"é": "🦆"}]
    assert json_event["after"]["big"] == 2**53 + 1
    sql_null_index = next(n for n, row in enumerate(rows("event")) if row["action"] == "test.sql_null")
    assert data["tables"]["event"]["sql_null"] == {"before": [sql_null_index], "after": [sql_null_index]}
    assert all("sql_null" not in table for name, table in data["tables"].items() if name != "event")


def test_sql_null_and_json_null_in_a_json_column_both_survive(
    db_url: str, backend: str, new_database: Callable[[str], str]
) -> None:
    _add_awkward_rows(db_url)
    target = new_database(backend)
    _load(target, _dump(db_url))
    with _opened(target) as session:
        found = session.execute(
            select(Event.action, Event.before.is_(None), Event.after.is_(None), Event.before)
            .where(Event.action.startswith("test."))
            .order_by(Event.id)
        ).all()
    assert [tuple(row) for row in found] == [("test.json", False, False, None), ("test.sql_null", True, True, None)]


def test_new_rows_after_an_import_get_the_next_ids(
    seeded: Provenance, backend: str, new_database: Callable[[str], str]
) -> None:
    target = new_database(backend)
    _load(target, _dump(seeded.url))
    before = {
        name: _max_id(target, name) for name in TABLES if Base.metadata.tables[name].autoincrement_column is not None
    }

    with _opened(target) as session:
        claim = claims.add_claim(session, "after-import", "Added after the import", about=["A New Entity", "China"])
        evidence = claims.add_evidence(
            session, "after-import", "india-medical-aid-2020", "India on Friday extended", stance="mentions"
        )
        contradiction = claims.add_contradiction(session, "after-import", "suntech-diversion")
        source = add_source(session, document_from_text("A new article. With two sentences.", name="new"), key="new")
        session.commit()
        new_entity = session.scalar(select(Entity).where(Entity.name == "A New Entity"))
        new_passages = session.scalars(select(Passage.id).where(Passage.source_id == source.source.id)).all()
        new_events = session.scalars(select(Event.id).where(Event.id > before["event"]).order_by(Event.id)).all()

    assert claim.id == before["claim"] + 1
    assert evidence.id == before["evidence"] + 1
    assert evidence.passage_id == before["passage"] + 1  # the quote is not a whole sentence: a passage of its own
    assert contradiction.id == before["contradiction"] + 1
    assert source.source.id == before["source"] + 1
    assert new_entity is not None and new_entity.id == before["entity"] + 1
    assert sorted(new_passages) == list(range(before["passage"] + 2, before["passage"] + 2 + len(new_passages)))
    assert len(new_events) >= 4 and new_events == list(
        range(before["event"] + 1, before["event"] + 1 + len(new_events))
    )
    assert "after-import" in Provenance(target).ok("claim", "list").stdout


def _max_id(url: str, name: str) -> int:
    with _opened(url) as session:
        return session.scalar(text(f'SELECT max(id) FROM "{name}"')) or 0


def test_an_imported_database_with_an_event_appended_exports_and_imports_again(
    seeded: Provenance, backend: str, new_database: Callable[[str], str]
) -> None:
    first, second = new_database(backend), new_database(backend)
    _load(first, _dump(seeded.url))
    with _opened(first) as session:
        event_id = events.record(session, "claim.note", "claim", "suntech-diversion", reason="checked after the move")
        session.commit()
    assert event_id == row_counts(seeded.url)["event"] + 1

    data = _dump(first)
    _load(second, data)

    assert row_counts(second) == {**row_counts(seeded.url), "event": row_counts(seeded.url)["event"] + 1}
    _assert_same_rows(_every_row(first), _every_row(second))
    assert _dump(second) == data
    shown = Provenance(second).ok("claim", "show", "suntech-diversion").stdout
    assert "Suntech" in shown


# --- refusals ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_bundle(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo database (and the awkward rows) as a bundle, made once on SQLite."""
    folder = tmp_path_factory.mktemp("bundle")
    with _database_at_head("sqlite", folder) as url:
        _seed(url)
        return _dump(url)


def _refused(url: str, data: Any, error: type[Exception], match: str) -> str:
    """Loading ``data`` into ``url`` fails with ``error`` and, once the caller rolls back, keeps nothing."""
    before = row_counts(url)
    with _opened(url) as session:
        with pytest.raises(error, match=match) as raised:
            bundle.load(session, data)
        session.rollback()
    assert row_counts(url) == before
    return str(raised.value)


def test_is_bundle_tells_a_bundle_from_a_claims_file(demo_bundle: dict[str, Any]) -> None:
    assert bundle.is_bundle(demo_bundle)
    assert bundle.is_bundle({**demo_bundle, "version": 99})  # so that a newer one is refused as such
    assert not bundle.is_bundle({"sources": [], "claims": []})
    assert not bundle.is_bundle(None)
    assert not bundle.is_bundle(["format", "provenance-bundle"])


def test_something_that_is_not_a_bundle_is_refused(db_url: str) -> None:
    message = _refused(db_url, {"claims": []}, Invalid, "not a provenance bundle")
    assert "`provenance export bundle`" in message


def test_a_bundle_in_a_newer_format_version_is_refused(db_url: str, demo_bundle: dict[str, Any]) -> None:
    message = _refused(db_url, {**demo_bundle, "version": 2}, SchemaMismatch, "format version 2, newer")
    assert "upgrade provenance" in message


def test_a_bundle_at_a_schema_revision_this_code_does_not_know_is_refused(
    db_url: str, demo_bundle: dict[str, Any]
) -> None:
    message = _refused(
        db_url, {**demo_bundle, "schema_revision": "ffffffffffff"}, SchemaMismatch, "revision ffffffffffff"
    )
    assert "does not know" in message and "upgrade provenance" in message and db.head_revision() in message


def test_a_bundle_at_an_older_schema_revision_asks_for_a_fresh_export(db_url: str, demo_bundle: dict[str, Any]) -> None:
    oldest = db.revision_history()[-1]["revision"]
    assert oldest != db.head_revision()
    message = _refused(db_url, {**demo_bundle, "schema_revision": oldest}, SchemaMismatch, f"revision {oldest}")
    assert "`provenance db upgrade` on the database it came from and export it again" in message


def test_a_database_at_an_older_schema_asks_for_an_upgrade(db_url: str, demo_bundle: dict[str, Any]) -> None:
    oldest = db.revision_history()[-1]["revision"]
    engine = db.make_engine(db_url)
    db.downgrade(engine, oldest, confirmed=True)
    engine.dispose()
    message = _refused(db_url, demo_bundle, SchemaMismatch, f"database is at schema revision {oldest}, older")
    assert "run `provenance db upgrade`" in message


def test_a_database_that_already_holds_rows_is_refused(seeded: Provenance, demo_bundle: dict[str, Any]) -> None:
    message = _refused(seeded.url, demo_bundle, Conflict, "^import a bundle into an empty database; this one has ")
    counts = row_counts(seeded.url)
    assert f"this one has {counts['claim']} claims, {counts['source']} sources, " in message
    assert f"{counts['event']} events" in message


def test_a_single_row_anywhere_makes_a_database_not_empty(db_url: str, demo_bundle: dict[str, Any]) -> None:
    with _opened(db_url) as session:
        events.record(session, "test", "claim", "x")
        session.commit()
    _refused(db_url, demo_bundle, Conflict, "this one has 1 event[.]")


def _rows(data: dict[str, Any], name: str) -> list[list[Any]]:
    rows: list[list[Any]] = data["tables"][name]["rows"]
    return rows


def _column(data: dict[str, Any], name: str, column: str) -> int:
    columns: list[str] = data["tables"][name]["columns"]
    return columns.index(column)


def _drop_table(data: dict[str, Any]) -> None:
    del data["tables"]["evidence"]


def _drop_column(data: dict[str, Any]) -> None:
    at = _column(data, "claim", "statement")
    data["tables"]["claim"]["columns"].pop(at)
    for row in _rows(data, "claim"):
        row.pop(at)


def _short_row(data: dict[str, Any]) -> None:
    _rows(data, "passage")[3].pop()


def _dangling_reference(data: dict[str, Any]) -> None:
    _rows(data, "evidence")[0][_column(data, "evidence", "claim_id")] = 999_999


def _text_for_number(data: dict[str, Any]) -> None:
    _rows(data, "claim")[0][_column(data, "claim", "confidence")] = "very likely"


def _number_for_text(data: dict[str, Any]) -> None:
    _rows(data, "source")[1][_column(data, "source", "text")] = 42


def _naive_timestamp(data: dict[str, Any]) -> None:
    _rows(data, "claim")[1][_column(data, "claim", "created_at")] = "2026-01-01T10:00:00"


def _unknown_choice(data: dict[str, Any]) -> None:
    _rows(data, "evidence")[2][_column(data, "evidence", "stance")] = "agrees"


def _null_required(data: dict[str, Any]) -> None:
    _rows(data, "claim")[0][_column(data, "claim", "key")] = None


def _out_of_range(data: dict[str, Any]) -> None:
    _rows(data, "claim")[0][_column(data, "claim", "confidence")] = 1.5


def _duplicate_key(data: dict[str, Any]) -> None:
    rows = _rows(data, "entity")
    rows.append([rows[0][0], "Another", "another"])


def _not_a_number(data: dict[str, Any]) -> None:
    _rows(data, "evidence")[0][_column(data, "evidence", "anchor_score")] = math.nan


def _text_past_its_offsets(data: dict[str, Any]) -> None:
    text = _column(data, "passage", "text")
    next(row for row in _rows(data, "passage") if row[text] is not None)[text] += "!"  # a sentence's


DAMAGE = [
    (_drop_table, "table evidence missing"),
    (_drop_column, "table claim: columns missing statement"),
    (_short_row, r"tables\.passage\.rows\[3\]: a row should be a list of 9 values \(one per column\), not 8"),
    (_dangling_reference, "refused the rows of table evidence"),
    (_text_for_number, r"tables\.claim\.rows\[0\]: column confidence should be a number, not \"very likely\""),
    (_number_for_text, r"tables\.source\.rows\[1\]: column text should be text, not 42"),
    (_naive_timestamp, r"tables\.claim\.rows\[1\]: column created_at should be a timestamp with its UTC offset"),
    (_unknown_choice, r"tables\.evidence\.rows\[2\]: column stance should be one of supports, contradicts, mentions"),
    (_null_required, r"tables\.claim\.rows\[0\]: column key must have a value"),
    (_out_of_range, "refused the rows of table claim"),
    (_duplicate_key, "refused the rows of table entity"),
    (_not_a_number, r"tables\.evidence\.rows\[0\]: column anchor_score should be a finite number"),
    (_text_past_its_offsets, "refused the rows of table passage"),
]


@pytest.mark.parametrize(("damage", "match"), DAMAGE, ids=[damage.__name__.strip("_") for damage, _ in DAMAGE])
def test_a_damaged_bundle_is_refused_naming_the_table_and_nothing_is_imported(
    db_url: str, demo_bundle: dict[str, Any], damage: Callable[[dict[str, Any]], None], match: str
) -> None:
    data = copy.deepcopy(demo_bundle)
    damage(data)
    message = _refused(db_url, data, Invalid, match)
    assert message.startswith("damaged bundle: ")
    assert row_counts(db_url) == EMPTY


def test_a_truncated_bundle_file_is_refused_with_the_line_it_stops_at(
    seeded: Provenance, backend: str, new_database: Callable[[str], str], tmp_path: Path
) -> None:
    target = new_database(backend)
    with _opened(seeded.url) as session:
        written = bundle.dumps(session)
    path = tmp_path / "cut.json"
    path.write_text(written[: len(written) // 2], encoding="utf-8")
    last_line = path.read_text(encoding="utf-8").count("\n") + 1

    with _opened(target) as session:
        with pytest.raises(Invalid, match=rf"cut\.json line {last_line}, column \d+: .*cut short") as raised:
            bundle.load_file(session, path)
        session.rollback()
    assert "export it again" in str(raised.value)
    assert row_counts(target) == EMPTY


def test_a_missing_bundle_file_is_not_found(db_url: str, tmp_path: Path) -> None:
    with _opened(db_url) as session, pytest.raises(NotFound, match=r"no bundle file .*nowhere\.json; check the path"):
        bundle.load_file(session, tmp_path / "nowhere.json")


def test_a_bundle_file_with_nan_is_refused_as_invalid_json(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "nan.json"
    path.write_text('{"format": "provenance-bundle", "version": NaN}', encoding="utf-8")
    with _opened(db_url) as session, pytest.raises(Invalid, match="line 1, column 1: NaN is not JSON"):
        bundle.load_file(session, path)


def test_a_bundle_with_every_table_checked_before_any_row_is_sent(db_url: str, demo_bundle: dict[str, Any]) -> None:
    data = copy.deepcopy(demo_bundle)
    data["tables"]["event"]["columns"][0] = "identifier"  # the last table: found before the first is written
    message = _refused(db_url, data, Invalid, "table event: columns missing id; not in this schema: identifier")
    assert message.startswith("damaged bundle: ")


def test_dump_refuses_a_database_not_at_the_latest_schema(db_url: str) -> None:
    engine = db.make_engine(db_url)
    db.downgrade(engine, db.revision_history()[-1]["revision"], confirmed=True)
    engine.dispose()
    with _opened(db_url) as session, pytest.raises(SchemaMismatch, match="run `provenance db upgrade` first"):
        bundle.dump(session)


def test_every_model_is_in_the_bundle(demo_bundle: dict[str, Any]) -> None:
    for model in (Source, Passage, Entity, Claim, Evidence, Contradiction, Event):
        table = model.__table__
        assert isinstance(table, Table)
        assert demo_bundle["tables"][table.name]["rows"], table.name
    assert demo_bundle["tables"]["claim_entity"]["rows"]
