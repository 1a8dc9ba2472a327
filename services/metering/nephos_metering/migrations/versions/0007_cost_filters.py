"""Indexes for cost questions narrowed to a cloud account or a tag.

The daily totals (0006) answer questions about the whole company; a question
filtered by cloud account, tag or service group reads the ``costs`` line
items. A service group's rows are already found through the resource-key
index of 0004. This adds:

``ix_costs_tenant_account_charge_period_start``
    a cloud account's rows of a range of days, as one index range.
``ix_costs_tags``
    GIN over ``tags`` (default ``jsonb_ops``, which serves both ``@>`` for
    ``key=value`` and ``?`` for a key with any value); PostgreSQL combines it
    with the tenant/period index in a bitmap scan.

Built without CONCURRENTLY: migrations run in one transaction under the
advisory lock that serialises replicas, so ingest waits while they build.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_costs_tenant_account_charge_period_start",
        "costs",
        ["tenant", "account_id", "charge_period_start"],
    )
    op.create_index("ix_costs_tags", "costs", ["tags"], postgresql_using="gin")


def downgrade() -> None:
    op.drop_index("ix_costs_tags", table_name="costs")
    op.drop_index("ix_costs_tenant_account_charge_period_start", table_name="costs")
