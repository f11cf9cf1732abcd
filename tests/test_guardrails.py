"""Guard rails of the command group: the demo replaces only a demo database, a downgrade that drops data is
confirmed first, the database driver's errors and any internal error end in one line."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import DEMO_CLAIMS, Provenance, row_counts
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import OperationalError

from provenance import db
from provenance.cli import app, cli
from provenance.errors import ProvenanceError

STATEMENT = "India's exports to North Korea fell in 2017."


def run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
    """The command as a user types it: no --debug, so an internal error is one line, not an exception."""
    return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)


def one_error_line(result: Result, code: int = 1) -> str:
    assert result.exit_code == code, f"exit {result.exit_code}: {result.stderr}"
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def fingerprint(path: Path) -> dict[str, str]:
    """The bytes of a SQLite file and of its -wal/-journal files (an empty one is as good as none): proof that a
    failing command changed nothing."""
    return {
        str(f): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in (path, Path(f"{path}-wal"), Path(f"{path}-journal"))
        if f.exists() and f.stat().st_size > 0
    }


def sqlite_file(provenance: Provenance) -> Path:
    return Path(db.resolve_url(provenance.url).database or "")


@pytest.fixture
def sqlite_desk(seeded: Provenance, backend: str) -> Path:
    """A SQLite desk holding the demo corpus, written by the user (not by the demo)."""
    if backend != "sqlite":
        pytest.skip("a file-level case: SQLite only")
    return sqlite_file(seeded)


# --- the demo -----------------------------------------------------------------------------------------


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(db.URL_ENV, raising=False)
    return tmp_path


def test_demo_refuses_to_replace_a_desk_given_with_its_own_db(sqlite_desk: Path, in_tmp: Path) -> None:
    before = fingerprint(sqlite_desk)
    line = one_error_line(run("demo", "--db", str(sqlite_desk)))
    assert line.startswith(f"Error: {sqlite_desk} is not a demo database (")
    assert "--force" in line
    assert fingerprint(sqlite_desk) == before
    assert not list(sqlite_desk.parent.glob("*.building*"))


def test_demo_refuses_to_replace_a_desk_given_before_the_command(sqlite_desk: Path, in_tmp: Path) -> None:
    before = fingerprint(sqlite_desk)
    line = one_error_line(run("--db", str(sqlite_desk), "demo"))
    assert "is not a demo database" in line
    assert fingerprint(sqlite_desk) == before
    assert not (in_tmp / "provenance-demo.db").exists()


def test_demo_force_replaces_a_desk(sqlite_desk: Path, in_tmp: Path) -> None:
    Provenance(str(sqlite_desk)).ok("claim", "add", "mine", STATEMENT)
    result = run("demo", "--db", str(sqlite_desk), "--force")
    assert result.exit_code == 0, result.stderr
    keys = run("--db", str(sqlite_desk), "claim", "list", "--json").stdout
    assert "suntech-diversion" in keys and '"mine"' not in keys


def test_demo_honours_the_db_given_before_the_command(in_tmp: Path) -> None:
    result = run("--db", "mydemo.db", "demo")
    assert result.exit_code == 0, result.stderr
    assert (in_tmp / "mydemo.db").is_file()
    assert not (in_tmp / "provenance-demo.db").exists()
    assert result.stderr.splitlines()[-1] == (
        "next: provenance --db mydemo.db claim show suntech-diversion (each command needs --db mydemo.db for the demo)"
    )


def test_demo_says_the_db_the_next_command_needs(in_tmp: Path) -> None:
    result = run("demo")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# Cited report: India and North Korea (demo)")
    assert "--db provenance-demo.db" in result.stderr.splitlines()[-1]


def test_demo_rebuilds_its_own_database_with_the_same_report(in_tmp: Path) -> None:
    first = run("demo")
    second = run("demo")
    assert first.exit_code == second.exit_code == 0, second.stderr
    assert first.stdout == second.stdout


def test_demo_refuses_its_database_once_someone_added_to_it(in_tmp: Path) -> None:
    assert run("demo").exit_code == 0
    assert run("--db", "provenance-demo.db", "--as", "alice", "claim", "add", "mine", STATEMENT).exit_code == 0
    before = fingerprint(in_tmp / "provenance-demo.db")
    line = one_error_line(run("demo"))
    assert line.startswith("Error: provenance-demo.db is not a demo database (1 of its changes were made by 'alice')")
    assert fingerprint(in_tmp / "provenance-demo.db") == before


def test_demo_does_not_use_the_database_url_of_the_environment(sqlite_desk: Path, in_tmp: Path) -> None:
    before = fingerprint(sqlite_desk)
    result = run("demo", env={db.URL_ENV: str(sqlite_desk)})
    assert result.exit_code == 0, result.stderr
    assert (in_tmp / "provenance-demo.db").is_file()
    assert fingerprint(sqlite_desk) == before


def test_demo_refuses_a_file_that_is_not_a_database(in_tmp: Path) -> None:
    notes = in_tmp / "notes.txt"
    notes.write_text("my notes\n", encoding="utf-8")
    line = one_error_line(run("demo", "--db", "notes.txt"))
    assert line.startswith("Error: notes.txt is not a demo database (it is not a SQLite database that can be read")
    assert notes.read_text(encoding="utf-8") == "my notes\n"


def test_demo_refuses_another_programs_database(in_tmp: Path) -> None:
    with closing(sqlite3.connect(in_tmp / "calendar.db")) as other:
        other.execute("CREATE TABLE event (id INTEGER PRIMARY KEY, title TEXT)")
        other.execute("INSERT INTO event (title) VALUES ('dentist')")
        other.commit()
    before = fingerprint(in_tmp / "calendar.db")
    line = one_error_line(run("demo", "--db", "calendar.db"))
    assert line.startswith(
        "Error: calendar.db is not a demo database (it is not a provenance database that can be read: no such "
        "column: actor)"
    )
    assert fingerprint(in_tmp / "calendar.db") == before


def test_demo_builds_in_an_empty_file(in_tmp: Path) -> None:
    (in_tmp / "empty.db").touch()
    assert run("demo", "--db", "empty.db").exit_code == 0
    assert (in_tmp / "empty.db").stat().st_size > 0


def test_demo_refuses_two_different_databases_and_postgresql(in_tmp: Path) -> None:
    assert one_error_line(run("--db", "a.db", "demo", "--db", "b.db")) == (
        "Error: two demo databases given, a.db and b.db; give --db once"
    )
    line = one_error_line(run("--db", "postgresql://postgres@127.0.0.1/desk", "demo"))
    assert line.startswith("Error: the demo builds a SQLite file, not postgresql")
    assert list(in_tmp.iterdir()) == []


# --- downgrades that drop data ------------------------------------------------------------------------


def test_downgrade_to_base_without_yes_refuses_and_says_how_to_back_up(seeded: Provenance, backend: str) -> None:
    line = seeded.fails("db", "downgrade", "base")
    assert "drops every table and all the data in them, the audit log included" in line
    assert line.endswith("then confirm with --yes")
    if backend == "sqlite":
        file = sqlite_file(seeded)
        assert f"back up first: sqlite3 {file} '.backup {file}.bak'" in line
    else:
        assert "back up first: pg_dump --format=custom" in line
    assert row_counts(seeded.url)["claim"] == 12


def test_downgrade_to_base_with_yes_drops_every_table(seeded: Provenance) -> None:
    result = seeded.ok("db", "downgrade", "base", "--yes")
    assert result.stderr.endswith("-> none\n")
    engine = db.make_engine(seeded.url)
    try:
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_downgrade_of_one_revision_needs_yes_too(seeded: Provenance) -> None:
    previous = db.revision_history()[1]["revision"]
    line = seeded.fails("db", "downgrade", previous)
    assert f"undoes schema revision(s) {db.head_revision()}" in line


def test_downgrade_to_the_current_revision_asks_nothing(seeded: Provenance) -> None:
    seeded.ok("db", "downgrade", db.head_revision())
    assert row_counts(seeded.url)["claim"] == 12


@pytest.fixture
def at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app, "interactive", lambda: True)


def test_downgrade_asks_at_a_terminal_and_no_changes_nothing(seeded: Provenance, at_a_terminal: None) -> None:
    before = row_counts(seeded.url)
    result = seeded("db", "downgrade", "base", input="n\n")
    assert result.exit_code == 1
    assert "drops every table" in result.stderr and "Downgrade now? [y/N]" in result.stderr
    assert result.stderr.splitlines()[-1] == "Error: nothing was changed: the downgrade was not confirmed"
    assert row_counts(seeded.url) == before


def test_downgrade_asks_at_a_terminal_and_yes_goes_on(seeded: Provenance, at_a_terminal: None) -> None:
    result = seeded("db", "downgrade", "base", input="y\n")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == f"schema {db.head_revision()} -> none"


# --- what the database driver says --------------------------------------------------------------------


def test_a_text_file_as_the_database_is_one_line_sqlite_only(in_tmp: Path) -> None:
    notes = in_tmp / "notes.txt"
    notes.write_text("not a database\n", encoding="utf-8")
    for command in (["claim", "list"], ["init"], ["claim", "add", "k", STATEMENT], ["db", "current"]):
        line = one_error_line(run("--db", "notes.txt", *command))
        assert line.startswith("Error: notes.txt is not a SQLite database (file is not a database); nothing was")
    assert notes.read_text(encoding="utf-8") == "not a database\n"


def test_a_truncated_database_is_one_line_sqlite_only(sqlite_desk: Path, in_tmp: Path) -> None:
    truncated = in_tmp / "truncated.db"
    truncated.write_bytes(sqlite_desk.read_bytes()[:20_000])
    before = fingerprint(truncated)
    for command in (["claim", "list"], ["claim", "show", "suntech-diversion"], ["claim", "add", "k", STATEMENT]):
        line = one_error_line(run("--db", str(truncated), *command))
        assert line.startswith(f"Error: database sqlite:///{truncated} is damaged (database disk image is malformed)")
    assert fingerprint(truncated) == before


def test_a_corrupted_database_is_one_line_sqlite_only(sqlite_desk: Path, in_tmp: Path) -> None:
    corrupted = in_tmp / "corrupted.db"
    data = bytearray(sqlite_desk.read_bytes())
    data[4096 * 2 : 4096 * 8] = b"\xff" * (4096 * 6)
    corrupted.write_bytes(bytes(data))
    before = fingerprint(corrupted)
    line = one_error_line(run("--db", str(corrupted), "claim", "list"))
    assert "is damaged (database disk image is malformed); nothing was changed; restore it from a backup" in line
    assert fingerprint(corrupted) == before


def test_a_full_disk_is_one_line_and_saves_nothing_sqlite_only(
    provenance: Provenance, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk is full when SQLite may not grow the file (max_page_count: the error a full disk gives)."""
    if backend != "sqlite":
        pytest.skip("a full disk is simulated through SQLite's page limit")
    pragmas = db._sqlite_pragmas

    def no_room(dbapi_connection: Any, record: Any) -> None:
        pragmas(dbapi_connection, record)
        dbapi_connection.execute("PRAGMA max_page_count = 1")  # no more pages than the file has now

    monkeypatch.setattr(db, "_sqlite_pragmas", no_room)
    line = provenance.fails("import", str(DEMO_CLAIMS))
    assert line.startswith(f"Error: no room to write to database {provenance.url} (database or disk is full)")
    assert line.endswith("nothing was saved; free some disk space and run the command again")


