"""FOCUS cost rows and the deliveries they came from.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("bucket", sa.String(length=255), nullable=False),
        sa.Column("manifest_key", sa.Text(), nullable=False),
        sa.Column("files", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("billing_account_id", sa.String(length=100), nullable=True),
        sa.Column("billing_period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("billing_period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("billed_cost_total", sa.Numeric(), nullable=True),
        sa.Column("billing_currency", sa.String(length=3), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_details", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "requested_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
    )
    op.create_index(
        "ix_deliveries_tenant_account", "deliveries", ["tenant", "account_id"], unique=False
    )
    op.create_index(
        "ix_deliveries_tenant_fingerprint", "deliveries", ["tenant", "fingerprint"], unique=False
    )
    op.create_table(
        "costs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("delivery_id", sa.Uuid(), nullable=False),
        sa.Column("billing_account_id", sa.String(length=100), nullable=False),
        sa.Column("sub_account_id", sa.String(length=100), nullable=True),
        sa.Column("billing_period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("billing_period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("charge_period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("charge_period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("billed_cost", sa.Numeric(), nullable=False),
        sa.Column("effective_cost", sa.Numeric(), nullable=False),
        sa.Column("list_cost", sa.Numeric(), nullable=True),
        sa.Column("contracted_cost", sa.Numeric(), nullable=True),
        sa.Column("billing_currency", sa.String(length=3), nullable=False),
        sa.Column("charge_category", sa.String(length=20), nullable=False),
        sa.Column("charge_class", sa.String(length=20), nullable=True),
        sa.Column("charge_description", sa.Text(), nullable=True),
        sa.Column("service_name", sa.String(length=200), nullable=True),
        sa.Column("service_category", sa.String(length=50), nullable=True),
        sa.Column("region_id", sa.String(length=50), nullable=True),
        sa.Column("resource_id", sa.Text(), nullable=True),
        sa.Column("resource_type", sa.String(length=200), nullable=True),
        sa.Column("sku_id", sa.String(length=100), nullable=True),
        sa.Column("pricing_quantity", sa.Numeric(), nullable=True),
        sa.Column("pricing_unit", sa.String(length=100), nullable=True),
        sa.Column("consumed_quantity", sa.Numeric(), nullable=True),
        sa.Column("consumed_unit", sa.String(length=100), nullable=True),
        sa.Column("commitment_discount_id", sa.Text(), nullable=True),
        sa.Column("commitment_discount_type", sa.String(length=50), nullable=True),
        sa.Column("tags", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("x_line_item_type", sa.String(length=50), nullable=True),
        sa.Column("x_product_code", sa.String(length=100), nullable=True),
        sa.Column("x_usage_type", sa.String(length=200), nullable=True),
        sa.Column("x_operation", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["deliveries.id"], name=op.f("fk_costs_delivery_id_deliveries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_costs")),
    )
    op.create_index(op.f("ix_costs_delivery_id"), "costs", ["delivery_id"], unique=False)
    op.create_index(
        "ix_costs_tenant_billing_period",
        "costs",
        ["tenant", "billing_account_id", "billing_period_start"],
        unique=False,
    )
    op.create_index(
        "ix_costs_tenant_charge_period_start",
        "costs",
        ["tenant", "charge_period_start"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_costs_tenant_charge_period_start", table_name="costs")
    op.drop_index("ix_costs_tenant_billing_period", table_name="costs")
    op.drop_index(op.f("ix_costs_delivery_id"), table_name="costs")
    op.drop_table("costs")
    op.drop_index("ix_deliveries_tenant_fingerprint", table_name="deliveries")
    op.drop_index("ix_deliveries_tenant_account", table_name="deliveries")
    op.drop_table("deliveries")
