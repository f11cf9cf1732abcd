"""desk accounts, their sessions and tokens, sign-in attempts, and how each logged actor was known

``account`` holds the desk"s members (name, display name, role, Argon2id password hash, active or disabled; never
deleted). ``desk_session`` and ``api_token`` keep only the SHA-256 of the random secrets a browser or the command
line holds. ``sign_in_attempt`` counts tries, to slow down and refuse guessing. ``event.identity`` says how the
actor of an event was known (declared, signed-in, token, operator): existing events keep NULL (names as declared),
and the event log"s triggers now keep ``identity`` unchanged once written too. ``claim.verdict_proven`` says whether
whoever set the verdict was a proven identity: existing verdicts were set under declared names, so false.

Columns are added and dropped in place (ALTER TABLE), so the tables" own triggers stay as they are; the event
log"s triggers are replaced, and on downgrade made again as 2b37164c65ab left them.

Revision ID: 9128b2d96561
Revises: 056bbd84be0b
Create Date: 2026-12-07 19:03:50.447317
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "9128b2d96561"
down_revision: str | None = "056bbd84be0b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "viewer",
                "researcher",
                "reviewer",
                "editor",
                "admin",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_account_name_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("name", name=op.f("uq_account_name")),
    )
    op.create_table(
        "sign_in_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("client_address", sa.Text(), nullable=False),
        sa.Column(
            "attempted_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempt")),
    )
    with op.batch_alter_table("sign_in_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_sign_in_attempt_client_address", ["client_address", "attempted_at"], unique=False)
        batch_op.create_index("ix_sign_in_attempt_name", ["name", "attempted_at"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_api_token_account_id_account"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_api_token_secret_sha256")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_account_id"), ["account_id"], unique=False)

    op.create_table(
        "desk_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("client_address", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_desk_session_account_id_account"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_session")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_desk_session_secret_sha256")),
    )
    with op.batch_alter_table("desk_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desk_session_account_id"), ["account_id"], unique=False)

    op.add_column("claim", sa.Column("verdict_proven", sa.Boolean(), server_default="0", nullable=False))
    op.add_column("event", sa.Column("identity", sa.String(length=16), nullable=True))
    _drop_triggers()
    for statement in _triggers(with_identity=True):
        op.execute(statement)


def downgrade() -> None:
    _drop_triggers()
    for statement in _triggers(with_identity=False):
        op.execute(statement)
    op.drop_column("event", "identity")
    op.drop_column("claim", "verdict_proven")

    with op.batch_alter_table("desk_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_session_account_id"))

    op.drop_table("desk_session")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_account_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("sign_in_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_attempt_name")
        batch_op.drop_index("ix_sign_in_attempt_client_address")

    op.drop_table("sign_in_attempt")
    op.drop_table("account")


def _chain_revision() -> ModuleType:
    """The revision that made the event log"s triggers as they are before this one (their text is taken from it)."""
    path = Path(__file__).with_name("20261207_2b37164c65ab_the_event_log_proves_itself_a_hash_chain.py")
    spec = importlib.util.spec_from_file_location("provenance_revision_2b37164c65ab", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _drop_triggers() -> None:
    _chain_revision()._drop_triggers()


def _triggers(*, with_identity: bool) -> list[str]:
    """The event log"s triggers of 2b37164c65ab, which let nothing but the chain columns change once an event is
    written; ``with_identity``: ``identity`` may not change either."""
    chain = _chain_revision()
    statements = list(chain.SQLITE_TRIGGERS if _sqlite() else chain.POSTGRESQL_TRIGGERS)
    if not with_identity:
        return statements
    if _sqlite():
        old, new = "new.migrated IS  old.migrated", "new.migrated IS  old.migrated AND new.identity IS old.identity"
    else:
        old = "NEW.migrated IS NOT DISTINCT FROM OLD.migrated"
        new = old + " AND NEW.identity IS NOT DISTINCT FROM OLD.identity"
    changed = [statement.replace(old, new) for statement in statements]
    assert changed != statements, "the triggers of 2b37164c65ab are not as expected"
    return changed
