"""pages fetched from the web keep their bytes; captions are marked; evidence reanchor could not move says why

``web_capture`` holds, for a source captured from a URL (or read from a WARC file), the response body as received
(gzip-compressed), the address asked for and the one that answered, when, the HTTP status and the ETag,
Last-Modified and Content-Type headers. ``evidence.orphaned_at`` / ``orphaned_reason`` mark evidence that
``reanchor`` left on the version it cites, and why. ``caption`` marks the spans of a source's text that are
captions (a paragraph of their own where the page shows the figure or table). Existing rows need nothing: no
source had been fetched, no caption told apart, and no evidence marked.

Revision ID: 056bbd84be0b
Revises: 2b37164c65ab
Create Date: 2026-12-07 16:03:38.242690
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "056bbd84be0b"
down_revision: str | None = "2b37164c65ab"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "caption",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("char_start", sa.Integer(), nullable=False),
        sa.Column("char_end", sa.Integer(), nullable=False),
        sa.CheckConstraint("char_start >= 0 AND char_end > char_start", name=op.f("ck_caption_span_not_empty")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_caption_source_id_source"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("source_id", "char_start", name=op.f("pk_caption")),
    )
    op.create_table(
        "web_capture",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("requested_url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("content_gzip", sa.LargeBinary(), nullable=False),
        sa.Column("content_length", sa.Integer(), nullable=False),
        sa.Column("archive_file", sa.Text(), nullable=True),
        sa.CheckConstraint("content_length >= 0", name=op.f("ck_web_capture_content_length_not_negative")),
        sa.CheckConstraint("status >= 100 AND status <= 599", name=op.f("ck_web_capture_http_status")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_web_capture_source_id_source"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_capture")),
        sa.UniqueConstraint("source_id", name=op.f("uq_web_capture_source_id")),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("orphaned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("orphaned_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_column("orphaned_reason")
        batch_op.drop_column("orphaned_at")
    op.drop_table("web_capture")
    op.drop_table("caption")
