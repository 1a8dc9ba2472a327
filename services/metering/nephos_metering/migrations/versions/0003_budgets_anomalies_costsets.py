"""Budgets with their sent threshold notices, cost anomalies, and cost sets.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
JSON = postgresql.JSONB(astext_type=sa.Text())


def _budgets() -> None:
    op.create_table(
        "budgets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("scope", JSON, nullable=False),
        sa.Column("amount", sa.Numeric(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("thresholds", JSON, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TS, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", TS, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_budgets"),
    )
    op.create_index("ix_budgets_tenant_name", "budgets", ["tenant", "name"])
    op.create_table(
        "budget_notices",
        sa.Column("budget_id", sa.Uuid(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("threshold_percent", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(10), nullable=False),
        sa.Column("amount", sa.Numeric(), nullable=False),
        sa.Column("sent_at", TS, server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["budgets.id"],
            name="fk_budget_notices_budget_id_budgets",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "budget_id", "period_start", "threshold_percent", "basis", name="pk_budget_notices"
        ),
    )


def _anomalies() -> None:
    op.create_table(
        "anomalies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("service_name", sa.String(200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("actual", sa.Numeric(), nullable=False),
        sa.Column("expected", sa.Numeric(), nullable=False),
        sa.Column("expected_low", sa.Numeric(), nullable=False),
        sa.Column("expected_high", sa.Numeric(), nullable=False),
        sa.Column("detected_at", TS, server_default=sa.func.now(), nullable=False),
        sa.Column("acknowledged_at", TS, nullable=True),
        sa.Column("acknowledged_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_anomalies"),
    )
    op.create_index(
        "uq_anomalies_tenant_account_service_day",
        "anomalies",
        ["tenant", "account_id", "service_name", "day"],
        unique=True,
    )
    op.create_index("ix_anomalies_tenant_day", "anomalies", ["tenant", "day"])


def _cost_sets() -> None:
    op.create_table(
        "cost_sets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("filters", JSON, nullable=False),
        sa.Column("group_by", sa.String(30), nullable=False),
        sa.Column("period", sa.String(10), nullable=True),
        sa.Column("created_at", TS, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", TS, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cost_sets"),
    )
    op.create_index(
        "ix_cost_sets_tenant_owner_name", "cost_sets", ["tenant", "owner", "name"], unique=True
    )


def upgrade() -> None:
    _budgets()
    _anomalies()
    _cost_sets()


def downgrade() -> None:
    op.drop_table("cost_sets")
    op.drop_table("anomalies")
    op.drop_table("budget_notices")
    op.drop_table("budgets")
