"""The migrations are the only way a schema is made: they must run up, down and up again on both backends,
and leave exactly the schema the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from provenance import db
from provenance.errors import NotFound, SchemaMismatch
from provenance.models import Base


def _tables(url: str) -> set[str]:
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_models_and_migrations_agree(db_url: str) -> None:
    engine = db.make_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": db.include_object}
            )
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_migrations_run_up_down_and_up_again(empty_db_url: str) -> None:
    engine = db.make_engine(empty_db_url)
    try:
        assert db.upgrade(engine) == (None, db.head_revision())
        assert {t for t in _tables(empty_db_url) if not t.startswith(db.SEARCH_OBJECTS)} == {
            *Base.metadata.tables,
            "alembic_version",
        }
        assert db.downgrade(engine, "base", confirmed=True) == (db.head_revision(), None)
        assert _tables(empty_db_url) <= {"alembic_version"}
        db.upgrade(engine)
        assert db.current_revision(engine) == db.head_revision()
        db.require_current_schema(engine)
    finally:
        engine.dispose()


def test_every_revision_steps_down_and_up_one_at_a_time(empty_db_url: str) -> None:
    engine = db.make_engine(empty_db_url)
    revisions = [r["revision"] for r in reversed(db.revision_history())]
    try:
        for revision in revisions:
            db.upgrade(engine, revision)
            assert db.current_revision(engine) == revision
        for revision in reversed(revisions):
            previous = db.script_directory().get_revision(revision).down_revision
            db.downgrade(engine, str(previous) if previous else "base", confirmed=True)
            assert db.current_revision(engine) == previous
    finally:
        engine.dispose()


def test_a_database_without_schema_is_refused_with_a_hint(empty_db_url: str) -> None:
    engine = db.make_engine(empty_db_url)
    try:
        if engine.url.get_backend_name() == "sqlite":
            with engine.begin() as connection:  # the file must exist for this case
                connection.execute(text("CREATE TABLE unrelated (id INTEGER)"))
        with pytest.raises(SchemaMismatch, match="run `provenance init` first"):
            db.require_current_schema(engine)
    finally:
        engine.dispose()


def test_a_newer_schema_than_this_code_knows_is_refused(db_url: str) -> None:
    engine = db.make_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
        with pytest.raises(SchemaMismatch, match="newer than this provenance knows"):
            db.require_current_schema(engine)
        with pytest.raises(SchemaMismatch, match="ffffffffffff"):
            db.upgrade(engine)
    finally:
        engine.dispose()


def test_an_older_schema_asks_for_an_upgrade(empty_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = db.make_engine(empty_db_url)
    try:
        db.upgrade(engine)
        monkeypatch.setattr(db, "head_revision", lambda: "0123456789ab")
        with pytest.raises(SchemaMismatch, match="run `provenance db upgrade`"):
            db.require_current_schema(engine)
    finally:
        engine.dispose()


def test_an_unknown_target_revision_is_refused(db_url: str) -> None:
    engine = db.make_engine(db_url)
    try:
        with pytest.raises(NotFound, match="no schema revision 'nonsense'"):
            db.downgrade(engine, "nonsense")
        assert db.current_revision(engine) == db.head_revision()
    finally:
        engine.dispose()


def test_migrations_step_down_and_up_with_data_in_place(db_url: str) -> None:
    from conftest import DEMO_CLAIMS, row_counts

    from provenance.importer import import_claims_file

    engine = db.make_engine(db_url)
    try:
        with db.session_scope(engine) as session:
            import_claims_file(session, DEMO_CLAIMS)
        before = row_counts(db_url)
        first = [r["revision"] for r in db.revision_history()][-1]
        db.downgrade(engine, first, confirmed=True)
        db.upgrade(engine)
        assert row_counts(db_url) == before
        assert before["passage"] > 0 and before["evidence"] > 0
    finally:
        engine.dispose()
