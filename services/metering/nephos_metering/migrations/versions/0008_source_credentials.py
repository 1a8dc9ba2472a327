"""Sealed credentials on billing sources (the SAS token of an Azure export source).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("billing_sources", sa.Column("sealed_secret", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    op.drop_column("billing_sources", "sealed_secret")
