"""The tag keys each partition's rows carry, for listing the keys a company's bill holds.

A company picks its cost allocation tags, and a portal its tag filters, from
the keys its bill carries. Scanning every row's tags for them takes seconds on
a large bill, but a partition never changes once attached (a restatement
replaces it whole), so its keys are listed once, after its delivery, into
``cost_partitions.tag_keys``; NULL until then. The partitions held are listed here.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

from nephos_metering.migrations.earlier import revision as earlier

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


_BACKFILL = earlier("0013_partition_freshness.py").each_partition(
    "UPDATE cost_partitions SET tag_keys = (SELECT coalesce(array_agg(DISTINCT k ORDER BY k),"
    " '{}') FROM %I AS c, jsonb_object_keys(c.tags) AS k) WHERE table_name = %L"
)


def upgrade() -> None:
    op.add_column("cost_partitions", sa.Column("tag_keys", ARRAY(sa.Text()), nullable=True))
    op.execute(_BACKFILL)


def downgrade() -> None:
    op.drop_column("cost_partitions", "tag_keys")
