"""the event log proves itself: a hash chain over its events, and TRUNCATE refused on PostgreSQL

Each event gets its place in a hash chain (``seq``), its ``hash`` (SHA-256 of its canonical content and of the
hash before it, see provenance/logchain.py) and ``state`` (on a transaction's last event: the digests of the
claims, evidence, contradictions and sources it left). ``migrated`` marks the events already in the log when the
chain was added: this migration hashes them, in id order, and gives the last of them the digests of every claim,
evidence, contradiction and source as they are now. The chain of such a log starts at this migration, and
``provenance verify`` says so: those events were hashed now, not as each was written.

The append-only triggers are replaced: an event's chain columns may be set once (when the transaction that wrote
it commits), nothing else changed, no event deleted; on PostgreSQL ``TRUNCATE event`` is refused too, and the
triggers fire ALWAYS, also in a session with ``session_replication_role = replica``. SQLite
copies the event table to drop columns on downgrade, which drops its triggers: they are made again as before.

Revision ID: 2b37164c65ab
Revises: 9c2b7e4f1a36
Create Date: 2026-12-07 12:37:36.462192
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from provenance import logchain

revision: str = "2b37164c65ab"
down_revision: str | None = "9c2b7e4f1a36"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTENT = ("id", "occurred_at", "actor", "action", "subject_type", "subject_key", "before", "after", "reason")
BATCH = 1000

# The triggers before this revision (as 775432c97524 made them).
OLD_SQLITE_TRIGGERS = [
    """CREATE TRIGGER event_append_only_update BEFORE UPDATE ON event BEGIN
        SELECT RAISE(ABORT, 'the event log is append-only: an event cannot be changed');
    END""",
    """CREATE TRIGGER event_append_only_delete BEFORE DELETE ON event BEGIN
        SELECT RAISE(ABORT, 'the event log is append-only: an event cannot be deleted');
    END""",
]
OLD_POSTGRESQL_TRIGGERS = [
    """CREATE FUNCTION provenance_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the event log is append-only: an event cannot be %', CASE TG_OP
            WHEN 'UPDATE' THEN 'changed' ELSE 'deleted' END;
    END
    $$""",
    """CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON event
        FOR EACH ROW EXECUTE FUNCTION provenance_event_append_only()""",
]

# Sealing sets seq, hash and state of an event that has none yet; nothing else of an event may change.
_UNCHANGED = " AND ".join(f"new.{name} IS {{same}} old.{name}" for name in ("id", *CONTENT[1:], "migrated"))
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER event_append_only_update BEFORE UPDATE ON event
        WHEN NOT (old.hash IS NULL AND old.seq IS NULL AND old.state IS NULL AND {_UNCHANGED.format(same="")})
    BEGIN
        SELECT RAISE(ABORT, 'the event log is append-only: an event cannot be changed');
    END""",
    OLD_SQLITE_TRIGGERS[1],
]
_PG_UNCHANGED = " AND ".join(
    f"NEW.{name}{'::text' if name in ('before', 'after') else ''} IS NOT DISTINCT FROM "
    f"OLD.{name}{'::text' if name in ('before', 'after') else ''}"
    for name in ("id", *CONTENT[1:], "migrated")
)
POSTGRESQL_TRIGGERS = [
    f"""CREATE FUNCTION provenance_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            RAISE EXCEPTION 'the event log is append-only: it cannot be truncated';
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND OLD.seq IS NULL AND OLD.state IS NULL AND {_PG_UNCHANGED} THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'the event log is append-only: an event cannot be %', CASE TG_OP
            WHEN 'UPDATE' THEN 'changed' ELSE 'deleted' END;
    END
    $$""",
    """CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON event
        FOR EACH ROW EXECUTE FUNCTION provenance_event_append_only()""",
    """CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON event
        FOR EACH STATEMENT EXECUTE FUNCTION provenance_event_append_only()""",
    # fired in every session, also one with session_replication_role = replica (which skips ordinary triggers)
    "ALTER TABLE event ENABLE ALWAYS TRIGGER event_append_only",
    "ALTER TABLE event ENABLE ALWAYS TRIGGER event_no_truncate",
]

