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
_ARN_FIRST = """
CREATE OR REPLACE FUNCTION metering_resource_key(resource_id text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN resource_id LIKE 'arn:%' THEN regexp_replace(resource_id, '^.*[:/]', '')
    WHEN resource_id ILIKE '/subscriptions/%' THEN lower(resource_id)
    ELSE resource_id
  END
$$
"""


def upgrade() -> None:
    op.execute(_ARN_FIRST)


def downgrade() -> None:
    op.execute(_0004.RESOURCE_KEY_FUNCTION.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))