@pytest.mark.parametrize("room", ["none", "for the tables only"])
def test_a_full_disk_stops_the_demo_in_one_line_and_leaves_no_file(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, sqlite_template: Path, room: str
) -> None:
    """The disk fills up while the migrations make the tables, or after, while the demo's claims are imported."""
    pages = 1
    if room == "for the tables only":
        with closing(sqlite3.connect(sqlite_template)) as template:
            pages = template.execute("PRAGMA page_count").fetchone()[0] + 1
    pragmas = db._sqlite_pragmas

    def no_room(dbapi_connection: Any, record: Any) -> None:
        pragmas(dbapi_connection, record)
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(db, "_sqlite_pragmas", no_room)
    line = one_error_line(run("demo"))
    assert line.startswith("Error: no room to write to database sqlite:///provenance-demo.db.building (database or")
    assert list(in_tmp.iterdir()) == []


def test_a_full_disk_on_postgresql_is_the_same_line() -> None:
    """PostgreSQL's disk_full (SQLSTATE 53100), which a test cannot bring about, is read as SQLite's is."""
    errors = pytest.importorskip("psycopg.errors")
    engine = db.make_engine("postgresql://postgres@127.0.0.1:5432/desk")
    failure = OperationalError("INSERT INTO source ...", {}, errors.DiskFull("could not extend file: No space left"))
    translated = db.driver_error(engine, failure)
    assert str(translated) == (
        "no room to write to database postgresql+psycopg://postgres@127.0.0.1:5432/desk (could not extend file: No "
        "space left); nothing was saved; free some disk space and run the command again"
    )