event = sa.table(
    "event",
    sa.column("id", sa.Integer),
    sa.column("occurred_at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.Text),
    sa.column("action", sa.String),
    sa.column("subject_type", sa.String),
    sa.column("subject_key", sa.Text),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
    sa.column("reason", sa.Text),
    sa.column("seq", sa.Integer),
    sa.column("hash", sa.String),
    sa.column("state", sa.JSON),
    sa.column("migrated", sa.Boolean),
)
ROW_TYPES: dict[str, Any] = {"confidence": sa.Float, "anchor_score": sa.Float, "needs_review": sa.Boolean}
TIMES = ("created_at", "updated_at")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _drop_triggers() -> None:
    if _sqlite():
        op.execute("DROP TRIGGER IF EXISTS event_append_only_update")
        op.execute("DROP TRIGGER IF EXISTS event_append_only_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS event_no_truncate ON event")
        op.execute("DROP TRIGGER IF EXISTS event_append_only ON event")
        op.execute("DROP FUNCTION IF EXISTS provenance_event_append_only()")


def _states(connection: sa.Connection) -> dict[str, Any] | None:
    """The digests of every claim, evidence, contradiction and source as they are now."""
    states: dict[str, dict[str, str]] = {}
    for name, fields in logchain.ROW_FIELDS.items():
        columns = [
            sa.column(f, sa.DateTime(timezone=True) if f in TIMES else ROW_TYPES.get(f, sa.Text)) for f in fields
        ]
        for row in connection.execute(sa.select(*columns).select_from(sa.table(name))).mappings():
            states.setdefault(name, {})[str(row["id"])] = logchain.row_digest(name, row)
    spans: dict[int, list[tuple[Any, ...]]] = {}
    passages = sa.select(*(sa.column(f) for f in ("source_id", *logchain.PASSAGE_FIELDS))).select_from(
        sa.table("passage")
    )
    for source_id, *passage in connection.execute(passages):
        spans.setdefault(source_id, []).append(tuple(passage))
    for source_id, key, text_sha256 in connection.execute(sa.text("SELECT id, key, text_sha256 FROM source")):
        states.setdefault("source", {})[str(source_id)] = logchain.source_digest(
            key, text_sha256, spans.get(source_id, [])
        )
    return dict(sorted(states.items())) or None


def _chain_existing_events() -> None:
    connection = op.get_bind()
    ids = list(connection.execute(sa.select(event.c.id).order_by(event.c.id)).scalars())
    if not ids:
        return
    states = _states(connection)
    previous, seq = logchain.GENESIS, 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        columns = [event.c[name] for name in CONTENT]
        sealed = []
        for row in connection.execute(sa.select(*columns).where(event.c.id.in_(chunk)).order_by(event.c.id)).mappings():
            seq += 1
            state = states if row["id"] == ids[-1] else None
            previous = logchain.event_hash({**row, "seq": seq, "state": state}, previous)
            sealed.append({"event_id": row["id"], "seq": seq, "hash": previous, "state": state})
        connection.execute(
            event.update()
            .where(event.c.id == sa.bindparam("event_id"))
            .values(seq=sa.bindparam("seq"), hash=sa.bindparam("hash"), state=sa.bindparam("state"), migrated=True),
            sealed,
        )


def upgrade() -> None:
    _drop_triggers()
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("state", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("migrated", sa.Boolean(), server_default="0", nullable=False))
        batch_op.create_index(batch_op.f("ix_event_seq"), ["seq"], unique=True)
    _chain_existing_events()
    for statement in SQLITE_TRIGGERS if _sqlite() else POSTGRESQL_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    _drop_triggers()
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_seq"))
        batch_op.drop_column("migrated")
        batch_op.drop_column("state")
        batch_op.drop_column("hash")
        batch_op.drop_column("seq")
    for statement in OLD_SQLITE_TRIGGERS if _sqlite() else OLD_POSTGRESQL_TRIGGERS:
        op.execute(statement)
