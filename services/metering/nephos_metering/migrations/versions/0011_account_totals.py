"""Daily totals per cloud account, for questions narrowed to accounts.

``cost_account_daily_totals`` holds what ``cost_daily_totals`` holds, per
cloud account (Nephos's id) as well, so that a dashboard question about one
account reads a few thousand rows instead of the account's line items.

Both are kept in one pass over the rows concerned: they are grouped by
account once, written to the account totals, and summed over accounts for the
company totals. The trigger on direct writes and ``cost_daily_totals_apply``
(the swap of a delivery's partition) are replaced by versions that do so; a
removal is now an addition with the opposite sign, as the swap already did.
The rows held so far are added to the new totals here.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_KEY = "tenant, dimension, day, billing_currency, key"
_ACCOUNT_KEY = "tenant, account_id, dimension, day, billing_currency, key"
DIMENSIONS = """CROSS JOIN LATERAL (VALUES
        ('service', c.service_name::text), ('account', c.sub_account_id::text),
        ('region', c.region_id::text), ('charge_category', c.charge_category::text)
    ) AS d(dimension, key)"""
"""Every row of ``c`` once per dimension of the totals, under its key in that dimension."""
DAY = "(c.charge_period_start AT TIME ZONE 'UTC')::date"
_GROUPED = f"""
    SELECT c.tenant, c.account_id, d.dimension,
           {DAY} AS day, c.billing_currency, d.key,
           sum(c.billed_cost) AS billed_cost, sum(c.effective_cost) AS effective_cost,
           count(*) AS row_count
    FROM {{source}} AS c {DIMENSIONS}
    GROUP BY 1, 2, 3, 4, 5, 6
"""
SUMS = """billed_cost = t.billed_cost + excluded.billed_cost,
        effective_cost = t.effective_cost + excluded.effective_cost,
        row_count = t.row_count + excluded.row_count"""


def add(source: str, sign: str, *, accounts: bool, also: str = "") -> str:
    """SQL adding ``sign`` times the rows of ``source`` to the totals (and, with
    ``accounts``, to the account totals too, from the same grouping); ``also`` is
    further data-modifying WITH queries of the same statement (a later revision's)."""
    by_account = f"""
    , by_account AS (
        INSERT INTO cost_account_daily_totals AS t ({_ACCOUNT_KEY}, billed_cost,
                                                    effective_cost, row_count)
        SELECT {_ACCOUNT_KEY}, {sign} * billed_cost, {sign} * effective_cost, {sign} * row_count
        FROM grouped
        ON CONFLICT ({_ACCOUNT_KEY}) DO UPDATE SET {SUMS}
    )"""
    return f"""
    WITH grouped AS ({_GROUPED.format(source=source)}){by_account if accounts else ""}{also}
    INSERT INTO cost_daily_totals AS t ({_KEY}, billed_cost, effective_cost, row_count)
    SELECT {_KEY}, {sign} * sum(billed_cost), {sign} * sum(effective_cost), {sign} * sum(row_count)
    FROM grouped GROUP BY {_KEY}
    ON CONFLICT ({_KEY}) DO UPDATE SET {SUMS}
    """


def drop_empty(accounts: bool) -> str:
    tables = ["cost_daily_totals"] + (["cost_account_daily_totals"] if accounts else [])
    return "".join(f"DELETE FROM {table} WHERE row_count = 0;\n" for table in tables)


Adding = Callable[[str, str], str]
"""SQL adding ``sign`` (second) times the rows of ``source`` (first) to every total."""


def _adding(accounts: bool) -> Adding:
    return lambda source, sign: add(source, sign, accounts=accounts)


def follow(add: Adding, drop_empty: str) -> str:
    """The trigger function keeping the totals of direct writes to ``costs``."""
    return f"""
CREATE OR REPLACE FUNCTION cost_daily_totals_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        {add("removed", "-1")};
        {drop_empty}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {add("added", "1")};
    END IF;
    RETURN NULL;
END
$$
"""


def apply(add: Adding, drop_empty: str) -> str:
    """The function adding (or subtracting) a whole partition's totals at a swap (the
    partition is ``%1$s`` to ``format``: the statement may name it more than once)."""
    return f"""
CREATE OR REPLACE FUNCTION cost_daily_totals_apply(source regclass, sign integer) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    EXECUTE format($q$ {add("%1$s", "$1")} $q$, source) USING sign;
    IF sign < 0 THEN
        {drop_empty}
    END IF;
END
$fn$
"""


def functions(accounts: bool) -> list[str]:
    """This revision's functions (``accounts``) or the previous one's."""
    adding, drop = _adding(accounts), drop_empty(accounts)
    return [follow(adding, drop), apply(adding, drop)]


def sums_columns() -> list[sa.Column[Any]]:
    """The columns every daily totals table ends with: where, when, and the sums."""
    return [
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("billing_currency", sa.String(length=3), nullable=False),
        sa.Column("key", sa.Text(), nullable=True),
        sa.Column("billed_cost", sa.Numeric(), nullable=False),
        sa.Column("effective_cost", sa.Numeric(), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "cost_account_daily_totals",
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        *sums_columns(),
    )
    op.execute(
        f"CREATE UNIQUE INDEX ux_cost_account_daily_totals ON cost_account_daily_totals"
        f" ({_ACCOUNT_KEY}) NULLS NOT DISTINCT"
    )
    op.execute(
        f"INSERT INTO cost_account_daily_totals ({_ACCOUNT_KEY}, billed_cost, effective_cost,"
        f" row_count) {_GROUPED.format(source='costs')}"
    )
    for function in functions(accounts=True):
        op.execute(function)


def downgrade() -> None:
    for function in functions(accounts=False):
        op.execute(function)
    op.drop_table("cost_account_daily_totals")
