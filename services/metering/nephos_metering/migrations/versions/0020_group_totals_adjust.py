"""A service group's daily totals adjusted by the resource keys a change adds or removes.

A membership change used to make the group's totals stale until a job rebuilt
them whole, and its questions read the line items meanwhile. A change of a few
keys now adjusts them in its own transaction instead:
``cost_group_totals_adjust`` adds (``sign`` 1) or subtracts (-1) the rows of
``keys`` to the group's totals, reading each key's rows by the resource key
index, and drops the rows left empty.

Revision ID: 0020
Revises: 0019
"""

from alembic import op

from nephos_metering.migrations.earlier import revision as earlier

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_0011 = earlier("0011_account_totals.py")
_0014 = earlier("0014_group_totals.py")
_ADJUST = f"""
CREATE FUNCTION cost_group_totals_adjust(company text, service_group uuid, keys text[],
                                         sign integer) RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
    adjusted bigint;
BEGIN
    INSERT INTO cost_group_daily_totals AS t ({_0014._COLUMNS}, billed_cost, effective_cost,
                                              row_count)
    SELECT c.tenant, service_group, c.account_id, d.dimension, {_0011.DAY}, c.billing_currency,
           d.key, sign * sum(c.billed_cost), sign * sum(c.effective_cost), sign * count(*)
    FROM costs AS c {_0011.DIMENSIONS}
    WHERE c.tenant = company AND metering_resource_key(c.resource_id) = ANY(keys)
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT ({_0014._KEY}) DO UPDATE SET {_0011.SUMS};
    GET DIAGNOSTICS adjusted = ROW_COUNT;
    DELETE FROM cost_group_daily_totals
    WHERE tenant = company AND group_id = service_group AND row_count = 0;
    RETURN adjusted;
END
$fn$
"""


def upgrade() -> None:
    op.execute(_ADJUST)


def downgrade() -> None:
    op.execute("DROP FUNCTION cost_group_totals_adjust(text, uuid, text[], integer)")
