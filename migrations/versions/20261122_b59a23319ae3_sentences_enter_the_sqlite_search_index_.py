"""sentences enter the SQLite search index from the domain layer, in bulk

A trigger indexing each inserted sentence made the full-text index flush its pending terms for every row
(each row's statement opens a savepoint). The domain layer now indexes the sentences of the sources it stores
with one statement per batch; deletes and updates stay with their triggers. PostgreSQL maintains its index
itself and is unchanged.

Revision ID: b59a23319ae3
Revises: 8a78ab2a4ad7
Create Date: 2026-11-22 18:03:41.640197
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b59a23319ae3"
down_revision: str | None = "8a78ab2a4ad7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER passage_search_insert")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            """CREATE TRIGGER passage_search_insert AFTER INSERT ON passage WHEN new.kind = 'sentence' BEGIN
                INSERT INTO passage_search (rowid, text) VALUES (new.id, new.text);
            END"""
        )