@pytest.fixture
def read_only_url(seeded: Provenance, backend: str) -> str:
    """The seeded database opened read-only: a SQLite URI with mode=ro; PostgreSQL with read-only transactions."""
    if backend == "sqlite":
        return f"sqlite:///file:{sqlite_file(seeded)}?mode=ro&uri=true"
    url = db.resolve_url(seeded.url)
    options = f"{url.query['options']} -cdefault_transaction_read_only=on"
    return url.update_query_dict({"options": options}).render_as_string(hide_password=False)


def test_a_read_only_database_reads_and_refuses_writes_in_one_line(seeded: Provenance, read_only_url: str) -> None:
    read_only = Provenance(read_only_url)
    assert "suntech-diversion" in read_only.ok("claim", "list", "--json").stdout
    before = row_counts(seeded.url)
    result = read_only("claim", "add", "new-claim", STATEMENT)
    line = one_error_line(result)
    assert line.startswith("Error: database ") and " is read-only (" in line
    assert line.endswith("this command writes to the database: get write access to it, or work on a copy")
    assert row_counts(seeded.url) == before


def test_a_session_on_a_read_only_database_fails_with_the_same_error(read_only_url: str) -> None:
    """Not only the command line: any caller of session_scope gets the user's error, not the driver's."""
    engine = db.make_engine(read_only_url)
    try:
        with pytest.raises(ProvenanceError, match=r" is read-only \("), db.session_scope(engine) as session:
            session.execute(text("UPDATE setting SET value = value"))
            session.execute(text("DELETE FROM contradiction_suggestion"))
    finally:
        engine.dispose()


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    """A folder whose mode a test changes (and gives back, for the clean-up)."""
    folder = tmp_path / "folder"
    folder.mkdir()
    try:
        yield folder
    finally:
        folder.chmod(0o755)


