"""Token endpoint override of a cloud account (Azure sovereign clouds and emulators).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cloud_accounts", sa.Column("auth_endpoint_url", sa.String(500), nullable=True))


def downgrade() -> None:
    op.drop_column("cloud_accounts", "auth_endpoint_url")
