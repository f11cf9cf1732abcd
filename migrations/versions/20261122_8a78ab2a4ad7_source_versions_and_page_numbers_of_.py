"""source versions and page numbers of passages

Revision ID: 8a78ab2a4ad7
Revises: 123a9b34bc35
Create Date: 2026-11-22 17:45:13.002033
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8a78ab2a4ad7"
down_revision: str | None = "123a9b34bc35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("passage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("page_no", sa.Integer(), nullable=True))

    with op.batch_alter_table("source", schema=None) as batch_op:
        # room for a version suffix ("@12") after a key of the longest usable length (64)
        batch_op.alter_column("key", existing_type=sa.String(length=64), type_=sa.String(length=80))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("supersedes_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_source_origin"), ["origin"], unique=False)
        batch_op.create_index(batch_op.f("ix_source_url"), ["url"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_source_supersedes_id"), ["supersedes_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_source_supersedes_id_source"), "source", ["supersedes_id"], ["id"], ondelete="RESTRICT"
        )
        batch_op.create_check_constraint(batch_op.f("ck_source_version_positive"), "version >= 1")


def downgrade() -> None:
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_source_version_positive"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_source_supersedes_id_source"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_source_supersedes_id"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_source_url"))
        batch_op.drop_index(batch_op.f("ix_source_origin"))
        batch_op.drop_column("supersedes_id")
        batch_op.drop_column("version")
        batch_op.alter_column("key", existing_type=sa.String(length=80), type_=sa.String(length=64))

    # Not in batch mode: SQLite (3.35+) drops the column in place, keeping the full-text search triggers on
    # passage that a batch copy of the table would lose.
    op.drop_column("passage", "page_no")
