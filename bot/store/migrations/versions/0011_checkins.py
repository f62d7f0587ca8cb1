"""Safe-journey check-ins: plans and their scheduled check-ins (bot/checkins/models.py).

Revision ID: 0011
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0008"
branch_labels = None
depends_on = None


def _when(name: str, **kwargs: object) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **kwargs)  # type: ignore[arg-type]


def upgrade() -> None:
    op.create_table(
        "checkin_plans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id", sa.String(64), sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False, unique=True,
        ),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("departure", sa.Date, nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("origin", sa.String(2), nullable=True),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("city_encrypted", sa.Text, nullable=True),
        sa.Column("window_hours", sa.Integer, nullable=False),
        sa.Column("recruiter_encrypted", sa.Text, nullable=True),
        sa.Column("contact_encrypted", sa.Text, nullable=True),
        sa.Column("contact_consent", sa.Boolean, nullable=False),
        sa.Column("code_word_hash", sa.String(160), nullable=True),
        _when("created_at", nullable=False),
        _when("updated_at", nullable=False),
        _when("settled_at", nullable=True),
    )
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("checkin_plans.id", ondelete="CASCADE"), nullable=False),
        sa.Column("label", sa.String(16), nullable=False),
        _when("due_at", nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _when("next_at", nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        _when("sent_at", nullable=True),
        _when("answered_at", nullable=True),
        sa.Column("handoff_id", sa.Integer, nullable=True),
    )
    op.create_index("ix_checkins_plan_id", "checkins", ["plan_id"])
    op.create_index("ix_checkins_next_at", "checkins", ["next_at"])


def downgrade() -> None:
    op.drop_table("checkins")
    op.drop_table("checkin_plans")
