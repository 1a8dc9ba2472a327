"""Daily totals per cost allocation tag, for questions narrowed to or grouped by a tag.

A company marks the tag keys it allocates cost by (``cost_allocation_tags``),
as AWS has cost allocation tags activated: totals per value of every tag key
would hold about as many rows as the line items. ``cost_tag_daily_totals``
holds, per marked key, the sums of ``cost_account_daily_totals`` per value of
the key too. Every row of the company counts once per marked key, under its
value, or unmarked (``tagged`` false, no value) where it lacks the key; so the
values of one key add up to the whole, and a summary grouped by the key's
values reads these totals too.

They are kept in the same statements as the other totals (the trigger on
direct writes and ``cost_daily_totals_apply`` at a swap), from a second
grouping over the rows concerned, joined to the company's marked keys: a
company that marked none adds nothing. A key just marked has its totals built
from the line items by ``cost_tag_totals_build``; questions read them once the
build is done (``ready_at``).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from nephos_metering.migrations.earlier import revision as earlier

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


_0011 = earlier("0011_account_totals.py")
"""Revision 0011, whose functions this one extends and its downgrade restores."""
_TAG_KEY = "tenant, tag_key, dimension, tag_value, day, account_id, tagged, billing_currency, key"
_COLUMNS = "tenant, tag_key, tagged, tag_value, account_id, dimension, day, billing_currency, key"


def _tag_sums(source: str, sign: str, marked: str) -> str:
    """``sign`` times the rows of ``source`` grouped per marked key (``marked``: the
    join condition on ``cost_allocation_tags AS a``) and its value, in every dimension."""
    return f"""
    SELECT c.tenant, a.tag_key, c.tags ? a.tag_key, c.tags ->> a.tag_key, c.account_id,
           d.dimension, {_0011.DAY}, c.billing_currency, d.key,
           {sign} * sum(c.billed_cost), {sign} * sum(c.effective_cost), {sign} * count(*)
    FROM {source} AS c JOIN cost_allocation_tags AS a ON {marked} {_0011.DIMENSIONS}
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
    """


def by_tag(source: str, sign: str) -> str:
    return f"""
    , by_tag AS (
        INSERT INTO cost_tag_daily_totals AS t ({_COLUMNS}, billed_cost, effective_cost,
                                                row_count)
        {_tag_sums(source, sign, "a.tenant = c.tenant")}
        ON CONFLICT ({_TAG_KEY}) DO UPDATE SET {_0011.SUMS}
    )"""


def adding(source: str, sign: str) -> str:
    return str(_0011.add(source, sign, accounts=True, also=by_tag(source, sign)))


DROP_EMPTY = _0011.drop_empty(True) + "DELETE FROM cost_tag_daily_totals WHERE row_count = 0;\n"
_BUILD = f"""
CREATE FUNCTION cost_tag_totals_build(company text, tag text) RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
    built bigint;
BEGIN
    DELETE FROM cost_tag_daily_totals WHERE tenant = company AND tag_key = tag;
    INSERT INTO cost_tag_daily_totals ({_COLUMNS}, billed_cost, effective_cost, row_count)
    {
    _tag_sums(
        "(SELECT * FROM costs WHERE tenant = company)",
        "1",
        "a.tenant = c.tenant AND a.tag_key = tag",
    )
};
    GET DIAGNOSTICS built = ROW_COUNT;
    RETURN built;
END
$fn$
"""


def upgrade() -> None:
    op.create_table(
        "cost_allocation_tags",
        sa.Column("tenant", sa.String(length=100), primary_key=True),
        sa.Column("tag_key", sa.Text(), primary_key=True),
        sa.Column("marked_by", sa.String(length=200), nullable=False),
        sa.Column(
            "marked_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "cost_tag_daily_totals",
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("tag_key", sa.Text(), nullable=False),
        sa.Column("tagged", sa.Boolean(), nullable=False),
        sa.Column("tag_value", sa.Text(), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        *_0011.sums_columns(),
    )
    op.execute(
        f"CREATE UNIQUE INDEX ux_cost_tag_daily_totals ON cost_tag_daily_totals ({_TAG_KEY})"
        " NULLS NOT DISTINCT"
    )
    op.execute("CREATE INDEX ix_cost_tag_daily_totals_empty ON cost_tag_daily_totals (tenant)"
               " WHERE row_count = 0")  # fmt: skip
    op.execute(_BUILD)
    for function in (_0011.follow(adding, DROP_EMPTY), _0011.apply(adding, DROP_EMPTY)):
        op.execute(function)


def downgrade() -> None:
    for function in _0011.functions(accounts=True):
        op.execute(function)
    op.execute("DROP FUNCTION cost_tag_totals_build(text, text)")
    op.drop_table("cost_tag_daily_totals")
    op.drop_table("cost_allocation_tags")
