"""``costs`` partitioned by (tenant, billing account, billing period).

A delivery replaces one (tenant, billing account, billing period). With that
as the partition key, a delivery is loaded into a table of its own, indexed
in one pass per index and attached as the period's partition, and a restated
period's previous partition is dropped (see ``ingest.staging``). The rows held
so far are moved, period by period, into partitions of their own, named after
their delivery, as if each had been delivered now: every attach scans the
default partition (where rows written directly land) under its exclusive lock,
so that must stay small. On a large database the move takes a while, once.

What changes on the way:
- ``id`` takes its values from the sequence ``costs_id_seq`` (an identity
  column would give each partition its own numbers); it is no longer a primary
  key, which a partitioned table could only have together with the partition key.
- The foreign key to ``deliveries`` goes: attaching a partition under it locks
  ``deliveries`` exclusively, which every ingest reads and writes. Only a
  delivery writes cost rows, under its own id, and deliveries are never deleted.
- The delivery and tenant/period indexes go: a partition holds one delivery and one
  period, which pruning finds without an index.
- ``cost_partitions`` names each period's partition; ``cost_daily_totals_apply``
  adds (or, with -1, subtracts) a whole table's rows to the daily totals, for an
  attached or dropped partition, which no trigger sees.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_KEPT_INDEXES = {
    "ix_costs_tenant_charge_period_start": "(tenant, charge_period_start)",
    "ix_costs_tenant_charge_period_end": "(tenant, charge_period_end)",
    "ix_costs_tenant_account_charge_period_start": "(tenant, account_id, charge_period_start)",
    "ix_costs_tenant_resource_key": "(tenant, metering_resource_key(resource_id))",
    "ix_costs_tags": "USING gin (tags)",
}
_TRIGGERS = {
    "insert": "INSERT ON costs REFERENCING NEW TABLE AS added",
    "delete": "DELETE ON costs REFERENCING OLD TABLE AS removed",
    "update": "UPDATE ON costs REFERENCING OLD TABLE AS removed NEW TABLE AS added",
}
_KEY = "tenant, dimension, day, billing_currency, key"
_APPLY = f"""
CREATE FUNCTION cost_daily_totals_apply(source regclass, sign integer) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    EXECUTE format($q$
        INSERT INTO cost_daily_totals AS t ({_KEY}, billed_cost, effective_cost, row_count)
        SELECT c.tenant, d.dimension, (c.charge_period_start AT TIME ZONE 'UTC')::date,
               c.billing_currency, d.key, $1 * sum(c.billed_cost), $1 * sum(c.effective_cost),
               $1 * count(*)
        FROM %s AS c CROSS JOIN LATERAL (VALUES
            ('service', c.service_name::text), ('account', c.sub_account_id::text),
            ('region', c.region_id::text), ('charge_category', c.charge_category::text)
        ) AS d(dimension, key)
        GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT ({_KEY}) DO UPDATE SET
            billed_cost = t.billed_cost + excluded.billed_cost,
            effective_cost = t.effective_cost + excluded.effective_cost,
            row_count = t.row_count + excluded.row_count
    $q$, source) USING sign;
    IF sign < 0 THEN
        DELETE FROM cost_daily_totals WHERE row_count = 0;
    END IF;
END
$fn$
"""


_MOVE_OUT_OF_DEFAULT = """
DO $move$
DECLARE
    scope record;
    name text;
BEGIN
    FOR scope IN
        SELECT tenant, billing_account_id, billing_period_start, min(delivery_id::text) AS delivery
        FROM costs_default GROUP BY 1, 2, 3
    LOOP
        name := 'costs_d_' || replace(scope.delivery, '-', '');
        EXECUTE format('CREATE TABLE %I (LIKE costs INCLUDING DEFAULTS)', name);
        EXECUTE format(
            'WITH moved AS (DELETE FROM costs_default WHERE tenant = %L'
            ' AND billing_account_id = %L AND billing_period_start = %L RETURNING *)'
            ' INSERT INTO %I SELECT * FROM moved',
            scope.tenant, scope.billing_account_id, scope.billing_period_start, name);
        EXECUTE format(
            'ALTER TABLE costs ATTACH PARTITION %I FOR VALUES FROM (%L, %L, %L)'
            ' TO (%L, %L, %L::timestamptz + interval ''1 microsecond'')', name,
            scope.tenant, scope.billing_account_id, scope.billing_period_start,
            scope.tenant, scope.billing_account_id, scope.billing_period_start);
        INSERT INTO cost_partitions VALUES
            (scope.tenant, scope.billing_account_id, scope.billing_period_start, name);
    END LOOP;
