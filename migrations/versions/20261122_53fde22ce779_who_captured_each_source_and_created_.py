"""who captured each source and created each claim, evidence and contradiction

Revision ID: 53fde22ce779
Revises: e45093d016c0
Create Date: 2026-11-22 15:55:58.067987
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "53fde22ce779"
down_revision: str | None = "e45093d016c0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by", sa.Text(), nullable=True))

    with op.batch_alter_table("contradiction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by", sa.Text(), nullable=True))

    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by", sa.Text(), nullable=True))

    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.add_column(sa.Column("captured_by", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_column("captured_by")

    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_column("created_by")

    with op.batch_alter_table("contradiction", schema=None) as batch_op:
        batch_op.drop_column("created_by")

    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_column("created_by")
