"""passage kinds checked without an IN list; one index for passage uniqueness and order

SQLite evaluated the CHECK ``kind IN ('paragraph', 'sentence', 'quote')`` by building a temporary index for
every inserted row, about 2 microseconds a row and the costliest part of storing passages in bulk; the same
test written as ``kind = 'paragraph' OR ...`` costs next to nothing. The unique constraint now orders its
columns (source_id, char_start, char_end, kind), so that it also serves reading a source's passages in
order, and the separate index on (source_id, char_start) goes.

SQLite copies the passage table to change a CHECK (batch mode), which drops the table's search-index
triggers; they are created again as the full-text search migration made them. Rows keep their ids, so the
search index stays valid.

Revision ID: c4e1d7a9b2f0
Revises: aa0fb76a91c3
Create Date: 2026-11-22 21:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c4e1d7a9b2f0"
down_revision: str | None = "aa0fb76a91c3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("paragraph", "sentence", "quote")
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


def _rebuild(kind_check: str, unique: list[str], old_unique: list[str], add_index: bool) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS passage_search_update")
        op.execute("DROP TRIGGER IF EXISTS passage_search_delete")
    with op.batch_alter_table("passage", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_passage_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_passage_kind"), kind_check)
        batch_op.drop_constraint(batch_op.f("uq_passage_" + "_".join(old_unique)), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_passage_" + "_".join(unique)), unique)
        if add_index:
            batch_op.create_index("ix_passage_source_id_char_start", ["source_id", "char_start"], unique=False)
        else:
            batch_op.drop_index("ix_passage_source_id_char_start")
    if sqlite:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def upgrade() -> None:
    _rebuild(
        " OR ".join(f"kind = '{kind}'" for kind in KINDS),
        unique=["source_id", "char_start", "char_end", "kind"],
        old_unique=["source_id", "kind", "char_start", "char_end"],
        add_index=False,
    )


def downgrade() -> None:
    _rebuild(
        "kind IN (" + ", ".join(f"'{kind}'" for kind in KINDS) + ")",
        unique=["source_id", "kind", "char_start", "char_end"],
        old_unique=["source_id", "char_start", "char_end", "kind"],
        add_index=True,
    )
