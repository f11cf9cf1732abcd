"""stored search vectors of sentences on PostgreSQL

PostgreSQL: each sentence's tsvector is kept in a generated column, passage.search_vector, which the database
computes on every insert and update (other passages get NULL), and the GIN index ix_passage_search is on that
column instead of on the to_tsvector() expression. Ranking (ts_rank) and the recheck of phrases then read the
stored vector rather than parse every matching sentence again. A BRIN index on passage.id,
ix_passage_search_id, lets a search read only the matches among the newest passages (a bitmap AND with the GIN
index) at the cost of a few pages. Pages it has not summarized yet count as matching every id, so right after a
bulk load, until autovacuum (or VACUUM, or `provenance db reindex`) has summarized them, searches for common
words read more pages than they need. SQLite is unchanged: FTS5 keeps its own index.

Revision ID: eb3eb8284fcc
Revises: b59a23319ae3
Create Date: 2026-11-22 18:07:10.569146
"""

from collections.abc import Sequence

from alembic import op

revision: str = "eb3eb8284fcc"
down_revision: str | None = "b59a23319ae3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_passage_search")
    op.execute(
        "ALTER TABLE passage ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
        "(CASE WHEN kind = 'sentence' THEN to_tsvector('provenance_search', text) END) STORED"
    )
    op.execute("CREATE INDEX ix_passage_search ON passage USING gin (search_vector) WHERE kind = 'sentence'")
    # autosummarize: autovacuum summarizes each range of pages as it fills, not only at the next VACUUM
    op.execute("CREATE INDEX ix_passage_search_id ON passage USING brin (id) WITH (autosummarize = on)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_passage_search_id")
    op.execute("DROP INDEX IF EXISTS ix_passage_search")
    op.execute("ALTER TABLE passage DROP COLUMN search_vector")
    op.execute(
        "CREATE INDEX ix_passage_search ON passage USING gin (to_tsvector('provenance_search', text)) "
        "WHERE kind = 'sentence'"
    )
