"""Channel bridges: the inbox and outbox, and what a conversation needs to be answered.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("address", sa.String(128), nullable=True))
        batch.add_column(sa.Column("language_hint", sa.String(16), nullable=True))
        batch.add_column(sa.Column("last_inbound_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("media_count", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("numbered_choices", sa.JSON, nullable=True))
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=False),
        sa.Column(
            "conversation_id",
            sa.String(64),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("meta", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("holding_sent", sa.Boolean, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("channel", "external_id", name="uq_inbox_channel_external_id"),
    )
    op.create_index("ix_inbox_conversation_status", "inbox", ["conversation_id", "status"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id",
            sa.String(64),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("inbox_id", sa.Integer, nullable=True),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("platform_id", sa.String(128), nullable=True),
        sa.Column("error", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_outbox_conversation_status", "outbox", ["conversation_id", "status"])
    op.create_index("ix_outbox_inbox_id", "outbox", ["inbox_id"])
    op.create_index("ix_outbox_platform_id", "outbox", ["platform_id"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("inbox")
    with op.batch_alter_table("conversations") as batch:
        for column in ("numbered_choices", "media_count", "last_inbound_at", "language_hint", "address"):
            batch.drop_column(column)
