"""Asset inventory: cloud accounts, assets and their versions, discovery runs.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from nephos_common.messaging.migration import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "cloud_accounts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("auth_method", sa.String(length=40), nullable=False),
        sa.Column("sealed_credentials", sa.LargeBinary(), nullable=False),
        sa.Column("endpoint_url", sa.String(length=500), nullable=True),
        sa.Column("regions", postgresql.ARRAY(sa.String(length=50)), nullable=True),
        sa.Column("native_account_id", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("discovery_interval_minutes", sa.Integer(), nullable=True),
        sa.Column("last_discovery_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cloud_accounts")),
    )
    op.create_index(op.f("ix_cloud_accounts_tenant"), "cloud_accounts", ["tenant"], unique=False)
    op.create_index(
        "ix_cloud_accounts_tenant_name", "cloud_accounts", ["tenant", "name"], unique=True
    )
    op.create_table(
        "assets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=50), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("native_type", sa.String(length=100), nullable=False),
        sa.Column("native_id", sa.String(length=500), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("tags", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("spec", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("relations", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("raw", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["cloud_accounts.id"],
            name=op.f("fk_assets_account_id_cloud_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assets")),
    )
    op.create_index(
        "ix_assets_account_native_id", "assets", ["account_id", "native_id"], unique=False
    )
    op.create_index(
        "ix_assets_live",
        "assets",
        ["tenant", "native_type"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index("ix_assets_tags", "assets", ["tags"], unique=False, postgresql_using="gin")
    op.create_index(
        "ix_assets_tenant_category", "assets", ["tenant", "category", "state"], unique=False
    )
    op.create_index("ix_assets_tenant_id", "assets", ["tenant", "id"], unique=False)
    op.create_index(
        "uq_assets_identity",
        "assets",
        ["account_id", "region", "native_type", "native_id"],
        unique=True,
    )
    op.create_table(
        "discovery_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("units_total", sa.Integer(), nullable=False),
        sa.Column("units_done", sa.Integer(), nullable=False),
        sa.Column("units_failed", sa.Integer(), nullable=False),
        sa.Column("assets_found", sa.Integer(), nullable=False),
        sa.Column("assets_created", sa.Integer(), nullable=False),
        sa.Column("assets_changed", sa.Integer(), nullable=False),
        sa.Column("assets_deleted", sa.Integer(), nullable=False),
        sa.Column("api_calls", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "requested_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["cloud_accounts.id"],
            name=op.f("fk_discovery_runs_account_id_cloud_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discovery_runs")),
    )
    op.create_index(
        "ix_discovery_runs_tenant_account", "discovery_runs", ["tenant", "account_id"], unique=False
    )
    op.create_table(
        "asset_versions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("diff", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_asset_versions_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_versions")),
    )
    op.create_index(
        "ix_asset_versions_asset", "asset_versions", ["asset_id", "version"], unique=False
    )
    op.create_index(
        "ix_asset_versions_tenant_time", "asset_versions", ["tenant", "changed_at"], unique=False
    )
    op.create_table(
        "discovery_unit_failures",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("region", sa.String(length=50), nullable=False),
        sa.Column("native_type", sa.String(length=100), nullable=False),
        sa.Column("error_code", sa.String(length=100), nullable=False),
        sa.Column("error_message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["discovery_runs.id"],
            name=op.f("fk_discovery_unit_failures_run_id_discovery_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discovery_unit_failures")),
    )
    op.create_index(
        op.f("ix_discovery_unit_failures_run_id"),
        "discovery_unit_failures",
        ["run_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_discovery_unit_failures_run_id"), table_name="discovery_unit_failures")
    op.drop_table("discovery_unit_failures")
    op.drop_index("ix_asset_versions_tenant_time", table_name="asset_versions")
    op.drop_index("ix_asset_versions_asset", table_name="asset_versions")
    op.drop_table("asset_versions")
    op.drop_index("ix_discovery_runs_tenant_account", table_name="discovery_runs")
    op.drop_table("discovery_runs")
    op.drop_index("uq_assets_identity", table_name="assets")
    op.drop_index("ix_assets_tenant_id", table_name="assets")
    op.drop_index("ix_assets_tenant_category", table_name="assets")
    op.drop_index("ix_assets_tags", table_name="assets", postgresql_using="gin")
    op.drop_index(
        "ix_assets_live", table_name="assets", postgresql_where=sa.text("deleted_at IS NULL")
    )
    op.drop_index("ix_assets_account_native_id", table_name="assets")
    op.drop_table("assets")
    op.drop_index("ix_cloud_accounts_tenant_name", table_name="cloud_accounts")
    op.drop_index(op.f("ix_cloud_accounts_tenant"), table_name="cloud_accounts")
    op.drop_table("cloud_accounts")
    drop_messaging_tables()
