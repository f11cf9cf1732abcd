"""index sources by publication date

Revision ID: aa0fb76a91c3
Revises: eb3eb8284fcc
Create Date: 2026-11-22 19:12:22.184279
"""

from collections.abc import Sequence

from alembic import op

revision: str = "aa0fb76a91c3"
down_revision: str | None = "eb3eb8284fcc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_published"), ["published"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_published"))
