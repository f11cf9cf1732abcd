"""The event log proves itself: every event sealed into a hash chain when its command commits, and `verify` finds
each way of rewriting history in SQL (a changed, removed, forged or inserted event; a claim, evidence or source
changed behind the log's back; a missing table or trigger), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from conftest import DEMO_CLAIMS, Provenance, row_counts
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from test_verify import KEY_2018, one, problems, query, tamper

from provenance import db, events, logchain
from provenance.importer import import_claims_file
from provenance.integrity import _CHAIN

BEFORE_CHAIN = "9c2b7e4f1a36"  # the revision before the chain was added


def kinds(provenance: Provenance) -> list[tuple[str, str]]:
    return [(p["kind"], p["table"]) for p in problems(provenance)]


def changes(provenance: Provenance) -> list[dict[str, Any]]:
    """The problems verify finds but the missing triggers (dropped on SQLite to rewrite the log)."""
    return [p for p in problems(provenance) if p["kind"] != "missing_trigger"]


def verified(provenance: Provenance, *args: str) -> dict[str, Any]:
    """`verify --json` passes; its record."""
    record: dict[str, Any] = json.loads(provenance.ok("verify", "--json", *args).stdout)
    assert record["ok"] is True and record["problems"] == []
    return record


def drop_event_triggers(url: str) -> None:
    engine = db.make_engine(url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("DROP TRIGGER event_append_only_update")
                connection.exec_driver_sql("DROP TRIGGER event_append_only_delete")
            else:
                connection.exec_driver_sql("DROP TRIGGER event_append_only ON event")
    finally:
        engine.dispose()


def rewrite(url: str, *statements: str, **values: Any) -> None:
    """Change the log as someone who owns the database can: with the append-only triggers dropped first."""
    drop_event_triggers(url)
    tamper(url, *statements, **values)


@contextmanager
def opened(url: str) -> Iterator[Session]:
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


# --- sealing ------------------------------------------------------------------------------------------


def test_every_event_is_sealed_in_order_when_its_command_commits(seeded: Provenance) -> None:
    rows = query(seeded.url, "SELECT id, seq, hash, state, migrated FROM event ORDER BY seq")
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1)) == [r.id for r in rows]
    assert all(len(r.hash) == 64 for r in rows) and not any(r.migrated for r in rows)
    record = verified(seeded)
    assert record["head"] == {"seq": len(rows), "hash": rows[-1].hash, "migrated_events": 0}
    # the import was one transaction: its last event carries the state of every row it left
    state = json.loads(rows[-1].state) if isinstance(rows[-1].state, str) else rows[-1].state
    assert {name: len(ids) for name, ids in state.items()} == {
        "claim": 12,
        "contradiction": 1,
        "evidence": 23,
        "source": 2,
    }


def chain(url: str) -> list[Any]:
    """The events in chain order, as verify reads them."""
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(_CHAIN).mappings())
    finally:
        engine.dispose()


def test_a_hash_is_recomputable_from_what_the_database_gives_back(seeded: Provenance) -> None:
    seeded.ok("claim", "add", "cafe", 'Ünïcode 🦆 and a "quote"', "--about", "Café Crème")
    previous = logchain.GENESIS
    for row in chain(seeded.url):
        assert logchain.event_hash(row, previous) == row["hash"]
        previous = row["hash"]
    assert previous == verified(seeded)["head"]["hash"]


def test_a_sealed_event_cannot_be_sealed_again(seeded: Provenance) -> None:
    with opened(seeded.url) as session:
        with pytest.raises(DBAPIError, match="the event log is append-only: an event cannot be changed"):
            session.execute(text("UPDATE event SET hash = :h WHERE seq = 1"), {"h": "0" * 64})
        session.rollback()


def test_an_unsealed_event_cannot_have_its_content_changed(db_url: str) -> None:
    with opened(db_url) as session:
        event_id = events.record(session, "claim.note", "claim", "k", reason="first")
        with pytest.raises(DBAPIError, match="the event log is append-only: an event cannot be changed"):
            session.execute(text("UPDATE event SET reason = 'second' WHERE id = :i"), {"i": event_id})
        session.rollback()


def test_how_an_actor_was_known_cannot_be_changed_once_written(db_url: str) -> None:
    with opened(db_url) as session:
        event_id = events.record(session, "claim.note", "claim", "k", reason="first")
        with pytest.raises(DBAPIError, match="the event log is append-only: an event cannot be changed"):
            session.execute(text("UPDATE event SET identity = 'signed-in' WHERE id = :i"), {"i": event_id})
        session.rollback()


def test_how_an_actor_was_known_is_in_the_hash_and_a_rewrite_is_found(seeded: Provenance) -> None:
    row = one(seeded.url, "SELECT id, identity FROM event WHERE seq = 5")
    assert row.identity == "declared"
    rewrite(seeded.url, "UPDATE event SET identity = 'signed-in' WHERE seq = 5")
    [found] = changes(seeded)
    assert (found["kind"], found["row_id"]) == ("event_changed", row.id)


def test_events_from_before_identities_keep_their_hash_form() -> None:
    event = {
        "id": 1,
        "seq": 1,
        "occurred_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        "actor": "ana",
        "action": "claim.add",
        "subject_type": "claim",
        "subject_key": "k",
        "before": None,
        "after": None,
        "reason": None,
        "state": None,
    }
    old_form = logchain.event_form({**event, "identity": None}, logchain.GENESIS)
    assert "identity" not in old_form and old_form == logchain.event_form(event, logchain.GENESIS)
    assert logchain.event_form({**event, "identity": "token"}, logchain.GENESIS)["identity"] == "token"


def test_chain_order_is_commit_order_when_ids_are_taken_out_of_order(db_url: str, backend: str) -> None:
    """On PostgreSQL two commands can take event ids in one order and commit in the other: the chain follows
    the commits. (On SQLite the second writer waits for the first, so ids and commits agree.)"""
    if backend == "sqlite":
        pytest.skip("SQLite writers cannot interleave")
    with opened(db_url) as first, opened(db_url) as second:
        early = events.record(first, "claim.note", "claim", "a", reason="taken first, committed last")
        late = events.record(second, "claim.note", "claim", "b", reason="taken last, committed first")
        assert early < late
        second.commit()
        first.commit()
    rows = query(db_url, "SELECT id, seq FROM event ORDER BY seq")
    assert [(r.id, r.seq) for r in rows] == [(late, 1), (early, 2)]
    verified(Provenance(db_url))


def test_writers_committing_at_once_wait_their_turn_for_the_chain(db_url: str) -> None:
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            engine = db.make_engine(db_url)
            try:
                for j in range(10):
                    with db.session_scope(engine) as session:
                        events.record(session, "claim.note", "claim", f"w{n}", reason=f"write {j}")
            finally:
                engine.dispose()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    record = verified(Provenance(db_url))
    assert record["events"] == record["head"]["seq"] == 40


# --- the log rewritten ----------------------------------------------------------------------------------


def test_truncating_the_log_is_refused_on_postgresql(seeded: Provenance, backend: str) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite has no TRUNCATE (DELETE is refused by its trigger)")
    before = row_counts(seeded.url)
    with pytest.raises(DBAPIError, match="the event log is append-only: it cannot be truncated"):
        tamper(seeded.url, "TRUNCATE event")  # as a replication session, too
    assert row_counts(seeded.url) == before


@pytest.mark.parametrize(
    ("statement", "word"), [("UPDATE event SET reason = 'x'", "changed"), ("DELETE FROM event", "deleted")]
)
def test_a_replication_session_cannot_rewrite_the_log_on_postgresql(
    seeded: Provenance, backend: str, statement: str, word: str
) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite has no replication role")
    before = row_counts(seeded.url)
    with pytest.raises(DBAPIError, match=f"the event log is append-only: an event cannot be {word}"):
        tamper(seeded.url, statement)  # with session_replication_role = replica
    assert row_counts(seeded.url) == before
    verified(seeded)


def test_a_trigger_that_replication_sessions_skip_is_found_on_postgresql(seeded: Provenance, backend: str) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite has no replication role")
    tamper(seeded.url, "ALTER TABLE event ENABLE TRIGGER event_append_only")  # back to firing only in origin sessions
    tamper(seeded.url, "UPDATE event SET reason = 'rewritten' WHERE seq = 3")  # as a replication session
    found = kinds(seeded)
    assert found == [("missing_trigger", "event"), ("event_changed", "event")]
    assert "skipped by sessions with session_replication_role set" in problems(seeded)[0]["message"]


def test_an_event_rewritten_past_the_triggers_is_found(seeded: Provenance) -> None:
    event = one(seeded.url, "SELECT id FROM event WHERE seq = 5")
    rewrite(seeded.url, "UPDATE event SET actor = 'someone else' WHERE seq = 5")
    [found] = changes(seeded)
    assert (found["kind"], found["row_id"]) == ("event_changed", event.id)
    assert found["subject"].startswith(f"event {event.id} (") and found["subject"].endswith("by someone else)")
    assert (
        "its hash is not that of its content and the event before it: it was changed after it was written"
        in (found["message"])
    )


def test_a_dropped_trigger_is_found_and_so_is_the_event_it_let_through(seeded: Provenance, backend: str) -> None:
    drop_event_triggers(seeded.url)
    found = kinds(seeded)
    assert found == [("missing_trigger", "event")] * (2 if backend == "sqlite" else 1)
    tamper(seeded.url, "UPDATE event SET reason = 'nothing happened' WHERE seq = 2")
    assert ("event_changed", "event") in kinds(seeded)


def test_a_disabled_trigger_is_found_on_postgresql(seeded: Provenance, backend: str) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite triggers cannot be disabled")
    tamper(seeded.url, "ALTER TABLE event DISABLE TRIGGER event_append_only")
    [found] = problems(seeded)
    assert found["kind"] == "missing_trigger" and "append-only is disabled" in found["message"]


def test_a_removed_event_is_found(seeded: Provenance) -> None:
    after = one(seeded.url, "SELECT id FROM event WHERE seq = 8")
    rewrite(seeded.url, "DELETE FROM event WHERE seq = 7")
    [found] = changes(seeded)
    assert (found["kind"], found["row_id"]) == ("event_missing", after.id)
    assert (
        "1 event before it is missing from the chain: expected place 7 of the chain next, found place 8"
        in (found["message"])
    )


def test_a_forged_event_inserted_in_sql_is_found(seeded: Provenance) -> None:
    tamper(
        seeded.url,
        "INSERT INTO event (occurred_at, actor, action, subject_type, subject_key, reason) "
        "VALUES (CURRENT_TIMESTAMP, 'intruder', 'claim.note', 'claim', 'suntech-diversion', 'all checked')",
    )
    [found] = problems(seeded)
    assert found["kind"] == "event_unchained"
    assert "claim.note claim suntech-diversion" in found["subject"] and "by intruder" in found["subject"]
    assert "it is not in the log's chain: it was inserted outside provenance" in found["message"]


def test_a_forged_event_given_a_place_and_a_made_up_hash_is_found(seeded: Provenance) -> None:
    head = one(seeded.url, "SELECT max(seq) AS seq FROM event").seq
    tamper(
        seeded.url,
        "INSERT INTO event (occurred_at, actor, action, subject_type, subject_key, seq, hash) "
        "VALUES (CURRENT_TIMESTAMP, 'intruder', 'claim.note', 'claim', 'x', :s, :h)",
        s=head + 1,
        h="f" * 64,
    )
    assert kinds(seeded) == [("event_changed", "event")]


def test_a_chain_rewritten_with_recomputed_hashes_fails_against_the_head_noted_earlier(seeded: Provenance) -> None:
    noted = verified(seeded)["head"]["hash"]
    assert verified(seeded, "--expect-head", noted.upper())["head"]["hash"] == noted
    # someone who knows the algorithm rewrites the last event and hashes it again
    *_, before, last = chain(seeded.url)
    rehashed = logchain.event_hash({**last, "reason": "rewritten"}, before["hash"])
    rewrite(seeded.url, "UPDATE event SET reason = 'rewritten', hash = :h WHERE id = :i", h=rehashed, i=last["id"])
    assert changes(seeded) == []  # the chain holds in itself (only the dropped triggers are found) ...
    result = seeded("verify", "--expect-head", noted)  # ... but no longer passes through the head noted earlier
    assert result.exit_code == 1
    assert (
        "the event log: the head noted earlier is not in the chain: the log was rewritten since it was noted: "
        f"expected a chain through {noted}, found a chain with head {rehashed} that does not pass through it"
    ) in result.stdout


def test_expect_head_must_be_a_hash(seeded: Provenance) -> None:
    line = seeded.fails("verify", "--expect-head", "abc")
    assert line == (
        "Error: --expect-head takes a log head as `provenance verify` prints it (64 hexadecimal digits), not 'abc'"
    )


# --- rows changed behind the log's back -------------------------------------------------------------------


def test_a_statement_rewritten_in_sql_is_found(seeded: Provenance) -> None:
    tamper(seeded.url, "UPDATE claim SET statement = 'Something else entirely' WHERE key = 'suntech-diversion'")
    [found] = problems(seeded)
    assert (found["kind"], found["table"], found["subject"]) == ("row_changed", "claim", "claim suntech-diversion")
    assert "it is not what the log says it last became: it was changed outside provenance" in found["message"]


def test_a_stance_rewritten_in_sql_is_found(seeded: Provenance) -> None:
    piece = one(seeded.url, "SELECT id, stance FROM evidence WHERE stance = 'supports' ORDER BY id LIMIT 1")
    tamper(seeded.url, "UPDATE evidence SET stance = 'contradicts' WHERE id = :i", i=piece.id)
    [found] = problems(seeded)
    assert (found["kind"], found["table"], found["row_id"]) == ("row_changed", "evidence", piece.id)


def test_a_contradiction_resolved_in_sql_is_found(seeded: Provenance) -> None:
    tamper(seeded.url, "UPDATE contradiction SET status = 'dismissed', resolution = 'no'")
    assert kinds(seeded) == [("row_changed", "contradiction")]


def test_a_status_outside_the_choices_is_a_changed_row_not_an_error(seeded: Provenance, backend: str) -> None:
    # the CHECK set aside, as another tool can: SQLite ignores it on request, PostgreSQL once it is dropped
    setting_aside = (
        "PRAGMA ignore_check_constraints = ON"
        if backend == "sqlite"
        else "ALTER TABLE claim DROP CONSTRAINT ck_claim_status"
    )
    tamper(seeded.url, setting_aside, "UPDATE claim SET status = 'bogus' WHERE key = 'suntech-diversion'")
    found = problems(seeded)
    assert ("row_changed", "claim", "claim suntech-diversion") in [(p["kind"], p["table"], p["subject"]) for p in found]
    # SQLite's own check of the file finds the broken CHECK too; nothing else is reported
    expected = 2 if backend == "sqlite" else 1
    assert len(found) == expected, found


def test_a_paragraph_whose_offsets_were_shifted_is_found(seeded: Provenance) -> None:
    paragraph = one(
        seeded.url,
        "SELECT p.id FROM passage p JOIN source s ON s.id = p.source_id WHERE s.key = :k AND p.kind = 'paragraph' "
        "ORDER BY p.char_start LIMIT 1 OFFSET 2",
        k=KEY_2018,
    )
    # a paragraph stores no words: its offsets still fall within its source's text, so only the log can tell
    tamper(
        seeded.url,
        "UPDATE passage SET char_start = char_start + 3, char_end = char_end + 3 WHERE id = :i",
        i=paragraph.id,
    )
    [found] = problems(seeded)
    assert (found["kind"], found["table"], found["subject"]) == ("row_changed", "source", f"source {KEY_2018}")
    assert "its text or passages were changed outside provenance" in found["message"]


def test_a_source_text_rewritten_with_its_hash_is_found(seeded: Provenance) -> None:
    import hashlib

    source = one(seeded.url, "SELECT id, text FROM source WHERE key = :k", k=KEY_2018)
    changed = source.text.replace("North Korea", "South Korea", 1)
    digest = hashlib.sha256(changed.encode()).hexdigest()
    tamper(seeded.url, "UPDATE source SET text = :t, text_sha256 = :h WHERE id = :i", t=changed, h=digest, i=source.id)
    assert ("row_changed", "source") in kinds(seeded)


def test_a_claim_inserted_in_sql_is_found(seeded: Provenance) -> None:
    tamper(
        seeded.url, "INSERT INTO claim (key, statement, status, version) VALUES ('forged', 'Made up', 'published', 1)"
    )
    [found] = problems(seeded)
    assert (found["kind"], found["subject"]) == ("unlogged_row", "claim forged")


def test_changes_made_through_provenance_keep_verify_clean(seeded: Provenance) -> None:
    for command_line in [
        ("review", "suntech-diversion", "--status", "in progress"),
        ("claim", "confidence", "suntech-diversion", "likely", "--reason", "two sources agree"),
        ("claim", "assign", "suntech-diversion", "--to", "anna"),
        ("claim", "add", "aid", "India sent aid", "--about", "India"),
        (
            "evidence",
            "add",
            "aid",
            "india-medical-aid-2020",
            "--quote",
            "India on Friday extended",
            "--stance",
            "supports",
        ),
        ("contradiction", "resolve", "dprk-denuclearisation-willingness", "talks-may-be-called-off", "--note", "both"),
        ("entity", "alias", "Abdul Qadeer Khan", "A. Q. Khan"),
        ("source", "rate", "india-medical-aid-2020", "b", "--note", "names the ministry"),
        ("source", "retract", KEY_2018, "--reason", "the publisher withdrew it"),
        ("claim", "withdraw", "aid", "--reason", "a duplicate"),
    ]:
        seeded.ok(*command_line)
    verified(seeded)


# --- the database itself --------------------------------------------------------------------------------


def test_a_database_missing_its_event_table_is_found(seeded: Provenance, backend: str) -> None:
    tamper(seeded.url, "DROP TABLE event" + (" CASCADE" if backend == "postgresql" else ""))
    result = seeded("verify")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "table event: it is missing from the database: expected table event, found no such table; restore the "
        "database from a backup or an export bundle; nothing else was checked"
    )
    assert result.stdout.splitlines()[1] == "log head not read: the database is missing a table (see above)"


def test_sqlite_integrity_check_failing_is_found(seeded: Provenance, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("PRAGMA quick_check is SQLite's")
    path = db.resolve_url(seeded.url).database or ""
    root = one(seeded.url, "SELECT rootpage FROM sqlite_master WHERE name = 'ix_event_subject'").rootpage
    size = one(seeded.url, "PRAGMA page_size")[0]
    engine = db.make_engine(seeded.url)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    with open(path, "r+b") as file:
        file.seek((root - 1) * size)
        file.write(b"\x0d" + b"\xff" * 64)  # the index's page, scrambled
    found = problems(seeded)
    assert found[0]["kind"] == "database_integrity"
    assert found[0]["message"].startswith("the database file: SQLite's own integrity check (PRAGMA quick_check) fails")


# --- a log that was there before the chain ----------------------------------------------------------------


def _migrate(engine: Any, direction: str, revision: str) -> None:
    with db._migrating(engine) as connection:
        getattr(command, direction)(db.alembic_config(connection), revision)


def test_a_log_migrated_to_the_chain_verifies_and_says_where_the_chain_starts(db_url: str) -> None:
    engine = db.make_engine(db_url)
    try:
        with db.session_scope(engine) as session:
            import_claims_file(session, DEMO_CLAIMS)
        _migrate(engine, "downgrade", BEFORE_CHAIN)
        assert "hash" not in {c["name"] for c in _columns(engine)}
        _migrate(engine, "upgrade", "head")
    finally:
        engine.dispose()
    desk = Provenance(db_url)
    record = verified(desk)
    assert record["head"]["seq"] == record["head"]["migrated_events"] == record["events"] == 53
    head = desk.ok("verify").stdout.splitlines()[0]
    assert head.endswith(
        "(event 53 of the chain; chained since the schema migration that added the chain: the first 53 events were "
        "hashed then, not as each was written)"
    )
    desk.ok("claim", "add", "after", "Added after the migration")
    record = verified(desk)
    assert (record["head"]["seq"], record["head"]["migrated_events"]) == (54, 53)
    # the rows the migration found are covered by the state it logged
    tamper(db_url, "UPDATE claim SET statement = 'Rewritten' WHERE key = 'suntech-diversion'")
    assert kinds(desk) == [("row_changed", "claim")]


def _columns(engine: Any) -> list[dict[str, Any]]:
    from sqlalchemy import inspect

    with engine.connect() as connection:
        return list(inspect(connection).get_columns("event"))


def test_the_chain_migration_steps_down_and_up_again_with_the_append_only_triggers(db_url: str) -> None:
    engine = db.make_engine(db_url)
    try:
        with db.session_scope(engine) as session:
            events.record(session, "claim.note", "claim", "k", reason="kept")
        _migrate(engine, "downgrade", BEFORE_CHAIN)
        with engine.connect() as connection, pytest.raises(DBAPIError, match="an event cannot be changed"):
            connection.execute(text("UPDATE event SET reason = 'x'"))
        _migrate(engine, "upgrade", "head")
        with engine.connect() as connection, pytest.raises(DBAPIError, match="an event cannot be deleted"):
            connection.execute(text("DELETE FROM event"))
    finally:
        engine.dispose()
    assert verified(Provenance(db_url))["head"]["migrated_events"] == 1


# --- bundles --------------------------------------------------------------------------------------------


@pytest.fixture
def exported(seeded: Provenance, tmp_path: Path) -> dict[str, Any]:
    """The seeded desk as a bundle (on either backend)."""
    path = tmp_path / "desk.json"
    seeded.ok("export", "bundle", "-o", str(path))
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _into_new_desk(data: dict[str, Any], tmp_path: Path) -> tuple[Provenance, Path]:
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    desk = Provenance(f"sqlite:///{tmp_path / 'new.db'}")
    desk.ok("init")
    return desk, path


def _cell(data: dict[str, Any], table: str, column: str, where: Callable[[dict[str, Any]], bool]) -> list[Any]:
    columns = data["tables"][table]["columns"]
    rows = [row for row in data["tables"][table]["rows"] if where(dict(zip(columns, row, strict=True)))]
    assert len(rows) == 1
    return [rows[0], columns.index(column)]


def test_a_bundle_carries_the_chain_and_imports_with_the_same_head(
    seeded: Provenance, exported: dict[str, Any], tmp_path: Path
) -> None:
    assert {"seq", "hash", "state", "migrated"} <= set(exported["tables"]["event"]["columns"])
    desk, path = _into_new_desk(exported, tmp_path)
    desk.ok("import", str(path))
    assert verified(desk)["head"] == verified(seeded)["head"]
    desk.ok("claim", "add", "after-the-move", "Added after the move")
    assert verified(desk)["head"]["seq"] == 54


@pytest.mark.parametrize(
    ("table", "column", "match", "value", "found"),
    [
        ("event", "reason", lambda r: r["seq"] == 10, "edited", "event_changed"),
        ("claim", "statement", lambda r: r["key"] == "suntech-diversion", "Edited", "row_changed"),
        ("evidence", "stance", lambda r: r["stance"] == "supports" and r["id"] == 1, "contradicts", "row_changed"),
        ("passage", "char_start", lambda r: r["kind"] == "paragraph" and r["id"] == 1, 1, "row_changed"),
    ],
)
def test_an_edited_bundle_is_refused_and_nothing_is_imported(
    exported: dict[str, Any], tmp_path: Path, table: str, column: str, match: Any, value: Any, found: str
) -> None:
    row, index = _cell(exported, table, column, match)
    row[index] = value
    desk, path = _into_new_desk(exported, tmp_path)
    line = desk.fails("import", str(path))
    assert line.startswith("Error: damaged bundle: its event log does not hold: ")
    assert line.endswith(
        "the bundle was changed after it was exported: export it again from the desk's database; nothing was imported"
    )
    assert sum(row_counts(desk.url).values()) == 0


def test_a_bundle_with_an_event_left_out_is_refused(exported: dict[str, Any], tmp_path: Path) -> None:
    del exported["tables"]["event"]["rows"][20]
    desk, path = _into_new_desk(exported, tmp_path)
    line = desk.fails("import", str(path))
    assert "event before it is missing from the chain" in line


def test_rows_written_in_bulk_are_logged_when_their_writer_says_so(db_url: str) -> None:
    from sqlalchemy import insert, select

    from provenance.models import Claim, utcnow

    with opened(db_url) as session:
        now = utcnow()
        rows = [{"key": f"bulk-{n}", "statement": f"Claim {n}", "created_at": now, "updated_at": now} for n in range(3)]
        session.execute(insert(Claim), rows)
        events.note_written(session, "claim", session.scalars(select(Claim.id).where(Claim.key != "bulk-2")))
        events.record(session, "claim.bulk", "claim", "bulk-*")
        session.commit()
    [found] = problems(Provenance(db_url))
    assert (found["kind"], found["subject"]) == ("unlogged_row", "claim bulk-2")


def test_a_missing_search_trigger_or_index_is_found_on_sqlite(seeded: Provenance, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's search index is kept by triggers; PostgreSQL's by a generated column")
    tamper(seeded.url, "DROP TRIGGER claim_search_update")
    [found] = problems(seeded)
    assert found["message"].startswith(
        "trigger claim_search_update on table claim: the trigger that keeps the search index claim_search in step "
        "is missing: expected trigger claim_search_update, found no such trigger; searches miss or misreport"
    )
    tamper(seeded.url, "DROP TABLE passage_search")
    assert ("missing_table", "passage_search") in kinds(seeded)
