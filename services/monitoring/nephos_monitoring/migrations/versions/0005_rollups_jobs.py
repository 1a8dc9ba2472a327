"""Five-minute and daily rollups, scheduled collection jobs, daily utilisation marks.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _rollup(name: str) -> None:
    op.create_table(
        name,
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("metric", sa.String(100), nullable=False),
        sa.Column("bucket", TS, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("sum", sa.Float(), nullable=False),
        sa.Column("min", sa.Float(), nullable=False),
        sa.Column("max", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "asset_id", "metric", "bucket", name=f"pk_{name}"),
    )


def _collection_jobs() -> None:
    op.create_table(
        "collection_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(20), nullable=False),
        sa.Column("slot", TS, nullable=False),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("targets", sa.Integer(), nullable=False),
        sa.Column("api_calls", sa.Integer(), nullable=False),
        sa.Column("points_stored", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_collection_jobs"),
        sa.UniqueConstraint(
            "tenant", "account_id", "slot", name="uq_collection_jobs_tenant_account_id_slot"
        ),
    )
    op.create_index(
        "ix_collection_jobs_tenant_requested_at", "collection_jobs", ["tenant", "requested_at"]
    )


def _utilisation_days() -> None:
    op.create_table(
        "utilisation_days",
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("recorded_at", TS, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "asset_id", "day", name="pk_utilisation_days"),
    )


def upgrade() -> None:
    _rollup("metric_rollups_5m")
    _rollup("metric_rollups_1d")
    _collection_jobs()
    _utilisation_days()


def downgrade() -> None:
    for table in ("utilisation_days", "collection_jobs", "metric_rollups_1d", "metric_rollups_5m"):
        op.drop_table(table)
