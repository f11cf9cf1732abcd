"""full-text search over sentences and claims

SQLite: FTS5 tables over passage (sentences only) and claim, kept in step by triggers. PostgreSQL: a text search
configuration that folds case and diacritics (simple + unaccent) and GIN expression indexes. A later migration
that makes SQLite copy the passage or claim table (batch mode) drops these triggers and must create them again.

Revision ID: 123a9b34bc35
Revises: 53fde22ce779
Create Date: 2026-11-22 16:59:16.270422
"""

from collections.abc import Sequence

from alembic import op

revision: str = "123a9b34bc35"
down_revision: str | None = "53fde22ce779"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    # external-content FTS5 tables: the text stays in passage and claim, the index holds only tokens
    """CREATE VIRTUAL TABLE passage_search USING fts5(
        text, content='passage', content_rowid='id', tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER passage_search_insert AFTER INSERT ON passage WHEN new.kind = 'sentence' BEGIN
        INSERT INTO passage_search (rowid, text) VALUES (new.id, new.text);
    END""",
    """CREATE TRIGGER passage_search_delete AFTER DELETE ON passage WHEN old.kind = 'sentence' BEGIN
        INSERT INTO passage_search (passage_search, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    """CREATE TRIGGER passage_search_update AFTER UPDATE ON passage BEGIN
        INSERT INTO passage_search (passage_search, rowid, text)
            SELECT 'delete', old.id, old.text WHERE old.kind = 'sentence';
        INSERT INTO passage_search (rowid, text) SELECT new.id, new.text WHERE new.kind = 'sentence';
    END""",
    "INSERT INTO passage_search (rowid, text) SELECT id, text FROM passage WHERE kind = 'sentence'",
    """CREATE VIRTUAL TABLE claim_search USING fts5(
        key, statement, content='claim', content_rowid='id', tokenize='unicode61 remove_diacritics 2')""",
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
    "INSERT INTO claim_search (rowid, key, statement) SELECT id, key, statement FROM claim",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS claim_search_update",
    "DROP TRIGGER IF EXISTS claim_search_delete",
    "DROP TRIGGER IF EXISTS claim_search_insert",
    "DROP TABLE IF EXISTS claim_search",
    "DROP TRIGGER IF EXISTS passage_search_update",
    "DROP TRIGGER IF EXISTS passage_search_delete",
    "DROP TRIGGER IF EXISTS passage_search_insert",
    "DROP TABLE IF EXISTS passage_search",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
        return
    # unaccent is a trusted extension: a database owner may create it. It goes into public unless it is
    # installed already, wherever that is.
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
    schema = (
        op.get_bind()
        .exec_driver_sql(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'unaccent'"
        )
        .scalar_one()
    )
    op.execute("CREATE TEXT SEARCH CONFIGURATION provenance_search (COPY = simple)")
    op.execute(
        "ALTER TEXT SEARCH CONFIGURATION provenance_search "
        f'ALTER MAPPING FOR hword, hword_part, word WITH "{schema}".unaccent, simple'
    )
    op.execute(
        "CREATE INDEX ix_passage_search ON passage USING gin (to_tsvector('provenance_search', text)) "
        "WHERE kind = 'sentence'"
    )
    op.execute(
        "CREATE INDEX ix_claim_search ON claim USING gin (to_tsvector('provenance_search', key || ' ' || statement))"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
        return
    op.execute("DROP INDEX IF EXISTS ix_claim_search")
    op.execute("DROP INDEX IF EXISTS ix_passage_search")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS provenance_search")
