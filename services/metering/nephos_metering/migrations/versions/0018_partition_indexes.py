"""A delivery's partition is indexed without the columns constant in it.

Every partition holds one company's rows, and one cloud account's, yet its
indexes began with ``tenant`` (their parent's, on ``costs``): each index build
compared a million equal company names, half of its sorting time. The indexes
of ``costs`` go from the parent; the default partition keeps its own, with
``tenant`` first, as it mixes companies and accounts. A delivery's partition
gets those of ``costs_partition_template``, an empty table kept only for its
index definitions (the swap copies them):

- no ``tenant``, and no index per cloud account: the partition's bounds
  constraint names its account (``{table}_account`` for the partitions held
  whose rows are all of one account),
  so the planner leaves out the partitions of other accounts from a question
  narrowed to one, as partition pruning leaves out other companies';
- tags indexed for containment only (``jsonb_path_ops``, a third of the
  build's time): a question on a tag's value (``@>``) still reads the index,
  one on a key alone (``?``) reads the partition, as a key most rows carry
  would anyway.

The partitions held are indexed and bounded the same way here.

Revision ID: 0018
Revises: 0017
"""

from alembic import op

from nephos_metering.migrations.earlier import revision as earlier

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_0013 = earlier("0013_partition_freshness.py")
_PARENT_INDEXES = {
    "ix_costs_tenant_charge_period_start": "(tenant, charge_period_start)",
    "ix_costs_tenant_account_charge_period_start": "(tenant, account_id, charge_period_start)",
    "ix_costs_tenant_resource_key": "(tenant, metering_resource_key(resource_id))",
    "ix_costs_tags": "USING gin (tags)",
}
_PARTITION_INDEXES = (
    "(charge_period_start)",
    "(metering_resource_key(resource_id))",
    "USING gin (tags jsonb_path_ops)",
)


def _default_name(parent: str) -> str:
    """The name the default partition's index had while attached to ``parent``."""
    return parent.replace("ix_costs", "costs_default")


def upgrade() -> None:
    op.execute("CREATE TABLE costs_partition_template (LIKE costs INCLUDING DEFAULTS)")
    for parent, columns in _PARENT_INDEXES.items():
        op.execute(f"DROP INDEX {parent}")
        op.execute(f"CREATE INDEX {_default_name(parent)} ON costs_default {columns}")
    for columns in _PARTITION_INDEXES:
        op.execute(f"CREATE INDEX ON costs_partition_template {columns}")
        op.execute(_0013.each_partition(f"CREATE INDEX ON %I {columns}"))
    op.execute(_ACCOUNT_BOUNDS)


_ACCOUNT_BOUNDS = """
DO $bound$
DECLARE
    part record;
    single boolean;
BEGIN
    FOR part IN SELECT table_name, account_id FROM cost_partitions WHERE account_id IS NOT NULL
    LOOP
        EXECUTE format('SELECT NOT EXISTS (SELECT FROM %I WHERE account_id <> %L)',
                       part.table_name, part.account_id) INTO single;
        IF single THEN  -- rows written straight into it may be another account's
            EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (account_id = %L)',
                           part.table_name, part.table_name || '_account', part.account_id);
        END IF;
    END LOOP;
END
$bound$
"""
_DROP_PARTITION_INDEXES = """
DO $drop$
DECLARE
    i record;
BEGIN
    FOR i IN SELECT indexname FROM pg_indexes JOIN cost_partitions ON tablename = table_name LOOP
        EXECUTE format('DROP INDEX %I', i.indexname);
    END LOOP;
END
$drop$
"""


def downgrade() -> None:
    """The parent's indexes again: the default partition's own are attached to them, and
    every delivery's partition is indexed anew."""
    op.execute(_DROP_PARTITION_INDEXES)
    op.execute(_0013.each_partition("ALTER TABLE %I DROP CONSTRAINT IF EXISTS %I_account"))
    for parent, columns in _PARENT_INDEXES.items():
        op.execute(f"CREATE INDEX {parent} ON costs {columns}")
    op.execute("DROP TABLE costs_partition_template")
