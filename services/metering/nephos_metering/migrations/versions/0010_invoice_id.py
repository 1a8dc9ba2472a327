"""FOCUS InvoiceId on every cost row: the provider's invoice, once it is issued.

Added to the partitioned ``costs``, it reaches every partition; a delivery's load
table takes its columns from ``costs`` and so has it too.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("costs", sa.Column("invoice_id", sa.String(100), nullable=True))


def downgrade() -> None:
    op.drop_column("costs", "invoice_id")
