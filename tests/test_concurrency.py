"""Many hands at once: two analysts changing one claim (the second is refused, nothing of either is lost), a change
made from a version read earlier (``--expect-version``), the version counter, and several processes writing to
one SQLite file at once (all succeed, none is told the database is locked)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED_2018, Provenance, row_counts
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from provenance import assessment, claims, db
from provenance.errors import Conflict
from provenance.models import Claim, Event, Evidence

KEY_2018 = "india-north-korea-2018"
SUNTECH = "suntech-diversion"  # one piece of evidence in the demo corpus
# Part of a sentence of the 2018 seed: citing it makes a passage of its own (a quote), besides the evidence.
PART_QUOTE = "alleged clandestine nuclear and missile technology links"
SENTENCE = "The reference seemed to be to reports for the past more than two decades"

only_postgresql = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
only_sqlite = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def two_engines(db_url: str) -> Iterator[tuple[Engine, Engine]]:
    """Two engines on one database: two analysts' connections."""
    first, second = db.make_engine(db_url), db.make_engine(db_url)
    yield first, second
    first.dispose()
    second.dispose()


def shown(provenance: Provenance, key: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(provenance.ok("claim", "show", key, "--json").stdout)
    return record


def version_of(provenance: Provenance, key: str) -> int:
    return int(shown(provenance, key)["version"])


# --- two analysts, one claim (PostgreSQL: writers do not wait for each other's reads) -------------------


def cite_a_new_passage(session: Session, claim: Claim) -> None:
    """Writes a passage, then fails on the claim's update (its flush comes within add_evidence)."""
    claims.add_evidence(session, claim.key, KEY_2018, PART_QUOTE, stance="supports")


def change_the_note(session: Session, claim: Claim) -> None:
    """Changes the claim in memory only: the update fails when the transaction commits."""
    claim.confidence_note = "a note written over the other analyst's"


@only_postgresql
@pytest.mark.parametrize("second_change", [cite_a_new_passage, change_the_note])
def test_the_second_of_two_analysts_changing_one_claim_gets_a_conflict_and_nothing_is_lost(
    seeded: Provenance, two_engines: tuple[Engine, Engine], second_change: Callable[[Session, Claim], None]
) -> None:
    first, second = two_engines
    version = version_of(seeded, SUNTECH)
    before = row_counts(seeded.url)
    with pytest.raises(Conflict) as raised, db.session_scope(second) as theirs:
        read = claims.get_claim(theirs, SUNTECH)  # the second analyst reads the claim (and keeps it) ...
        assert read.version == version
        with db.session_scope(first) as mine:
            assert claims.get_claim(mine, SUNTECH).version == version  # ... so does the first ...
            assessment.set_claim_confidence(mine, SUNTECH, "likely", reason="the ministry confirmed it")
        # ... and commits first. Then the second changes the claim they read: its update matches no row (the
        # version has moved on), in a flush or when the transaction commits.
        second_change(theirs, read)

    message = str(raised.value)
    assert message == (
        f"claim '{SUNTECH}' was changed by someone else since this command read it at version {version}, now at "
        f"version {version + 1}; nothing was saved; re-read it with `provenance claim show {SUNTECH}` and try again"
    )
    assert "\n" not in message
    # the first change is intact ...
    record = shown(seeded, SUNTECH)
    assert record["version"] == version + 1
    assert record["confidence"] == {"probability": 0.675, "term": "likely"}
    assert record["confidence_note"] == "the ministry confirmed it"
    assert PART_QUOTE not in json.dumps(record)
    # ... and the second left nothing: no passage, no evidence, no event; the first wrote its one event
    assert row_counts(seeded.url) == {**before, "event": before["event"] + 1}


@only_postgresql
def test_two_analysts_deciding_one_contradiction_at_once_the_second_waits_and_is_refused(
    seeded: Provenance, two_engines: tuple[Engine, Engine]
) -> None:
    from provenance import contradictions

    first, second = two_engines
    pair = ("dprk-denuclearisation-willingness", "talks-may-be-called-off")
    decided, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def first_analyst() -> None:
        try:
            with db.session_scope(first) as mine:
                contradictions.resolve_contradiction(mine, *pair, note="the talks went ahead")
                decided.set()
                release.wait(10)  # holds the contradiction's row until the second analyst is waiting for it
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            decided.set()

    thread = threading.Thread(target=first_analyst)
    thread.start()
    assert decided.wait(10)
    threading.Timer(0.5, release.set).start()
    try:
        with pytest.raises(Conflict, match="is already resolved"), db.session_scope(second) as theirs:
            contradictions.dismiss_contradiction(theirs, *pair, note="not a real contradiction")
    finally:
        release.set()
        thread.join()
    assert not failures
    with db.session_scope(second) as session:
        decision = contradictions.get_contradiction(session, *pair)
        assert (decision.status.value, decision.resolution) == ("resolved", "the talks went ahead")


@only_postgresql
def test_a_claim_changed_and_committed_between_two_statements_of_one_command_fails_it_in_one_line(
    seeded: Provenance, two_engines: tuple[Engine, Engine]
) -> None:
    """Any command gets the same error: the other analyst's change is committed between the command's read of
    the claim and its update of it."""
    other, _ = two_engines
    version = version_of(seeded, SUNTECH)
    fired: list[str] = []

    def meanwhile(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("UPDATE claim") and not fired:
            fired.append(statement)
            with db.session_scope(other) as session:
                assessment.set_claim_confidence(session, SUNTECH, "unlikely", reason="denied by the ministry")

    before = row_counts(seeded.url)
    event.listen(Engine, "before_cursor_execute", meanwhile)
    try:
        result = seeded("claim", "confidence", SUNTECH, "likely", "--reason", "two sources agree")
    finally:
        event.remove(Engine, "before_cursor_execute", meanwhile)
    assert fired
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (
        f"Error: claim '{SUNTECH}' was changed by someone else since this command read it at version {version}, "
        f"now at version {version + 1}; nothing was saved; re-read it with `provenance claim show {SUNTECH}` and "
        "try again\n"
    )
    record = shown(seeded, SUNTECH)
    assert (record["version"], record["confidence_note"]) == (version + 1, "denied by the ministry")
    assert row_counts(seeded.url) == {**before, "event": before["event"] + 1}


@only_postgresql
def test_two_analysts_adding_the_same_claim_at_once_the_second_is_refused_in_one_line(
    provenance: Provenance, two_engines: tuple[Engine, Engine]
) -> None:
    other, _ = two_engines
    fired: list[str] = []

    def meanwhile(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # the command has found no claim under the key; before it inserts its own, another analyst's is committed
        if statement.startswith("INSERT INTO claim ") and not fired:
            fired.append(statement)
            with db.session_scope(other) as session:
                claims.add_claim(session, "talks-resume", "Talks between the two Koreas resume in June")

    before = row_counts(provenance.url)
    event.listen(Engine, "before_cursor_execute", meanwhile)
    try:
        result = provenance("claim", "add", "talks-resume", "Talks resume", "--about", "North Korea")
    finally:
        event.remove(Engine, "before_cursor_execute", meanwhile)
    assert fired
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: another command saved a claim with key 'talks-resume' while this one ran; nothing was saved; run "
        "the command again\n"
    )
    # only the other analyst's claim, without the entity this command would have made
    assert row_counts(provenance.url) == {**before, "claim": 1, "event": before["event"] + 1}
    assert provenance.fails("claim", "add", "talks-resume", "Talks resume") == (
        "Error: claim 'talks-resume' already exists; choose another key or `provenance claim show talks-resume`"
    )


# --- on SQLite, a writer waits for the other and then works from its result ------------------------------


@only_sqlite
def test_on_sqlite_a_change_waits_for_another_writer_then_reads_what_it_wrote(seeded: Provenance) -> None:
    version = version_of(seeded, SUNTECH)
    holding = threading.Event()
    failures: list[BaseException] = []

    def other_writer() -> None:
        engine = db.make_engine(seeded.url)
        try:
            with Session(engine) as session:
                assessment.set_claim_confidence(session, SUNTECH, "unlikely", reason="denied by the ministry")
                holding.set()  # it holds the write lock, uncommitted ...
                time.sleep(0.5)
                session.commit()  # ... for half a second
        except BaseException as exc:
            failures.append(exc)
        finally:
            holding.set()
            engine.dispose()

    thread = threading.Thread(target=other_writer)
    thread.start()
    assert holding.wait(10)
    engine = db.make_engine(seeded.url)
    started = time.perf_counter()
    try:
        with db.session_scope(engine) as session:
            claim = claims.get_claim(session, SUNTECH)
            # the transaction began only once the other writer committed: it reads the claim as that left it
            assert (claim.version, claim.confidence_note) == (version + 1, "denied by the ministry")
            assessment.set_claim_confidence(session, SUNTECH, "likely", reason="two sources agree")
    finally:
        engine.dispose()
        thread.join()
    assert not failures
    assert time.perf_counter() - started >= 0.3
    assert version_of(seeded, SUNTECH) == version + 2


@contextmanager
def another_writer_holding_the_lock(url: str) -> Iterator[None]:
    """Another connection holds SQLite's write lock (a change to the claim, flushed, not committed) for the block."""
    holding, release = threading.Event(), threading.Event()

    def holder() -> None:
        engine = db.make_engine(url)
        try:
            with Session(engine) as session:
                assessment.set_claim_confidence(session, SUNTECH, "unlikely", reason="held")
                session.flush()
                holding.set()
                release.wait(10)
                session.rollback()
        finally:
            holding.set()
            engine.dispose()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert holding.wait(10)
        yield
    finally:
        release.set()
        thread.join()


@only_sqlite
def test_on_sqlite_a_writer_kept_waiting_past_the_busy_timeout_is_told_so_in_one_line(
    seeded: Provenance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 1000)
    with another_writer_holding_the_lock(seeded.url):
        line = seeded.fails("claim", "confidence", SUNTECH, "likely", "--reason", "two sources agree")
    assert line == (
        f"Error: database {db.describe_url(db.resolve_url(seeded.url))} is locked by another command (waited up to "
        "1 s); nothing was saved; run the command again when that one is done"
    )


@only_sqlite
@pytest.mark.parametrize(
    "command",
    [("claim", "show", SUNTECH), ("claim", "list"), ("status",), ("report",), ("verify",)],
)
def test_on_sqlite_commands_that_only_read_do_not_wait_for_a_writer(
    seeded: Provenance, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 1000)
    # The writer keeps its lock until this command is done: had the command waited for it, it would have failed
    # after the busy timeout with "is locked by another command".
    with another_writer_holding_the_lock(seeded.url):
        result = seeded.ok(*command)
    assert result.stdout


# --- --expect-version: a change made from what the analyst read -----------------------------------------


def test_claim_show_gives_the_version_in_text_and_json(seeded: Provenance) -> None:
    version = version_of(seeded, SUNTECH)
    assert version == 2  # added, then one piece of evidence
    assert f"  version: {version}" in seeded.ok("claim", "show", SUNTECH).stdout.splitlines()
    listed = json.loads(seeded.ok("claim", "list", "--json").stdout)
    assert {c["key"]: c["version"] for c in listed}[SUNTECH] == version


def test_a_change_from_a_version_read_earlier_is_refused_in_one_line_with_nothing_written(seeded: Provenance) -> None:
    read = version_of(seeded, SUNTECH)
    seeded.ok("claim", "confidence", SUNTECH, "likely", "--reason", "the ministry confirmed it")  # someone else
    now = read + 1
    refusal = (
        f"Error: claim '{SUNTECH}' is at version {now}, not {read} as expected: it was changed since you read it; "
        f"re-read it with `provenance claim show {SUNTECH}` and try again"
    )
    stale = str(read)
    assert seeded.fails("claim", "confidence", SUNTECH, "unlikely", "--reason", "r", "--expect-version", stale) == (
        refusal
    )
    evidence_add = ("evidence", "add", SUNTECH, KEY_2018, "--quote", PART_QUOTE, "--stance", "supports")
    assert seeded.fails(*evidence_add, "--expect-version", stale) == refusal
    assert shown(seeded, SUNTECH)["confidence_note"] == "the ministry confirmed it"
    # with the version as it is now, the same changes go through, each raising it by one
    seeded.ok("claim", "confidence", SUNTECH, "unlikely", "--reason", "denied", "--expect-version", str(now))
    seeded.ok(*evidence_add, "--expect-version", str(now + 1))
    assert version_of(seeded, SUNTECH) == now + 2


def test_confirming_evidence_checks_its_claims_version(seeded: Provenance) -> None:
    typo = "alleged clandestine nuclear and missle technology links"
    added = seeded.ok(
        "evidence", "add", SUNTECH, KEY_2018, "--quote", typo, "--stance", "supports", "--accept-fuzzy", "--json"
    )
    evidence_id = str(json.loads(added.stdout)["evidence_id"])
    version = version_of(seeded, SUNTECH)
    line = seeded.fails("evidence", "confirm", evidence_id, "--note", "a typo", "--expect-version", str(version - 1))
    assert line.startswith(f"Error: claim '{SUNTECH}' is at version {version}, not {version - 1} as expected")
    seeded.ok("evidence", "confirm", evidence_id, "--note", "a typo", "--expect-version", str(version))
    assert version_of(seeded, SUNTECH) == version + 1


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_expect_version_must_be_a_positive_whole_number(seeded: Provenance, value: str) -> None:
    line = seeded.fails("claim", "confidence", SUNTECH, "likely", "--reason", "r", "--expect-version", value, code=2)
    assert "--expect-version" in line


def test_the_workflow_commands_check_the_version_too(seeded: Provenance) -> None:
    version = version_of(seeded, SUNTECH)
    stale, now = str(version - 1), str(version)
    for args in (
        ("review", SUNTECH, "--status", "in_progress"),
        ("claim", "assign", SUNTECH, "--to", "Ana Lima"),
        ("claim", "withdraw", SUNTECH, "--reason", "a duplicate"),
    ):
        line = seeded.fails(*args, "--expect-version", stale)
        assert line.startswith(f"Error: claim '{SUNTECH}' is at version {version}, not {stale} as expected"), args
    seeded.ok("review", SUNTECH, "--status", "in_progress", "--expect-version", now)
    seeded.ok("claim", "assign", SUNTECH, "--to", "Ana Lima", "--expect-version", str(version + 1))
    seeded.ok("claim", "withdraw", SUNTECH, "--reason", "a duplicate", "--expect-version", str(version + 2))
    record = shown(seeded, SUNTECH)
    assert (record["version"], record["status"]) == (version + 3, "withdrawn")


CHANGING_COMMANDS = [
    ("claim", "confidence"),
    ("claim", "assign"),
    ("claim", "withdraw"),
    ("review",),
    ("evidence", "add"),
    ("evidence", "confirm"),
]


@pytest.mark.parametrize("path", CHANGING_COMMANDS, ids=" ".join)
def test_every_command_that_changes_a_claim_takes_expect_version(path: tuple[str, ...]) -> None:
    from provenance.cli import cli

    command: Any = cli
    for name in path:
        command = command.commands[name]
    assert "--expect-version" in {o for p in command.params for o in p.opts}


# --- the version counter --------------------------------------------------------------------------------


def test_the_version_goes_up_by_exactly_one_per_change_and_not_at_all_without_one(seeded: Provenance) -> None:
    seeded.ok("claim", "add", "talks-resume", "Talks between the two Koreas resume in June")
    steps = [
        (("claim", "show", "talks-resume"), 1),  # a new claim
        (("evidence", "add", "talks-resume", KEY_2018, "--quote", SENTENCE, "--stance", "mentions"), 2),
        (("evidence", "add", "talks-resume", KEY_2018, "--quote", PART_QUOTE, "--stance", "mentions"), 3),
        (("claim", "confidence", "talks-resume", "unlikely", "--reason", "one source"), 4),
        (("claim", "confidence", "talks-resume", "unlikely", "--reason", "one source"), 4),  # nothing changed
        (("claim", "confidence", "talks-resume", "--clear", "--reason", "wait for more"), 5),
        (("claim", "assign", "talks-resume", "--to", "Ana Lima"), 6),
        (("claim", "assign", "talks-resume", "--to", "Ana Lima"), 6),  # nothing changed
        (("review", "talks-resume", "--status", "in_progress"), 7),
        (("review", "talks-resume", "--status", "in_review", "--verdict", "unproven"), 8),  # both at once: one
        (("claim", "list"), 8),
        (("report",), 8),
        (("claim", "withdraw", "talks-resume", "--reason", "a duplicate"), 9),
    ]
    for args, expected in steps:
        seeded.ok(*args)
        assert version_of(seeded, "talks-resume") == expected, args
    # a refused change leaves it as it was
    seeded.fails("evidence", "add", "talks-resume", KEY_2018, "--quote", SENTENCE, "--stance", "supports")
    assert version_of(seeded, "talks-resume") == 9


def test_the_claims_file_import_counts_one_change_per_piece_of_evidence(seeded: Provenance) -> None:
    engine = db.make_engine(seeded.url)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(Claim.key, Claim.version, func.count(Evidence.id))
                .outerjoin(Evidence, Evidence.claim_id == Claim.id)
                .group_by(Claim.key, Claim.version)
            ).all()
    finally:
        engine.dispose()
    assert rows and all(version == 1 + evidence for _key, version, evidence in rows)


# --- several processes writing to one SQLite file ---------------------------------------------------------

# One process: `writes` writes, each in its own transaction as a separate command would be. It adds a claim of
# its own, cites a sentence for that claim, then changes the likelihood of the claim every process shares.
WORKER = """
import json, sys, time
from provenance import assessment, claims, db

url, name, writes, start_at, source, quote, shared = sys.argv[1:8]
engine = db.make_engine(url)
errors, slowest = [], 0.0
time.sleep(max(0.0, float(start_at) - time.time()))
for j in range(int(writes)):
    started = time.perf_counter()
    try:
        with db.session_scope(engine) as session:
            if j % 3 == 0:
                claims.add_claim(session, f"{name}-{j}", f"Claim {j} written by {name}")
            elif j % 3 == 1:
                claims.add_evidence(session, f"{name}-{j - 1}", source, quote, stance="supports")
            else:
                likelihood = "likely" if j % 2 else "unlikely"
                assessment.set_claim_confidence(session, shared, likelihood, reason=f"{name} write {j}")
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    slowest = max(slowest, time.perf_counter() - started)
print(json.dumps({"errors": errors, "slowest": slowest}))
"""
WORKER_ARGS = (KEY_2018, SENTENCE, "shared")  # the source to cite, the words cited, the claim all processes change
# The `provenance` command, as its console script runs it.
PROVENANCE = (sys.executable, "-c", "import sys; from provenance.cli import cli; sys.exit(cli())")
LIKELIHOODS = ("likely", "unlikely")
COMMANDS = 4  # each process spends most of a second importing provenance


@only_sqlite
def test_eight_processes_writing_100_times_each_to_one_sqlite_file_all_succeed(
    provenance: Provenance, tmp_path: Path
) -> None:
    processes, writes = 8, 100
    provenance.ok("source", "add", str(SEED_2018))
    provenance.ok("claim", "add", "shared", "A claim every process changes")
    start_at = time.time() + 1.5  # every process has imported provenance by then
    children = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, provenance.url, f"p{i}", str(writes), str(start_at), *WORKER_ARGS],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PROVENANCE_USER": f"writer-{i}"},
        )
        for i in range(processes)
    ]
    outputs = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0] * processes, [err for _out, err in outputs]
    assert all("database is locked" not in out + err for out, err in outputs)
    results = [json.loads(out) for out, _err in outputs]
    assert [r["errors"] for r in results] == [[]] * processes

    added = len(range(0, writes, 3))  # claims of its own per process, and as many citations of them
    cited = len(range(1, writes, 3))
    shared_changes = writes - added - cited
    engine = db.make_engine(provenance.url)
    try:
        with Session(engine) as session:
            by_writer = dict(
                session.execute(
                    select(Event.actor, func.count()).where(Event.actor.like("writer-%")).group_by(Event.actor)
                ).all()
            )
            assert by_writer == {f"writer-{i}": writes for i in range(processes)}  # all 800 writes are there
            assert session.scalar(select(func.count()).select_from(Claim)) == 1 + processes * added
            assert session.scalar(select(func.count()).select_from(Evidence)) == processes * cited
            versions = dict(session.execute(select(Claim.key, Claim.version)).all())
    finally:
        engine.dispose()
    assert versions.pop("shared") == 1 + processes * shared_changes  # each change raised it by exactly one
    # each process's own claims: added (version 1), then cited once (version 2), but for a last one not cited yet
    assert Counter(versions.values()) == {2: processes * cited, 1: processes * (added - cited)}


def test_commands_started_together_changing_one_claim_wait_their_turn_on_sqlite_or_are_refused_whole(
    seeded: Provenance, backend: str
) -> None:
    """Four `provenance` processes started together, each changing the same claim: on SQLite each waits its
    turn and all succeed; on PostgreSQL one that read the claim before another's change was committed is refused
    in one line. Either way, the claim's version counts the changes made, one event each."""
    version = version_of(seeded, SUNTECH)
    before = row_counts(seeded.url)
    children = [
        subprocess.Popen(
            [*PROVENANCE, "--db", seeded.url, "claim", "confidence", SUNTECH, LIKELIHOODS[i % 2], "--reason", f"a{i}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(COMMANDS)
    ]
    outputs = [child.communicate(timeout=120) for child in children]
    refused = [err for (_out, err), child in zip(outputs, children, strict=True) if child.returncode != 0]
    if backend == "sqlite":
        assert refused == []
    for line in refused:
        assert line.startswith(f"Error: claim '{SUNTECH}' was changed by someone else since this command read it")
        assert line.count("\n") == 1
    done = COMMANDS - len(refused)
    assert done >= 1
    assert version_of(seeded, SUNTECH) == version + done
    assert row_counts(seeded.url) == {**before, "event": before["event"] + done}
