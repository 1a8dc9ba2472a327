"""A swap groups a partition's totals with parallel workers.

``cost_daily_totals_apply`` (a delivery's swap) grouped the partition's million
rows inside one ``INSERT``, and PostgreSQL never plans an ``INSERT`` in parallel:
the grouping, a seventh of an ingest, ran on one core while the other idled.
Each grouping (the company's and accounts' sums, the marked tags', the service
groups') is now a ``CREATE TABLE AS``, which may use parallel workers, into a
temporary table; one statement then adds them to the totals as before. The
sums are the same; the trigger on direct writes (a few rows each) is unchanged.
The function runs with room to hash its groupings (``_GROUPING_MEMORY``).

Revision ID: 0017
Revises: 0016
"""

from alembic import op

from nephos_metering.migrations.earlier import revision as earlier

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_0011 = earlier("0011_account_totals.py")
_0012 = earlier("0012_tag_totals.py")
_0014 = earlier("0014_group_totals.py")
_SUMS = "billed_cost, effective_cost, row_count"
_SIGNED = "$1 * billed_cost, $1 * effective_cost, $1 * row_count"
_GROUPINGS = {
    "cost_swap_sums": (_0011._ACCOUNT_KEY, _0011._GROUPED.format(source="%1$s")),
    "cost_swap_tag_sums": (
        _0012._COLUMNS, _0012._tag_sums("%1$s", "1", "a.tenant = c.tenant")
    ),
    "cost_swap_group_sums": (_0014._COLUMNS, _0014._group_sums("%1$s", "1")),
}  # fmt: skip
"""Temporary table: (its columns before the sums, the grouping that fills it)."""
_GROUPING_MEMORY = "256MB"
"""For the planner to hash the groupings: it expects a group per tag value, day and key,
hundreds of thousands, and would rather sort four million rows than hash them in 4 MB;
they are some thousands (a delivery of a million rows with a marked key: 19.16 s sorted,
14.54 s hashed)."""


def _grouping(table: str, columns: str, query: str) -> str:
    return f"""
    EXECUTE format($q$ CREATE TEMPORARY TABLE {table} ({columns}, {_SUMS}) ON COMMIT DROP AS
        {query} $q$, source);"""


def _upsert(into: str, columns: str, key: str, source: str) -> str:
    return f"""INSERT INTO {into} AS t ({columns}, {_SUMS})
        SELECT {columns}, {_SIGNED} FROM {source}
        ON CONFLICT ({key}) DO UPDATE SET {_0011.SUMS}"""


_ADD = f"""
    WITH by_account AS (
        {_upsert("cost_account_daily_totals", _0011._ACCOUNT_KEY, _0011._ACCOUNT_KEY,
                 "cost_swap_sums")}
    ), by_tag AS (
        {_upsert("cost_tag_daily_totals", _0012._COLUMNS, _0012._TAG_KEY, "cost_swap_tag_sums")}
    ), by_group AS (
        {_upsert("cost_group_daily_totals", _0014._COLUMNS, _0014._KEY, "cost_swap_group_sums")}
    )
    INSERT INTO cost_daily_totals AS t ({_0011._KEY}, {_SUMS})
    SELECT {_0011._KEY}, $1 * sum(billed_cost), $1 * sum(effective_cost), $1 * sum(row_count)
    FROM cost_swap_sums GROUP BY {_0011._KEY}
    ON CONFLICT ({_0011._KEY}) DO UPDATE SET {_0011.SUMS}
"""  # fmt: skip
_APPLY = f"""
CREATE OR REPLACE FUNCTION cost_daily_totals_apply(source regclass, sign integer) RETURNS void
LANGUAGE plpgsql SET work_mem = '{_GROUPING_MEMORY}' AS $fn$
BEGIN
    {"".join(_grouping(table, *grouping) for table, grouping in _GROUPINGS.items())}
    EXECUTE $q$ {_ADD} $q$ USING sign;
    DROP TABLE {", ".join(_GROUPINGS)};
    IF sign < 0 THEN
        {_0014._DROP_EMPTY}
    END IF;
END
$fn$
"""


def upgrade() -> None:
    op.execute(_APPLY)


def downgrade() -> None:
    op.execute(_0011.apply(_0014._adding, _0014._DROP_EMPTY))