END
$move$
"""


def _triggers() -> None:
    for name, event in _TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER cost_daily_totals_{name} AFTER {event}"
            " FOR EACH STATEMENT EXECUTE FUNCTION cost_daily_totals_follow()"
        )


def upgrade() -> None:
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER cost_daily_totals_{name} ON costs")
    op.execute("ALTER TABLE costs DROP CONSTRAINT pk_costs")
    op.execute("ALTER TABLE costs DROP CONSTRAINT fk_costs_delivery_id_deliveries")
    op.execute("DROP INDEX ix_costs_delivery_id")
    op.execute("DROP INDEX ix_costs_tenant_billing_period")
    op.execute("ALTER TABLE costs ALTER COLUMN id DROP IDENTITY")
    op.execute("CREATE SEQUENCE costs_id_seq AS bigint")
    op.execute("SELECT setval('costs_id_seq', coalesce((SELECT max(id) FROM costs), 0) + 1, false)")
    op.execute("ALTER TABLE costs ALTER COLUMN id SET DEFAULT nextval('costs_id_seq')")
    op.execute("ALTER TABLE costs RENAME TO costs_default")
    for name in _KEPT_INDEXES:
        op.execute(f"ALTER INDEX {name} RENAME TO {name.replace('ix_costs', 'costs_default')}")
    op.execute(
        "CREATE TABLE costs (LIKE costs_default INCLUDING DEFAULTS)"
        " PARTITION BY RANGE (tenant, billing_account_id, billing_period_start)"
    )
    op.execute("ALTER SEQUENCE costs_id_seq OWNED BY costs.id")
    for name, columns in _KEPT_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON costs {columns}")
    op.execute("ALTER TABLE costs ATTACH PARTITION costs_default DEFAULT")
    op.create_table(
        "cost_partitions",
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("billing_account_id", sa.String(100), nullable=False),
        sa.Column("billing_period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("table_name", sa.String(63), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant", "billing_account_id", "billing_period_start", name="pk_cost_partitions"
        ),
    )
    op.execute(_MOVE_OUT_OF_DEFAULT)  # before the triggers: moved rows keep their totals
    _triggers()
    op.execute(_APPLY)


def downgrade() -> None:
    """Back to one plain table, every partition's rows kept."""
    op.drop_table("cost_partitions")
    op.execute("DROP FUNCTION cost_daily_totals_apply(regclass, integer)")
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER cost_daily_totals_{name} ON costs")
    op.execute("ALTER SEQUENCE costs_id_seq OWNED BY NONE")
    op.execute("CREATE TABLE costs_plain (LIKE costs INCLUDING DEFAULTS)")
    op.execute("INSERT INTO costs_plain SELECT * FROM costs")
    op.execute("DROP TABLE costs")
    op.execute("ALTER TABLE costs_plain RENAME TO costs")
    op.execute("ALTER TABLE costs ALTER COLUMN id DROP DEFAULT")
    op.execute("ALTER TABLE costs ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
    op.execute(
        "SELECT setval(pg_get_serial_sequence('costs', 'id'),"
        " coalesce((SELECT max(id) FROM costs), 0) + 1, false)"
    )
    op.execute("DROP SEQUENCE costs_id_seq")
    op.execute("ALTER TABLE costs ADD CONSTRAINT pk_costs PRIMARY KEY (id)")
    op.execute(
        "ALTER TABLE costs ADD CONSTRAINT fk_costs_delivery_id_deliveries"
        " FOREIGN KEY (delivery_id) REFERENCES deliveries (id)"
    )
    op.execute("CREATE INDEX ix_costs_delivery_id ON costs (delivery_id)")
    op.execute(
        "CREATE INDEX ix_costs_tenant_billing_period"
        " ON costs (tenant, billing_account_id, billing_period_start)"
    )
    for name, columns in _KEPT_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON costs {columns}")
    _triggers()
