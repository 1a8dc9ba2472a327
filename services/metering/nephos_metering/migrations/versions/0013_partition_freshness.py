"""Freshness kept per partition: no index on charge period ends for every delivery.

``cost_partitions`` records, per period's partition, the cloud account its
delivery was ingested for and the latest charge period end it holds (read by
the delivery's checks, which scan the rows anyway). The latest charge period
end of a company or an account is then the latest of its partitions' and of
the default partition's (rows written directly), which keeps its own indexes
for both.
The index on ``(tenant, charge_period_end)`` of every partition goes: each
delivery built it only for that one question, a tenth of the ingest's time.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_PARENT_INDEX = "ix_costs_tenant_charge_period_end"
_DEFAULT_INDEXES = {
    "ix_costs_default_tenant_charge_period_end": "(tenant, charge_period_end)",
    "ix_costs_default_tenant_account_charge_period_end": "(tenant, account_id, charge_period_end)",
}


def each_partition(update: str) -> str:
    """A block running ``update`` once per partition of ``cost_partitions``: a ``format``
    template whose ``%I`` is the partition's table and ``%L`` its name, in that order."""
    template = "'" + update.replace("'", "''") + "'"
    return f"""
DO $fill$
DECLARE
    part record;
BEGIN
    FOR part IN SELECT table_name FROM cost_partitions LOOP
        EXECUTE format({template}, part.table_name, part.table_name);
    END LOOP;
END
$fill$
"""


_BACKFILL = each_partition(
    "UPDATE cost_partitions AS p SET account_id = f.account_id, data_through = f.data_through"
    " FROM (SELECT min(account_id::text)::uuid AS account_id,"
    " max(charge_period_end) AS data_through FROM %I) AS f WHERE p.table_name = %L"
)


def upgrade() -> None:
    op.add_column("cost_partitions", sa.Column("account_id", sa.Uuid(), nullable=True))
    op.add_column(
        "cost_partitions", sa.Column("data_through", sa.DateTime(timezone=True), nullable=True)
    )
    op.execute(_BACKFILL)
    op.execute(f"DROP INDEX {_PARENT_INDEX}")
    for name, columns in _DEFAULT_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON costs_default {columns}")


def downgrade() -> None:
    for name in _DEFAULT_INDEXES:
        op.execute(f"DROP INDEX {name}")
    op.execute(f"CREATE INDEX {_PARENT_INDEX} ON costs (tenant, charge_period_end)")
    op.drop_column("cost_partitions", "data_through")
    op.drop_column("cost_partitions", "account_id")
