"""fuzzy anchors, credibility, source derivation, contradiction kinds and suggestions, entity aliases

Evidence: whether it needs review (a fuzzy anchor), the information's Admiralty credibility (1-6), and a new
anchor method for quotes with omissions. Sources marked as derived from other sources. Contradictions get a
kind, a resolution note and the two passages that disagree; suggested contradictions are kept with what the
analyst decided, so a dismissed one is not suggested again. Entities get aliases.

Revision ID: 5b3f853ade6a
Revises: c4e1d7a9b2f0
Create Date: 2026-11-22 21:02:11.746280
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b3f853ade6a"
down_revision: str | None = "c4e1d7a9b2f0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Evidence anchor methods; the last one is new here. Rows fail the downgrade's CHECK if they use it.
ANCHOR_METHODS = ("exact", "exact_context", "exact_occurrence", "fuzzy", "exact_omission")


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "entity_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entity.id"], name=op.f("fk_entity_alias_entity_id_entity"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_alias")),
        sa.UniqueConstraint("name_key", name=op.f("uq_entity_alias_name_key")),
    )
    with op.batch_alter_table("entity_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entity_alias_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "source_derivation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("derived_from_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.CheckConstraint("source_id <> derived_from_id", name=op.f("ck_source_derivation_not_itself")),
        sa.ForeignKeyConstraint(
            ["derived_from_id"],
            ["source.id"],
            name=op.f("fk_source_derivation_derived_from_id_source"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_source_derivation_source_id_source"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_derivation")),
        sa.UniqueConstraint(
            "source_id", "derived_from_id", name=op.f("uq_source_derivation_source_id_derived_from_id")
        ),
    )
    with op.batch_alter_table("source_derivation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_derivation_derived_from_id"), ["derived_from_id"], unique=False)

    op.create_table(
        "contradiction_suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("passage_a_id", sa.Integer(), nullable=False),
        sa.Column("passage_b_id", sa.Integer(), nullable=False),
        sa.Column("claim_a_id", sa.Integer(), nullable=True),
        sa.Column("claim_b_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "direct",
                "numeric",
                "temporal",
                "attribution",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open", "confirmed", "dismissed", name="status", native_enum=False, create_constraint=True, length=32
            ),
            server_default="open",
            nullable=False,
        ),
        sa.Column("contradiction_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.CheckConstraint("passage_a_id < passage_b_id", name=op.f("ck_contradiction_suggestion_ordered_pair")),
        sa.CheckConstraint("score >= 0 AND score <= 1", name=op.f("ck_contradiction_suggestion_score_range")),
        sa.ForeignKeyConstraint(
            ["claim_a_id"], ["claim.id"], name=op.f("fk_contradiction_suggestion_claim_a_id_claim"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["claim_b_id"], ["claim.id"], name=op.f("fk_contradiction_suggestion_claim_b_id_claim"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["contradiction_id"],
            ["contradiction.id"],
            name=op.f("fk_contradiction_suggestion_contradiction_id_contradiction"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["passage_a_id"],
            ["passage.id"],
            name=op.f("fk_contradiction_suggestion_passage_a_id_passage"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["passage_b_id"],
            ["passage.id"],
            name=op.f("fk_contradiction_suggestion_passage_b_id_passage"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contradiction_suggestion")),
        sa.UniqueConstraint(
            "passage_a_id", "passage_b_id", name=op.f("uq_contradiction_suggestion_passage_a_id_passage_b_id")
        ),
    )
    with op.batch_alter_table("contradiction_suggestion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contradiction_suggestion_passage_b_id"), ["passage_b_id"], unique=False)

    with op.batch_alter_table("contradiction", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum(
                    "direct",
                    "numeric",
                    "temporal",
                    "attribution",
                    name="kind",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                server_default="direct",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("resolution", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("passage_a_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("passage_b_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_contradiction_passage_b_id_passage"),
            "passage",
            ["passage_b_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_contradiction_passage_a_id_passage"),
            "passage",
            ["passage_a_id"],
            ["id"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("needs_review", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("credibility", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_evidence_credibility_scale"), "credibility >= 1 AND credibility <= 6"
        )
        batch_op.drop_constraint(batch_op.f("ck_evidence_anchor_method"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_evidence_anchor_method"), _one_of("anchor_method", ANCHOR_METHODS)
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_evidence_anchor_method"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_evidence_anchor_method"), _one_of("anchor_method", ANCHOR_METHODS[:-1])
        )
        batch_op.drop_constraint(batch_op.f("ck_evidence_credibility_scale"), type_="check")
        batch_op.drop_column("credibility")
        batch_op.drop_column("needs_review")

    with op.batch_alter_table("contradiction", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_contradiction_passage_a_id_passage"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_contradiction_passage_b_id_passage"), type_="foreignkey")
        batch_op.drop_column("passage_b_id")
        batch_op.drop_column("passage_a_id")
        batch_op.drop_column("resolution")
        batch_op.drop_constraint(batch_op.f("ck_contradiction_kind"), type_="check")
        batch_op.drop_column("kind")

    with op.batch_alter_table("contradiction_suggestion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contradiction_suggestion_passage_b_id"))

    op.drop_table("contradiction_suggestion")
    with op.batch_alter_table("source_derivation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_derivation_derived_from_id"))

    op.drop_table("source_derivation")
    with op.batch_alter_table("entity_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entity_alias_entity_id"))

    op.drop_table("entity_alias")
