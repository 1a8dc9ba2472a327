"""Asset and service-group projection, utilisation days, savings recommendations,
invoice terms, and the resource key that joins bill rows to assets.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
JSON = postgresql.JSONB(astext_type=sa.Text())

# One normal form for a bill's ResourceId and an asset's native id, so that both
# sides meet in one indexed equality: Azure ARM ids compare case-insensitively,
# AWS ARNs reduce to their last segment (``...:instance/i-0abc`` -> ``i-0abc``).
RESOURCE_KEY_FUNCTION = """
CREATE FUNCTION metering_resource_key(resource_id text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN resource_id ILIKE '/subscriptions/%' THEN lower(resource_id)
    WHEN resource_id LIKE 'arn:%' THEN regexp_replace(resource_id, '^.*[:/]', '')
    ELSE resource_id
  END
$$
"""


def _projection() -> None:
    op.create_table(
        "allocation_assets",
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(20), nullable=False),
        sa.Column("region", sa.String(50), nullable=False),
        sa.Column("category", sa.String(50), nullable=False),
        sa.Column("native_type", sa.String(100), nullable=False),
        sa.Column("native_id", sa.Text(), nullable=False),
        sa.Column("resource_keys", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("name", sa.String(300), nullable=True),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("tags", JSON, nullable=False),
        sa.Column("spec", JSON, nullable=False),
        sa.Column("first_seen_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("deleted_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("tenant", "asset_id", name="pk_allocation_assets"),
    )
    op.create_index(
        "ix_allocation_assets_tenant_resource_keys",
        "allocation_assets",
        ["resource_keys"],
        postgresql_using="gin",
    )
    op.create_table(
        "allocation_groups",
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("tenant", "group_id", name="pk_allocation_groups"),
    )
    op.create_table(
        "allocation_group_members",
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant", "group_id", "asset_id", name="pk_allocation_group_members"
        ),
    )
    op.execute(RESOURCE_KEY_FUNCTION)
    # Not partial: with a ``WHERE resource_id IS NOT NULL`` the planner stops using the
    # key for ``= ANY(...)`` lookups and scans the company's rows instead.
    op.execute(
        "CREATE INDEX ix_costs_tenant_resource_key ON costs "
        "(tenant, metering_resource_key(resource_id))"
    )


def _recommendations() -> None:
    op.create_table(
        "utilisation_days",
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("cpu_avg", sa.Float(), nullable=True),
        sa.Column("cpu_p95", sa.Float(), nullable=True),
        sa.Column("cpu_max", sa.Float(), nullable=True),
        sa.Column("network_in_bytes", sa.Float(), nullable=True),
        sa.Column("network_out_bytes", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("tenant", "asset_id", "day", name="pk_utilisation_days"),
    )
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=True),
        sa.Column("provider", sa.String(20), nullable=True),
        sa.Column("native_type", sa.String(100), nullable=True),
        sa.Column("resource_id", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.Column("monthly_saving", sa.Numeric(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_changed_by", sa.String(200), nullable=True),
        sa.Column("created_at", TS, server_default=sa.func.now(), nullable=False),
        sa.Column("computed_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_recommendations"),
        sa.UniqueConstraint("tenant", "kind", "subject", name="uq_recommendations_subject"),
    )
    op.create_table(
        "recommendation_refreshes",
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("computed_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("tenant", name="pk_recommendation_refreshes"),
    )


def _invoices() -> None:
    op.create_table(
        "invoice_terms",
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("adjustment_percent", sa.Numeric(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("updated_at", TS, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", name="pk_invoice_terms"),
    )


def upgrade() -> None:
    _projection()
    _recommendations()
    _invoices()


def downgrade() -> None:
    op.drop_table("invoice_terms")
    op.drop_table("recommendation_refreshes")
    op.drop_table("recommendations")
    op.drop_table("utilisation_days")
    op.execute("DROP INDEX IF EXISTS ix_costs_tenant_resource_key")
    op.execute("DROP FUNCTION IF EXISTS metering_resource_key(text)")
    op.drop_table("allocation_group_members")
    op.drop_table("allocation_groups")
    op.drop_index("ix_allocation_assets_tenant_resource_keys", table_name="allocation_assets")
    op.drop_table("allocation_assets")
