"""When a cost allocation tag's build was last queued, so that a lost build is queued again.

A marked key whose build job is lost (or dropped after failing too often) would
stay on the line items until an admin marked it again. The totals sweep queues
again the build of a key unbuilt for long after ``build_queued_at``; keys held
unbuilt now count as queued long ago.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cost_allocation_tags", sa.Column("build_queued_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("cost_allocation_tags", "build_queued_at")
