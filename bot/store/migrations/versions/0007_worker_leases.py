"""Worker leases: one gateway replica at a time works on a conversation or a background loop.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worker_leases",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("holder", sa.String(128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_worker_leases_expires_at", "worker_leases", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_worker_leases_expires_at", table_name="worker_leases")
    op.drop_table("worker_leases")
