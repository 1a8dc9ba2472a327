"""Targets read model, partitioned metric points with rollups, alert rules and alerts.

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

TS = sa.DateTime(timezone=True)


def _series_key() -> list[sa.Column]:
    return [
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("metric", sa.String(100), nullable=False),
    ]


def _targets() -> None:
    op.create_table(
        "targets",
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(20), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("native_type", sa.String(100), nullable=False),
        sa.Column("native_id", sa.String(500), nullable=False),
        sa.Column("name", sa.String(500), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("tags", postgresql.JSONB(), nullable=False),
        sa.Column("deleted_at", TS, nullable=True),
        sa.Column("updated_at", TS, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "asset_id", name="pk_targets"),
    )
    op.create_index(
        "ix_targets_tenant_account_id_region", "targets", ["tenant", "account_id", "region"]
    )


def _metrics() -> None:
    op.create_table(
        "metric_points",
        *_series_key(),
        sa.Column("ts", TS, nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "asset_id", "metric", "ts", name="pk_metric_points"),
        postgresql_partition_by="RANGE (ts)",
    )
    op.create_table(
        "metric_rollups_1h",
        *_series_key(),
        sa.Column("bucket", TS, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("sum", sa.Float(), nullable=False),
        sa.Column("min", sa.Float(), nullable=False),
        sa.Column("max", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant", "asset_id", "metric", "bucket", name="pk_metric_rollups_1h"
        ),
    )
    op.create_table(
        "metric_latest",
        *_series_key(),
        sa.Column("ts", TS, nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "asset_id", "metric", name="pk_metric_latest"),
    )


def _alerts() -> None:
    op.create_table(
        "alert_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("metric", sa.String(100), nullable=False),
        sa.Column("operator", sa.String(2), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("for_seconds", sa.Integer(), nullable=False),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("scope", postgresql.JSONB(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", TS, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_alert_rules"),
    )
    op.create_index("ix_alert_rules_tenant_metric", "alert_rules", ["tenant", "metric"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("rule_id", sa.Uuid(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("metric", sa.String(100), nullable=False),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("fired_at", TS, nullable=True),
        sa.Column("resolved_at", TS, nullable=True),
        sa.Column("last_value", sa.Float(), nullable=False),
        sa.Column("last_ts", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["alert_rules.id"],
            name="fk_alerts_rule_id_alert_rules",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
    )
    op.create_index(
        "uq_alerts_open_rule_asset",
        "alerts",
        ["rule_id", "asset_id"],
        unique=True,
        postgresql_where=sa.text("state IN ('pending', 'firing')"),
    )
    op.create_index("ix_alerts_tenant_state", "alerts", ["tenant", "state"])


def upgrade() -> None:
    _targets()
    _metrics()
    _alerts()


def downgrade() -> None:
    for table in ("alerts", "alert_rules", "metric_latest", "metric_rollups_1h", "metric_points"):
        op.drop_table(table)
    op.drop_table("targets")