def without_write_access(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the command in ``folder`` in a new process for which file modes count: as root, without the
    capabilities that let root write any file (setpriv)."""
    command = [sys.executable, "-c", "from provenance.cli import cli; cli()", *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("as root, this needs setpriv to drop the capability to write any file")
        caps = "-dac_override,-dac_read_search"
        command = [setpriv, "--bounding-set", caps, "--inh-caps", caps, "--", *command]
    environment = {k: v for k, v in os.environ.items() if k != db.URL_ENV}
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, env=environment, timeout=120)


def test_a_database_file_of_mode_0444_reads_and_refuses_writes_sqlite_only(sqlite_desk: Path, folder: Path) -> None:
    desk = folder / "desk.db"
    shutil.copy(sqlite_desk, desk)
    desk.chmod(0o444)
    listed = without_write_access(folder, "--db", "desk.db", "claim", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert "suntech-diversion" in listed.stdout
    before = fingerprint(desk)
    added = without_write_access(folder, "--db", "desk.db", "claim", "add", "k", STATEMENT)
    assert added.returncode == 1 and added.stdout == ""
    assert added.stderr.startswith("Error: database sqlite:///desk.db is read-only (attempt to write a readonly")
    assert len(added.stderr.splitlines()) == 1
    assert fingerprint(desk) == before


def test_a_database_in_a_read_only_folder_is_one_line_sqlite_only(sqlite_desk: Path, folder: Path) -> None:
    """SQLite cannot make the -wal and -shm files beside a WAL database in a folder it may not write to."""
    desk = folder / "desk.db"
    shutil.copy(sqlite_desk, desk)
    folder.chmod(0o555)
    before = fingerprint(desk)
    for command in (["claim", "list"], ["claim", "add", "k", STATEMENT]):
        result = without_write_access(folder, "--db", "desk.db", *command)
        assert result.returncode == 1 and result.stdout == ""
        assert result.stderr == (
            "Error: cannot use database sqlite:///desk.db: its folder is read-only, and SQLite needs to create "
            "desk.db-wal and desk.db-shm beside it; nothing was changed; copy the database to a folder you can "
            "write to\n"
        )
    assert fingerprint(desk) == before


def test_a_lock_held_during_a_migration_is_one_line_postgresql_only(
    seeded: Provenance, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another session holds a table the downgrade must drop: it waits $PROVENANCE_LOCK_TIMEOUT, then says so."""
    if backend != "postgresql":
        pytest.skip("SQLite's locked database has its own line (tests/test_concurrency.py)")
    before = row_counts(seeded.url)
    monkeypatch.setenv(db.LOCK_TIMEOUT_ENV, "1")
    holder = create_engine(db.resolve_url(seeded.url))
    try:
        with holder.connect() as connection:
            connection.execute(text("LOCK TABLE claim IN ACCESS EXCLUSIVE MODE"))
            line = one_error_line(seeded("db", "downgrade", "base", "--yes"))
            connection.rollback()
    finally:
        holder.dispose()
    assert line.startswith(f"Error: database {db.describe_url(db.resolve_url(seeded.url))} is locked by another ")
    assert "waited 1 s" in line
    assert row_counts(seeded.url) == before


def _drop_event_table(url: str, backend: str) -> None:
    engine = create_engine(db.resolve_url(url))
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE event" + (" CASCADE" if backend == "postgresql" else "")))
    engine.dispose()


def test_init_notices_a_missing_event_table(seeded: Provenance, backend: str) -> None:
    _drop_event_table(seeded.url, backend)
    line = seeded.fails("init")
    assert line == (
        f"Error: database {db.describe_url(db.resolve_url(seeded.url))} is at schema {db.head_revision()} but has "
        "no table event: it is damaged; nothing was changed; restore it from a backup (`provenance verify` lists "
        "what else is wrong)"
    )


def test_a_command_on_a_database_missing_its_event_table_is_one_line(seeded: Provenance, backend: str) -> None:
    _drop_event_table(seeded.url, backend)
    line = seeded.fails("claim", "add", "new-claim", STATEMENT)
    assert line.startswith(f"Error: database {db.describe_url(db.resolve_url(seeded.url))} has no table event: ")


# --- internal errors ----------------------------------------------------------------------------------


@pytest.fixture
def broken_history(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> list[dict[str, Any]]:
        return {"decade": 10}["century"]  # type: ignore[return-value]

    monkeypatch.setattr(db, "revision_history", broken)


def test_an_internal_error_is_one_line_with_its_own_exit_code(broken_history: None) -> None:
    line = one_error_line(run("db", "history"), code=70)
    assert line == (
        "Error: internal error: KeyError: 'century' (a bug in provenance: run the command again with --debug for "
        "the traceback, and report it)"
    )


def test_debug_shows_the_traceback_of_an_internal_error(broken_history: None) -> None:
    with pytest.raises(KeyError, match="century"):
        run("--debug", "db", "history")
    with pytest.raises(KeyError, match="century"):
        run("db", "history", env={app.DEBUG_ENV: "1"})


def test_the_test_runner_still_fails_loudly_on_an_internal_error(provenance: Provenance, broken_history: None) -> None:
    with pytest.raises(KeyError, match="century"):
        provenance("db", "history")


def test_an_internal_database_error_says_its_first_line_only(monkeypatch: pytest.MonkeyPatch, in_tmp: Path) -> None:
    def broken() -> list[dict[str, Any]]:
        connection = sqlite3.connect(":memory:")
        engine = create_engine("sqlite://", creator=lambda: connection)
        with engine.connect() as c:
            c.execute(text("SELECT * FROM nowhere WHERE x = :x"), {"x": "y" * 1000})
        return []

    monkeypatch.setattr(db, "revision_history", broken)
    line = one_error_line(run("db", "history"), code=70)
    assert line.startswith(
        "Error: internal error: OperationalError: (sqlite3.OperationalError) no such table: nowhere ("
    )
    assert "SELECT" not in line
