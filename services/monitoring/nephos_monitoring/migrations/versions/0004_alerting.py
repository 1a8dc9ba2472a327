"""Alerting: no-data rules, flapping and silencing on alerts, silences, maintenance
windows, service-group membership, escalation policies, incident preferences and
suppressed deliveries.

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
EMPTY_LIST = sa.text("'[]'::jsonb")


def _fk(
    table: str, column: str, referred: str, ondelete: str = "CASCADE"
) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=f"fk_{table}_{column}_{referred}", ondelete=ondelete
    )


def _escalation() -> None:
    op.create_table(
        "escalation_policies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("steps", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", TS, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_escalation_policies"),
    )
    op.create_index("ix_escalation_policies_tenant", "escalation_policies", ["tenant"])
    op.create_table(
        "incident_escalations",
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("step_started_at", TS, nullable=False),
        sa.Column("step_wait_minutes", sa.Integer(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        _fk("incident_escalations", "incident_id", "incidents"),
        _fk("incident_escalations", "policy_id", "escalation_policies"),
        sa.PrimaryKeyConstraint("incident_id", name="pk_incident_escalations"),
    )
    op.create_index(
        "ix_incident_escalations_pending",
        "incident_escalations",
        ["step_started_at"],
        postgresql_where=sa.text("NOT done"),
    )
    op.create_table(
        "incident_preferences",
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("auto_resolve", sa.Boolean(), nullable=False),
        sa.Column("escalation_policy_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", TS, server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["escalation_policy_id"],
            ["escalation_policies.id"],
            name="fk_incident_preferences_escalation_policies",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("tenant", name="pk_incident_preferences"),
    )


def _suppression() -> None:
    op.create_table(
        "silences",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("matchers", postgresql.JSONB(), nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("ends_at", TS, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", TS, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_silences"),
    )
    op.create_index("ix_silences_tenant_ends_at", "silences", ["tenant", "ends_at"])
    op.create_table(
        "maintenance_windows",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("scope", postgresql.JSONB(), nullable=False),
        sa.Column("schedule", postgresql.JSONB(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", TS, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_maintenance_windows"),
    )
    op.create_index("ix_maintenance_windows_tenant", "maintenance_windows", ["tenant"])
    op.create_table(
        "service_group_members",
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "group_id", "asset_id", name="pk_service_group_members"),
    )
    op.create_index(
        "ix_service_group_members_tenant_asset_id", "service_group_members", ["tenant", "asset_id"]
    )


def _columns() -> None:
    op.add_column(
        "alert_rules",
        sa.Column("kind", sa.String(20), server_default="threshold", nullable=False),
    )
    op.add_column("alert_rules", sa.Column("no_data_seconds", sa.Integer(), nullable=True))
    op.add_column(
        "alert_rules",
        sa.Column("flap_max_changes", sa.Integer(), server_default="4", nullable=False),
    )
    op.add_column(
        "alert_rules",
        sa.Column("flap_window_seconds", sa.Integer(), server_default="600", nullable=False),
    )
    op.add_column("alert_rules", sa.Column("auto_resolve_incidents", sa.Boolean(), nullable=True))
    op.add_column("alert_rules", sa.Column("escalation_policy_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        "fk_alert_rules_escalation_policy_id_escalation_policies",
        "alert_rules",
        "escalation_policies",
        ["escalation_policy_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.add_column(
        "alerts", sa.Column("flapping", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column(
        "alerts",
        sa.Column("silenced_by", postgresql.JSONB(), server_default=EMPTY_LIST, nullable=False),
    )
    op.create_index(
        "ix_alerts_rule_id_asset_id_started_at", "alerts", ["rule_id", "asset_id", "started_at"]
    )
    op.add_column(
        "notification_deliveries",
        sa.Column("suppressed_reason", sa.String(40), nullable=True),
    )


def upgrade() -> None:
    _escalation()
    _suppression()
    _columns()


def downgrade() -> None:
    op.drop_column("notification_deliveries", "suppressed_reason")
    op.drop_index("ix_alerts_rule_id_asset_id_started_at", table_name="alerts")
    op.drop_column("alerts", "silenced_by")
    op.drop_column("alerts", "flapping")
    for column in (
        "escalation_policy_id",
        "auto_resolve_incidents",
        "flap_window_seconds",
        "flap_max_changes",
        "no_data_seconds",
        "kind",
    ):
        op.drop_column("alert_rules", column)
    for table in (
        "service_group_members",
        "maintenance_windows",
        "silences",
        "incident_preferences",
        "incident_escalations",
        "escalation_policies",
    ):
        op.drop_table(table)
