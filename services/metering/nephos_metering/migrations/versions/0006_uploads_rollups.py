"""Daily cost totals per dimension, kept by triggers on ``costs``.

The dashboard asks for totals per day, service, account, region and charge
category over up to two years; summing millions of line items per question is
too slow. ``cost_daily_totals`` holds, per tenant, UTC day, currency and
dimension, the sums of billed and effective cost and the row count. Statement
triggers with transition tables keep it exact whatever writes ``costs`` (the
ingest swap, a COPY, an ORM insert): each statement's rows are aggregated once
and added or subtracted; a group whose count drops to zero is removed.

One row per dimension (rather than one per combination of all four) keeps
each question's read to a few thousand rows.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_DIMENSIONS = """
    CROSS JOIN LATERAL (VALUES
        ('service', c.service_name::text), ('account', c.sub_account_id::text),
        ('region', c.region_id::text), ('charge_category', c.charge_category::text)
    ) AS d(dimension, key)
"""
_GROUPED = f"""
    SELECT c.tenant, d.dimension, (c.charge_period_start AT TIME ZONE 'UTC')::date AS day,
           c.billing_currency, d.key, sum(c.billed_cost) AS billed_cost,
           sum(c.effective_cost) AS effective_cost, count(*) AS row_count
    FROM {{source}} AS c {_DIMENSIONS}
    GROUP BY 1, 2, 3, 4, 5
"""
_KEY = "tenant, dimension, day, billing_currency, key"
_ADD = f"""
    INSERT INTO cost_daily_totals AS t ({_KEY}, billed_cost, effective_cost, row_count)
    {_GROUPED.format(source="{source}")}
    ON CONFLICT ({_KEY}) DO UPDATE SET
        billed_cost = t.billed_cost + excluded.billed_cost,
        effective_cost = t.effective_cost + excluded.effective_cost,
        row_count = t.row_count + excluded.row_count
"""
_SUBTRACT = f"""
    WITH gone AS ({_GROUPED.format(source="removed")})
    UPDATE cost_daily_totals AS t SET
        billed_cost = t.billed_cost - g.billed_cost,
        effective_cost = t.effective_cost - g.effective_cost,
        row_count = t.row_count - g.row_count
    FROM gone AS g
    WHERE t.tenant = g.tenant AND t.dimension = g.dimension AND t.day = g.day
      AND t.billing_currency = g.billing_currency AND t.key IS NOT DISTINCT FROM g.key
"""
_FUNCTION = f"""
CREATE FUNCTION cost_daily_totals_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        {_SUBTRACT};
        DELETE FROM cost_daily_totals WHERE row_count = 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_ADD.format(source="added")};
    END IF;
    RETURN NULL;
END
$$
"""
_TRIGGERS = {
    "insert": "INSERT ON costs REFERENCING NEW TABLE AS added",
    "delete": "DELETE ON costs REFERENCING OLD TABLE AS removed",
    "update": "UPDATE ON costs REFERENCING OLD TABLE AS removed NEW TABLE AS added",
}


def upgrade() -> None:
    op.create_table(
        "cost_daily_totals",
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("billing_currency", sa.String(length=3), nullable=False),
        sa.Column("key", sa.Text(), nullable=True),
        sa.Column("billed_cost", sa.Numeric(), nullable=False),
        sa.Column("effective_cost", sa.Numeric(), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
    )
    op.execute(
        f"CREATE UNIQUE INDEX ux_cost_daily_totals ON cost_daily_totals ({_KEY}) NULLS NOT DISTINCT"
    )
    op.create_index(
        "ix_cost_daily_totals_currency_day",
        "cost_daily_totals",
        ["tenant", "billing_currency", "dimension", "day"],
    )
    op.create_index("ix_costs_tenant_charge_period_end", "costs", ["tenant", "charge_period_end"])
    op.execute(_FUNCTION)
    for name, event in _TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER cost_daily_totals_{name} AFTER {event}"
            " FOR EACH STATEMENT EXECUTE FUNCTION cost_daily_totals_follow()"
        )
    op.execute(_ADD.format(source="costs"))


def downgrade() -> None:
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER cost_daily_totals_{name} ON costs")
    op.execute("DROP FUNCTION cost_daily_totals_follow()")
    op.drop_index("ix_costs_tenant_charge_period_end", table_name="costs")
    op.drop_table("cost_daily_totals")
