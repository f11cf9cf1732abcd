"""Capture under stress: readers die with a killed `source add` and hold no database connection; a lock held by
another session ends in one line naming it; bad --max-size values, web addresses and file names that are not
UTF-8 are refused in one line; files a folder run does not read are named."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SEED_2018, Provenance, row_counts
from sqlalchemy import text

from provenance import db
from provenance.errors import ProvenanceError

PROVENANCE = (sys.executable, "-c", "import sys; from provenance.cli import cli; sys.exit(cli())")
SUNTECH = "suntech-diversion"

only_postgresql = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
needs_proc = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads processes from /proc (Linux)")


def write_articles(folder: Path, count: int) -> None:
    folder.mkdir()
    for n in range(count):
        sentences = " ".join(f"Article {n} makes point {k} about the harbour." for k in range(12))
        (folder / f"a{n:05d}.txt").write_text(f"Title: Article {n}\n\n{sentences}\n")


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def running(pid: int) -> bool:
    """Whether ``pid`` is a live process (not gone, not a zombie waiting to be reaped)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def sockets_of(pid: int) -> list[str]:
    found = []
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:"):
            found.append(target)
    return found


def add_command(url: str, *paths: Path) -> list[str]:
    return [*PROVENANCE, "--db", url, "source", "add", "--no-progress", *map(str, paths)]


# --- readers die with their parent ----------------------------------------------------------------------


