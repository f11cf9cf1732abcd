"""passages keep only the text search needs: no prefix and suffix, no paragraph text

Every passage is a span of its source's text, which is stored whole and never changes, so a passage's words
and the characters either side of it can always be read from the source at its offsets. Storing them again
made a captured corpus twice the size of its text and its capture twice as slow. Now:

- ``prefix`` and ``suffix`` (the 32 characters before and after) are gone: they are read from the source;
- ``text`` is kept for sentences and quotes, which the search index reads (SQLite FTS5 takes it as external
  content; PostgreSQL's stored ``search_vector`` is computed from it), and is NULL for paragraphs, which are
  not searched. A CHECK says which passages have it.

Downgrade puts the columns back, filled from the sources' text.

SQLite copies the passage table to drop columns (batch mode), which drops its search-index triggers; they
are created again as before. Rows keep their ids, so the search index stays valid.

Revision ID: 9c2b7e4f1a36
Revises: 775432c97524
Create Date: 2026-11-22 23:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9c2b7e4f1a36"
down_revision: str | None = "775432c97524"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTEXT_CHARS = 32
TEXT_STORED = "(kind = 'paragraph' AND text IS NULL) OR (kind <> 'paragraph' AND text IS NOT NULL)"
SQLITE_TRIGGERS = [
    """CREATE TRIGGER passage_search_delete AFTER DELETE ON passage WHEN old.kind = 'sentence' BEGIN
        INSERT INTO passage_search (passage_search, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    """CREATE TRIGGER passage_search_update AFTER UPDATE ON passage BEGIN
        INSERT INTO passage_search (passage_search, rowid, text)
            SELECT 'delete', old.id, old.text WHERE old.kind = 'sentence';
        INSERT INTO passage_search (rowid, text) SELECT new.id, new.text WHERE new.kind = 'sentence';
    END""",
]


def _drop_triggers() -> bool:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS passage_search_update")
        op.execute("DROP TRIGGER IF EXISTS passage_search_delete")
    return sqlite


def _source_text(start: str, length: str) -> str:
    """SQL for the characters of the passage's source from ``start`` (0-based) on, ``length`` of them."""
    return f"(SELECT substr(source.text, {start} + 1, {length}) FROM source WHERE source.id = passage.source_id)"


def upgrade() -> None:
    sqlite = _drop_triggers()
    with op.batch_alter_table("passage", schema=None) as batch_op:
        batch_op.drop_column("prefix")
        batch_op.drop_column("suffix")
        batch_op.alter_column("text", existing_type=sa.Text(), nullable=True)
    # Paragraphs are not in the search index: on SQLite the update trigger (dropped for now) has nothing to do.
    op.execute("UPDATE passage SET text = NULL WHERE kind = 'paragraph'")
    # a second step: SQLite's batch mode checks a new CHECK against the rows it copies
    with op.batch_alter_table("passage", schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f("ck_passage_text_stored_unless_paragraph"), TEXT_STORED)
    if sqlite:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    sqlite = _drop_triggers()
    with op.batch_alter_table("passage", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_passage_text_stored_unless_paragraph"), type_="check")
        batch_op.add_column(sa.Column("prefix", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("suffix", sa.Text(), nullable=True))
    before = f"CASE WHEN char_start > {CONTEXT_CHARS} THEN char_start - {CONTEXT_CHARS} ELSE 0 END"
    op.execute(
        "UPDATE passage SET "
        f"text = coalesce(text, {_source_text('char_start', 'char_end - char_start')}), "
        f"prefix = {_source_text(before, f'char_start - ({before})')}, "
        f"suffix = {_source_text('char_end', str(CONTEXT_CHARS))}"
    )
    with op.batch_alter_table("passage", schema=None) as batch_op:
        batch_op.alter_column("text", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("prefix", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("suffix", existing_type=sa.Text(), nullable=False)
    if sqlite:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
