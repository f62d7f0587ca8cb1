"""Privacy: identifiers kept out of Rasa (encrypted), a hash chain on the audit log, blocked senders.

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("erase_requested_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "identifiers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id", sa.String(64), sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("placeholder", sa.String(16), nullable=False),
        sa.Column("value_encrypted", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_identifiers_conversation_id", "identifiers", ["conversation_id"])
    op.create_index("ix_identifiers_created_at", "identifiers", ["created_at"])
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("row_hash", sa.String(64), nullable=True))
    _chain_existing_audit_rows()


def _chain_existing_audit_rows() -> None:
    """Rows written before the chain existed are chained now, in id order."""
    from types import SimpleNamespace

    from bot.console.audit import GENESIS, row_hash

    audit = sa.table(
        "audit_log",
        sa.column("id", sa.Integer), sa.column("at", sa.DateTime(timezone=True)), sa.column("user_id", sa.Integer),
        sa.column("agency_id", sa.String), sa.column("action", sa.String), sa.column("conversation_id", sa.String),
        sa.column("detail", sa.JSON), sa.column("prev_hash", sa.String), sa.column("row_hash", sa.String),
    )
    bind = op.get_bind()
    previous = GENESIS
    for row in bind.execute(sa.select(audit).order_by(audit.c.id)).mappings().all():
        event = SimpleNamespace(**{**row, "prev_hash": previous})
        digest = row_hash(event)  # type: ignore[arg-type]
        bind.execute(audit.update().where(audit.c.id == row["id"]).values(prev_hash=previous, row_hash=digest))
        previous = digest


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("row_hash")
        batch.drop_column("prev_hash")
    op.drop_table("identifiers")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("blocked_at")
        batch.drop_column("erase_requested_at")
