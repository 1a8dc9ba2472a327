"""Daily totals per service group, for questions narrowed to a service group.

A service group's costs are those of its member assets' resources: the cost
rows whose ``metering_resource_key`` is one of the members' keys. Read from the
line items, that is a lookup per key per partition, hundreds of milliseconds
for a group of a hundred assets over a year. ``cost_group_daily_totals`` holds,
per group, the sums of ``cost_account_daily_totals`` over the group's rows.

- ``allocation_group_keys`` is the resource keys of each group's members; a
  row counts once in a group even if two members claim its key.
- The totals are kept in the same statements as the other totals (the trigger
  on direct writes and ``cost_daily_totals_apply`` at a swap), from one more
  grouping over the rows concerned, joined to the keys: a company without
  groups adds nothing.
- A membership change makes them stale: the group's ``totals_ready_at`` is
  cleared in the same transaction, and ``cost_group_totals_build`` rebuilds
  them from the line items (a job); questions read them only while it is set.
  ``totals_stale_since`` tells how long a group has waited for its rebuild.
- Every group held is built here, so that questions read totals from the start.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

from nephos_metering.migrations.earlier import revision as earlier

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_0012 = earlier("0012_tag_totals.py")
"""Revision 0012, whose functions this one extends and its downgrade restores."""
_0011 = earlier("0011_account_totals.py")
_KEY = "tenant, group_id, dimension, day, account_id, billing_currency, key"
_COLUMNS = "tenant, group_id, account_id, dimension, day, billing_currency, key"
_KEYS_VIEW = """
CREATE VIEW allocation_group_keys AS
SELECT DISTINCT m.tenant, m.group_id, k.resource_key
FROM allocation_group_members AS m
JOIN allocation_assets AS a ON a.tenant = m.tenant AND a.asset_id = m.asset_id
CROSS JOIN LATERAL unnest(a.resource_keys) AS k(resource_key)
"""


def _group_sums(source: str, sign: str, narrowing: str = "") -> str:
    """``sign`` times the rows of ``source`` grouped per service group they belong to
    (``narrowing``: more join conditions on ``allocation_group_keys AS g``)."""
    return f"""
    SELECT c.tenant, g.group_id, c.account_id, d.dimension, {_0011.DAY}, c.billing_currency,
           d.key, {sign} * sum(c.billed_cost), {sign} * sum(c.effective_cost), {sign} * count(*)
    FROM {source} AS c
    JOIN allocation_group_keys AS g
      ON g.tenant = c.tenant AND g.resource_key = metering_resource_key(c.resource_id)
         {narrowing}
    {_0011.DIMENSIONS}
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    """


def _by_group(source: str, sign: str) -> str:
    return f"""
    , by_group AS (
        INSERT INTO cost_group_daily_totals AS t ({_COLUMNS}, billed_cost, effective_cost,
                                                  row_count)
        {_group_sums(source, sign)}
        ON CONFLICT ({_KEY}) DO UPDATE SET {_0011.SUMS}
    )"""


def _adding(source: str, sign: str) -> str:
    also = _0012.by_tag(source, sign) + _by_group(source, sign)
    return str(_0011.add(source, sign, accounts=True, also=also))


_DROP_EMPTY = _0012.DROP_EMPTY + "DELETE FROM cost_group_daily_totals WHERE row_count = 0;\n"
_BUILD = f"""
CREATE FUNCTION cost_group_totals_build(company text, service_group uuid) RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
    built bigint;
BEGIN
    DELETE FROM cost_group_daily_totals WHERE tenant = company AND group_id = service_group;
    INSERT INTO cost_group_daily_totals ({_COLUMNS}, billed_cost, effective_cost, row_count)
    {
    _group_sums(
        "(SELECT * FROM costs WHERE tenant = company)", "1", "AND g.group_id = service_group"
    )
};
    GET DIAGNOSTICS built = ROW_COUNT;
    RETURN built;
END
$fn$
"""


def upgrade() -> None:
    for name in ("totals_ready_at", "totals_stale_since"):
        op.add_column("allocation_groups", sa.Column(name, sa.DateTime(timezone=True)))
    op.execute(_KEYS_VIEW)
    op.create_table(
        "cost_group_daily_totals",
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        *_0011.sums_columns(),
    )
    op.execute(
        f"CREATE UNIQUE INDEX ux_cost_group_daily_totals ON cost_group_daily_totals ({_KEY})"
        " NULLS NOT DISTINCT"
    )
    op.execute("CREATE INDEX ix_cost_group_daily_totals_empty ON cost_group_daily_totals (tenant)"
               " WHERE row_count = 0")  # fmt: skip
    op.execute(_BUILD)
    for function in (_0011.follow(_adding, _DROP_EMPTY), _0011.apply(_adding, _DROP_EMPTY)):
        op.execute(function)
    op.execute("SELECT cost_group_totals_build(tenant, group_id) FROM allocation_groups")
    op.execute("UPDATE allocation_groups SET totals_ready_at = now()")


def downgrade() -> None:
    for function in (_0011.follow(_0012.adding, _0012.DROP_EMPTY),
                     _0011.apply(_0012.adding, _0012.DROP_EMPTY)):  # fmt: skip
        op.execute(function)
    op.execute("DROP FUNCTION cost_group_totals_build(text, uuid)")
    op.drop_table("cost_group_daily_totals")
    op.execute("DROP VIEW allocation_group_keys")
    for name in ("totals_ready_at", "totals_stale_since"):
        op.drop_column("allocation_groups", name)