@needs_proc
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="on one core, capture reads in its own process")
def test_readers_of_a_killed_source_add_end_with_it_and_the_next_source_add_completes(
    provenance: Provenance, tmp_path: Path
) -> None:
    folder = tmp_path / "corpus"
    write_articles(folder, 3000)
    process = subprocess.Popen(add_command(provenance.url, folder), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    readers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(readers) < 2 and process.poll() is None and time.monotonic() < deadline:
            readers |= children(process.pid)
            time.sleep(0.02)
        time.sleep(0.5)  # well into the run: the readers are reading, the database transaction is open
        readers |= children(process.pid)
        assert process.poll() is None, "the run ended before it could be killed"
        assert len(readers) >= 2
        # a reader holds no copy of the parent's database connection (on PostgreSQL, a socket)
        assert {pid: sockets_of(pid) for pid in readers} == {pid: [] for pid in readers}
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 10
        while any(map(running, readers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid in readers if running(pid)] == []
    finally:
        for pid in readers:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stderr is not None
        process.stderr.close()
    # The killed run's transaction is gone with it: the next run is not kept waiting.
    after = subprocess.run(
        add_command(provenance.url, SEED_2018),
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, db.LOCK_TIMEOUT_ENV: "20"},
    )
    assert after.returncode == 0, after.stderr
    assert after.stdout.startswith("india-north-korea-2018\tadded (")


@needs_proc
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="on one core, capture reads in its own process")
def test_ctrl_c_stops_source_add_and_its_readers_in_one_line(provenance: Provenance, tmp_path: Path) -> None:
    """Ctrl-C reaches the command and its readers (the terminal's process group): all of them end, with one line
    and nothing saved. (A reader's watching thread once took the signal, and the reader waited for work for ever.)"""
    folder = tmp_path / "corpus"
    write_articles(folder, 3000)
    before = row_counts(provenance.url)
    process = subprocess.Popen(
        add_command(provenance.url, folder),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a process group of its own, as a terminal gives a command
    )
    readers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(readers) < 2 and process.poll() is None and time.monotonic() < deadline:
            readers |= children(process.pid)
            time.sleep(0.02)
        time.sleep(0.5)
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # (click starts a new line first, after the ^C the terminal shows)
    assert (process.returncode, out, err) == (1, "", "\nError: aborted\n")
    deadline = time.monotonic() + 10
    while any(map(running, readers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in readers if running(pid)] == []
    assert row_counts(provenance.url) == before


def test_a_reader_started_after_its_parent_is_gone_ends_at_once(tmp_path: Path) -> None:
    """The race the kernel's watch cannot cover: the parent died before the reader asked to die with it."""
    probe = subprocess.run(
        [sys.executable, "-c", "from provenance import ingest; ingest._start_reader(1, True); print('alive')"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (probe.returncode, probe.stdout) == (1, "")


# --- locks held by another session ----------------------------------------------------------------------


@only_postgresql
def test_a_lock_held_by_another_session_ends_in_one_line_naming_it(
    seeded: Provenance, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_concurrency import another_writer_holding_the_lock

    monkeypatch.setenv(db.LOCK_TIMEOUT_ENV, "1")
    started = time.monotonic()
    with another_writer_holding_the_lock(seeded.url):
        line = seeded.fails("claim", "confidence", SUNTECH, "likely", "--reason", "two sources agree")
    assert time.monotonic() - started < 20
    where = db.describe_url(db.resolve_url(seeded.url))
    assert line.startswith(f"Error: database {where} is locked by another session: 'provenance' (user postgres from ")
    assert ", idle in transaction, in its transaction for " in line
    assert line.endswith(
        " s); this command waited 1 s ($PROVENANCE_LOCK_TIMEOUT) and saved nothing; run it again when that "
        "session is done, or end it"
    )


@only_postgresql
def test_postgresql_connections_carry_the_timeouts_and_the_command_name(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(db.LOCK_TIMEOUT_ENV, "2.5")
    engine = db.make_engine(db_url, application_name="provenance source add")
    try:
        with engine.connect() as connection:
            shown = {
                name: connection.execute(text(f"SHOW {name}")).scalar_one()
                for name in ("lock_timeout", "statement_timeout", "idle_in_transaction_session_timeout")
            }
            name = connection.execute(text("SHOW application_name")).scalar_one()
            path = connection.execute(text("SHOW search_path")).scalar_one()
    finally:
        engine.dispose()
    assert shown == {
        "lock_timeout": "2500ms",
        "statement_timeout": "10min",
        "idle_in_transaction_session_timeout": "10min",
    }
    assert name == "provenance source add"
    assert path == db.resolve_url(db_url).query["options"].removeprefix("-csearch_path=")  # the URL's options kept


@only_postgresql
def test_a_statement_running_past_the_statement_timeout_is_stopped_in_one_line(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(db.STATEMENT_TIMEOUT_ENV, "0.2")
    engine = db.make_engine(db_url)
    try:
        with pytest.raises(ProvenanceError) as raised, db.session_scope(engine) as session:
            session.execute(text("SELECT pg_sleep(2)"))
    finally:
        engine.dispose()
    assert str(raised.value) == (
        f"a statement on database {db.describe_url(engine.url)} ran longer than 0.2 s and was stopped; nothing was "
        "saved; raise $PROVENANCE_STATEMENT_TIMEOUT (seconds, 0 for no limit) and run the command again"
    )


@only_postgresql
def test_a_transaction_left_idle_past_the_timeout_is_ended_by_the_server_in_one_line(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A program stopped (ctrl-Z) in the middle of a transaction does not hold its locks for ever."""
    monkeypatch.setenv(db.STATEMENT_TIMEOUT_ENV, "0.2")
    engine = db.make_engine(db_url)
    try:
        with pytest.raises(ProvenanceError) as raised, db.session_scope(engine) as session:
            session.execute(text("SELECT 1"))
            time.sleep(1)
            session.execute(text("SELECT 1"))
    finally:
        engine.dispose()
    assert str(raised.value) == (
        f"this command's transaction on database {db.describe_url(engine.url)} stayed idle longer than 0.2 s and "
        "the server ended it; nothing was saved; run the command again ($PROVENANCE_STATEMENT_TIMEOUT sets the limit)"
    )


def test_on_sqlite_the_lock_timeout_variable_sets_the_busy_timeout(
    seeded: Provenance, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's busy timeout")
    from test_concurrency import another_writer_holding_the_lock

    monkeypatch.setenv(db.LOCK_TIMEOUT_ENV, "1")
    with another_writer_holding_the_lock(seeded.url):
        line = seeded.fails("claim", "confidence", SUNTECH, "likely", "--reason", "two sources agree")
    assert line == (
        f"Error: database {db.describe_url(db.resolve_url(seeded.url))} is locked by another command (waited up to "
        "1 s); nothing was saved; run the command again when that one is done"
    )


@pytest.mark.parametrize("value", ["soon", "nan", "-1", "0", "1e9"])
def test_a_lock_timeout_that_is_not_a_number_of_seconds_is_refused_in_one_line(
    provenance: Provenance, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(db.LOCK_TIMEOUT_ENV, value)
    result = provenance("source", "list")  # (not .fails: counting the rows would be refused too)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: PROVENANCE_LOCK_TIMEOUT={value!r} is not a number of seconds; set it to more than 0, at most "
        "86400, or unset it\n"
    )


# --- what a user types ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "1e400", "2000000"])
def test_a_max_size_that_is_not_a_size_is_refused_in_one_line(provenance: Provenance, value: str) -> None:
    shown = f"{float(value):g}"
    assert provenance.fails("source", "add", str(SEED_2018), "--max-size", value) == (
        f"Error: --max-size is a number of megabytes above 0 and at most 1,000,000, not {shown}; the default is 50"
    )


@pytest.mark.parametrize("value", ["0", "-1"])
def test_a_max_size_of_zero_or_less_is_a_usage_error(provenance: Provenance, value: str) -> None:
    line = provenance.fails("source", "add", str(SEED_2018), "--max-size", value, code=2)
    assert line.startswith(f"Error: Invalid value for '--max-size': {float(value)} is not in the range x>0.")


def test_an_address_provenance_does_not_fetch_is_refused_as_such_not_as_a_missing_file(
    provenance: Provenance,
) -> None:
    # http(s) addresses are fetched (tests/test_fetch.py); any other scheme is named
    assert provenance.fails("source", "add", "ftp://example.org/x") == (
        "Error: ftp://example.org/x is not a web address (its scheme is ftp:); provenance fetches http:// and "
        "https:// addresses only"
    )


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse names that are not UTF-8")
def test_a_file_name_that_is_not_utf8_is_named_escaped_and_the_other_files_are_captured(
    provenance: Provenance, tmp_path: Path
) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "good.txt").write_text("Title: Good\n\nThe harbour reopened on Monday after the storm.\n")
    bad = os.fsdecode(os.fsencode(folder) + b"/caf\xe9.txt")
    Path(bad).write_text("Title: Cafe\n\nThe cafe reopened on Monday after the storm.\n")
    result = provenance("source", "add", "--no-progress", "--json", str(folder))
    assert result.exit_code == 1
    records = json.loads(result.stdout)
    shown = f"{folder}/caf\\xe9.txt"
    reason = (
        f"{shown}: its name is not valid UTF-8 (the bytes shown as \\x..), which provenance cannot store; rename "
        "it (e.g. `convmv -f latin1 -t utf8 --notest NAME`) and add it again"
    )
    assert records == [
        {"path": shown, "captured": False, "error": reason},
        {**records[1], "path": str(folder / "good.txt"), "captured": True, "key": "good", "state": "added"},
    ]
    assert result.stderr.splitlines()[-1] == ("Error: 1 of 2 files were not captured (reasons above); the other 1 were")


def test_files_a_folder_run_does_not_read_are_named_with_the_reason(provenance: Provenance, tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "article.txt").write_text("Title: A\n\nThe harbour reopened on Monday after the storm.\n")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (folder / "README").write_text("notes")
    (folder / ".DS_Store").write_bytes(b"\0")
    result = provenance.ok("source", "add", "--no-progress", str(folder))
    assert result.stdout.startswith("article\tadded (")
    assert result.stderr.splitlines() == [
        f"skipped {folder / '.DS_Store'}: hidden: its name starts with a dot",
        f"skipped {folder / 'README'}: it has no extension, like .txt",
        f"skipped {folder / 'photo.jpg'}: provenance does not read .jpg files",
    ]


def test_many_skipped_files_are_summed_up_by_reason_with_their_names(provenance: Provenance, tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "article.txt").write_text("Title: A\n\nThe harbour reopened on Monday after the storm.\n")
    photos = [folder / f"p{n:02d}.jpg" for n in range(25)]
    for photo in photos:
        photo.write_bytes(b"\xff\xd8\xff")
    result = provenance.ok("source", "add", "--no-progress", str(folder))
    assert result.stderr.splitlines() == [
        f"skipped 25 (provenance does not read .jpg files): {', '.join(map(str, photos))}"
    ]


def test_a_folder_with_nothing_to_read_is_refused_naming_what_it_skipped(
    provenance: Provenance, tmp_path: Path
) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    assert provenance.fails("source", "add", str(folder)) == (
        f"Error: no files to capture in {folder}; provenance reads .htm, .html, .markdown, .md, .pdf, .text, .txt, "
        f".xhtml; skipped: {folder / 'photo.jpg'}"
    )
