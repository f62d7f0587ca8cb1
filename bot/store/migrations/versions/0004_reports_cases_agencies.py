"""Reports, missing-child intake, cases, agencies and their API tokens.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _when(name: str, **kwargs: object) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **kwargs)  # type: ignore[arg-type]


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("countries", sa.JSON, nullable=False),
        sa.Column("areas", sa.JSON, nullable=False),
        sa.Column("categories", sa.JSON, nullable=False),
        sa.Column("languages", sa.JSON, nullable=False),
        sa.Column("services", sa.JSON, nullable=False),
        sa.Column("opening_hours", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("contact", sa.JSON, nullable=False),
        sa.Column("emergency_numbers", sa.JSON, nullable=False),
        sa.Column("verified", sa.Boolean, nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("notify_url", sa.String(500), nullable=True),
        sa.Column("notify_secret_encrypted", sa.Text, nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_table(
        "agency_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("agency_id", sa.String(64), sa.ForeignKey("agencies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.String(100), nullable=False),
        _when("created_at", nullable=False),
        _when("revoked_at", nullable=True),
    )
    op.create_index("ix_agency_tokens_agency_id", "agency_tokens", ["agency_id"])
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column("idempotency_key", sa.String(64), nullable=False, unique=True),
        sa.Column(
            "conversation_id", sa.String(64), sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("danger_now", sa.Boolean, nullable=False),
        sa.Column("child_at_risk", sa.Boolean, nullable=False),
        sa.Column("consent_child_protection", sa.Boolean, nullable=False),
        sa.Column("consent_police", sa.Boolean, nullable=False),
        sa.Column("consent_ngo", sa.Boolean, nullable=False),
        sa.Column("contact_method", sa.String(16), nullable=False),
        sa.Column("details_encrypted", sa.Text, nullable=False),
        sa.Column("contact_encrypted", sa.Text, nullable=True),
        sa.Column("public_note_encrypted", sa.Text, nullable=True),
        _when("created_at", nullable=False),
        _when("updated_at", nullable=False),
    )
    op.create_index("ix_cases_conversation_id", "cases", ["conversation_id"])
    op.create_table(
        "case_access",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("agency_id", sa.String(64), sa.ForeignKey("agencies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("referred_by", sa.String(64), sa.ForeignKey("agencies.id"), nullable=True),
        sa.Column("referral_reason_encrypted", sa.Text, nullable=True),
        sa.Column("notify_state", sa.String(16), nullable=False),
        sa.Column("notify_attempts", sa.Integer, nullable=False),
        _when("notify_next_at", nullable=False),
        sa.Column("notify_last_status", sa.String(32), nullable=True),
        _when("created_at", nullable=False),
        sa.UniqueConstraint("case_id", "agency_id"),
    )
    op.create_index("ix_case_access_case_id", "case_access", ["case_id"])
    op.create_index("ix_case_access_agency_id", "case_access", ["agency_id"])
    op.create_index("ix_case_access_notify_state", "case_access", ["notify_state"])
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("agency_id", sa.String(64), sa.ForeignKey("agencies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("body_encrypted", sa.Text, nullable=False),
        _when("created_at", nullable=False),
    )
    op.create_index("ix_case_notes_case_id", "case_notes", ["case_id"])
    op.create_table(
        "status_checks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(64), nullable=False),
        _when("checked_at", nullable=False),
    )
    op.create_index("ix_status_checks_conversation_id", "status_checks", ["conversation_id"])
    op.create_index("ix_status_checks_checked_at", "status_checks", ["checked_at"])


def downgrade() -> None:
    for table in ("status_checks", "case_notes", "case_access", "cases", "agency_tokens", "agencies"):
        op.drop_table(table)
