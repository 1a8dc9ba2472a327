"""``metering_resource_key`` tries the AWS form first.

A bill's rows are mostly AWS ARNs, and every delivery's index on resource keys
computes the key of each row: the case-insensitive test for an Azure id came
first, and cost a third of that index's build on an AWS bill. The two forms
cannot both match (one starts with ``arn:``, the other with ``/``), so every key
is the same and the indexes built hold.

Revision ID: 0019
Revises: 0018
"""

from alembic import op

from nephos_metering.migrations.earlier import revision as earlier

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_0004 = earlier("0004_allocation_recommendations_invoices.py")


def arn_first(azure_id: str = "resource_id") -> str:
    """``metering_resource_key`` trying the AWS form first; ``azure_id`` is the id as the
    Azure form is matched and lowercased (revision 0021 names its collation)."""
    return f"""
CREATE OR REPLACE FUNCTION metering_resource_key(resource_id text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN resource_id LIKE 'arn:%' THEN regexp_replace(resource_id, '^.*[:/]', '')
    WHEN {azure_id} ILIKE '/subscriptions/%' THEN lower({azure_id})
    ELSE resource_id
  END
$$
"""


_ARN_FIRST = arn_first()


def upgrade() -> None:
    op.execute(_ARN_FIRST)


def downgrade() -> None:
    op.execute(_0004.RESOURCE_KEY_FUNCTION.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))
