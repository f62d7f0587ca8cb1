"""Human handoff: handoff requests, their messages, and the Rasa pause flag on conversations.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _when(name: str, **kwargs: object) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **kwargs)  # type: ignore[arg-type]


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("rasa_paused", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id", sa.String(64), sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("agency_id", sa.String(64), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("front", sa.Boolean, nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("context_encrypted", sa.Text, nullable=True),
        sa.Column("counselor_id", sa.Integer, nullable=True),
        _when("lease_expires_at", nullable=True),
        _when("requested_at", nullable=False),
        _when("queued_at", nullable=False),
        _when("claimed_at", nullable=True),
        _when("closed_at", nullable=True),
        sa.Column("outcome", sa.String(32), nullable=True),
        _when("escalated_at", nullable=True),
        sa.Column("referred_by", sa.String(64), nullable=True),
        sa.Column("referral_note_encrypted", sa.Text, nullable=True),
        _when("history_from", nullable=True),
        _when("last_notice_at", nullable=True),
    )
    op.create_index("ix_handoffs_conversation_id", "handoffs", ["conversation_id"])
    op.create_index("ix_handoffs_counselor_id", "handoffs", ["counselor_id"])
    op.create_index("ix_handoffs_agency_status", "handoffs", ["agency_id", "status"])
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("handoff_id", sa.Integer, sa.ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("conversation_id", sa.String(64), nullable=False),
        sa.Column("sender", sa.String(16), nullable=False),
        sa.Column("agency_id", sa.String(64), nullable=True),
        sa.Column("counselor_id", sa.Integer, nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body_encrypted", sa.Text, nullable=False),
        sa.Column("inbox_id", sa.Integer, nullable=True, unique=True),
        _when("created_at", nullable=False),
    )
    op.create_index("ix_handoff_messages_handoff_id", "handoff_messages", ["handoff_id"])
    op.create_index("ix_handoff_messages_conversation_id", "handoff_messages", ["conversation_id"])


def downgrade() -> None:
    op.drop_table("handoff_messages")
    op.drop_table("handoffs")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("rasa_paused")
