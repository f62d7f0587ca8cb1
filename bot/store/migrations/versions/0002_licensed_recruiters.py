"""Licensed-recruiter registries for the job-offer check.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "licensed_recruiters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("registry", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("licence_number", sa.String(64), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("valid_until", sa.Date, nullable=True),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("verified", sa.Boolean, nullable=False),
    )
    op.create_index("ix_licensed_recruiters_registry", "licensed_recruiters", ["registry"])
    op.create_index("ix_licensed_recruiters_country", "licensed_recruiters", ["country"])


def downgrade() -> None:
    op.drop_index("ix_licensed_recruiters_country", "licensed_recruiters")
    op.drop_index("ix_licensed_recruiters_registry", "licensed_recruiters")
    op.drop_table("licensed_recruiters")
