"""sources, passages, claims, evidence, contradictions, entities, events

Revision ID: e45093d016c0
Revises:
Create Date: 2026-11-22 15:32:10.383267
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e45093d016c0"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "unstarted",
                "in_progress",
                "in_review",
                "published",
                "inconclusive",
                "withdrawn",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            server_default="unstarted",
            nullable=False,
        ),
        sa.Column(
            "verdict",
            sa.Enum(
                "true",
                "mostly_true",
                "mixed",
                "mostly_false",
                "false",
                "unproven",
                name="verdict",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("confidence_note", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("confidence >= 0 AND confidence <= 1", name=op.f("ck_claim_confidence_probability")),
        sa.CheckConstraint("length(key) > 0", name=op.f("ck_claim_key_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim")),
        sa.UniqueConstraint("key", name=op.f("uq_claim_key")),
    )
    op.create_table(
        "entity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity")),
        sa.UniqueConstraint("name_key", name=op.f("uq_entity_name_key")),
    )
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_key", sa.Text(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index("ix_event_subject", ["subject_type", "subject_key"], unique=False)

    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("publisher", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column(
            "captured_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("origin", sa.Text(), nullable=True),
        sa.Column("media_type", sa.String(length=64), server_default="text/plain", nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("original_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "reliability",
            sa.Enum(
                "A",
                "B",
                "C",
                "D",
                "E",
                "F",
                name="reliability",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            server_default="F",
            nullable=False,
        ),
        sa.Column("reliability_note", sa.Text(), nullable=True),
        sa.CheckConstraint("length(key) > 0", name=op.f("ck_source_key_not_empty")),
        sa.CheckConstraint("length(text) > 0", name=op.f("ck_source_text_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("key", name=op.f("uq_source_key")),
        sa.UniqueConstraint("text_sha256", name=op.f("uq_source_text_sha256")),
    )
    op.create_table(
        "claim_entity",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_claim_entity_claim_id_claim"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entity.id"], name=op.f("fk_claim_entity_entity_id_entity"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("claim_id", "entity_id", name=op.f("pk_claim_entity")),
    )
    with op.batch_alter_table("claim_entity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_entity_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "contradiction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_a_id", sa.Integer(), nullable=False),
        sa.Column("claim_b_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "resolved",
                "dismissed",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            server_default="open",
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("claim_a_id < claim_b_id", name=op.f("ck_contradiction_ordered_pair")),
        sa.ForeignKeyConstraint(
            ["claim_a_id"], ["claim.id"], name=op.f("fk_contradiction_claim_a_id_claim"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["claim_b_id"], ["claim.id"], name=op.f("fk_contradiction_claim_b_id_claim"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contradiction")),
        sa.UniqueConstraint("claim_a_id", "claim_b_id", name=op.f("uq_contradiction_claim_a_id_claim_b_id")),
    )
    with op.batch_alter_table("contradiction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contradiction_claim_b_id"), ["claim_b_id"], unique=False)

    op.create_table(
        "passage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "paragraph",
                "sentence",
                "quote",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("char_start", sa.Integer(), nullable=False),
        sa.Column("char_end", sa.Integer(), nullable=False),
        sa.Column("paragraph_no", sa.Integer(), nullable=False),
        sa.Column("sentence_no", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("prefix", sa.Text(), nullable=False),
        sa.Column("suffix", sa.Text(), nullable=False),
        sa.CheckConstraint("char_end > char_start", name=op.f("ck_passage_end_after_start")),
        sa.CheckConstraint("char_start >= 0", name=op.f("ck_passage_start_not_negative")),
        sa.CheckConstraint("length(text) = char_end - char_start", name=op.f("ck_passage_text_length_matches_offsets")),
        sa.CheckConstraint("paragraph_no >= 1", name=op.f("ck_passage_paragraph_no_positive")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_passage_source_id_source"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passage")),
        sa.UniqueConstraint(
            "source_id",
            "kind",
            "char_start",
            "char_end",
            name=op.f("uq_passage_source_id_kind_char_start_char_end"),
        ),
    )
    with op.batch_alter_table("passage", schema=None) as batch_op:
        batch_op.create_index("ix_passage_source_id_char_start", ["source_id", "char_start"], unique=False)

    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("passage_id", sa.Integer(), nullable=False),
        sa.Column(
            "stance",
            sa.Enum(
                "supports",
                "contradicts",
                "mentions",
                name="stance",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("attributed_to", sa.Text(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column(
            "anchor_method",
            sa.Enum(
                "exact",
                "exact_context",
                "exact_occurrence",
                "fuzzy",
                name="anchor_method",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("anchor_score", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("anchor_score >= 0 AND anchor_score <= 100", name=op.f("ck_evidence_anchor_score_range")),
        sa.CheckConstraint("confidence >= 0 AND confidence <= 1", name=op.f("ck_evidence_confidence_probability")),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_evidence_claim_id_claim"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["passage_id"], ["passage.id"], name=op.f("fk_evidence_passage_id_passage"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
        sa.UniqueConstraint("claim_id", "passage_id", name=op.f("uq_evidence_claim_id_passage_id")),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_passage_id"), ["passage_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_passage_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_claim_id"))

    op.drop_table("evidence")
    with op.batch_alter_table("passage", schema=None) as batch_op:
        batch_op.drop_index("ix_passage_source_id_char_start")

    op.drop_table("passage")
    with op.batch_alter_table("contradiction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contradiction_claim_b_id"))

    op.drop_table("contradiction")
    with op.batch_alter_table("claim_entity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_entity_entity_id"))

    op.drop_table("claim_entity")
    op.drop_table("source")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_subject")

    op.drop_table("event")
    op.drop_table("entity")
    op.drop_table("claim")
