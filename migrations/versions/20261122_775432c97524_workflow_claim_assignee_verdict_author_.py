"""workflow: claim assignee, verdict author and version counter; source retraction; desk settings; append-only event log

Claims get an assignee, the name of whoever last set the verdict (publishing needs someone else to review it)
and a version counter for optimistic locking. Sources can be retracted (who, when, why) instead of deleted.
Desk-wide settings get a table. The event log refuses UPDATE and DELETE in the database itself (triggers on
both backends), so no program, ours or another, can rewrite history without dropping the trigger first.

SQLite copies the claim table to drop columns on downgrade, which drops its search-index triggers; they are
created again as the full-text search migration made them.

Revision ID: 775432c97524
Revises: d81f5c2e9a47
Create Date: 2026-11-22 21:27:09.159852
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "775432c97524"
down_revision: str | None = "d81f5c2e9a47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SQLITE_EVENT_TRIGGERS = [
    """CREATE TRIGGER event_append_only_update BEFORE UPDATE ON event BEGIN
        SELECT RAISE(ABORT, 'the event log is append-only: an event cannot be changed');
    END""",
    """CREATE TRIGGER event_append_only_delete BEFORE DELETE ON event BEGIN
        SELECT RAISE(ABORT, 'the event log is append-only: an event cannot be deleted');
    END""",
]
POSTGRESQL_EVENT_TRIGGERS = [
    """CREATE FUNCTION provenance_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the event log is append-only: an event cannot be %', CASE TG_OP
            WHEN 'UPDATE' THEN 'changed' ELSE 'deleted' END;
    END
    $$""",
    """CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON event
        FOR EACH ROW EXECUTE FUNCTION provenance_event_append_only()""",
]
SQLITE_CLAIM_TRIGGERS = [
    """CREATE TRIGGER claim_search_insert AFTER INSERT ON claim BEGIN
        INSERT INTO claim_search (rowid, key, statement) VALUES (new.id, new.key, new.statement);
    END""",
    """CREATE TRIGGER claim_search_delete AFTER DELETE ON claim BEGIN
        INSERT INTO claim_search (claim_search, rowid, key, statement)
            VALUES ('delete', old.id, old.key, old.statement);
    END""",
    """CREATE TRIGGER claim_search_update AFTER UPDATE ON claim BEGIN
        INSERT INTO claim_search (claim_search, rowid, key, statement)
            VALUES ('delete', old.id, old.key, old.statement);
        INSERT INTO claim_search (rowid, key, statement) VALUES (new.id, new.key, new.statement);
    END""",
]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("updated_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("verdict_by", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retracted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("retracted_by", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("retraction_reason", sa.Text(), nullable=True))

    for statement in SQLITE_EVENT_TRIGGERS if _sqlite() else POSTGRESQL_EVENT_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if _sqlite():
        op.execute("DROP TRIGGER IF EXISTS event_append_only_update")
        op.execute("DROP TRIGGER IF EXISTS event_append_only_delete")
        for name in ("claim_search_insert", "claim_search_delete", "claim_search_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS event_append_only ON event")
        op.execute("DROP FUNCTION IF EXISTS provenance_event_append_only()")
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_column("retraction_reason")
        batch_op.drop_column("retracted_by")
        batch_op.drop_column("retracted_at")

    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("verdict_by")
        batch_op.drop_column("assignee")

    op.drop_table("setting")
    if _sqlite():
        for statement in SQLITE_CLAIM_TRIGGERS:
            op.execute(statement)
