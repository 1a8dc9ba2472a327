"""Service groups (rules, explicit and current members) and an index for incoming relations.

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
        "service_groups",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("rule", sa.Text(), nullable=True),
        sa.Column("rule_terms", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_groups")),
    )
    op.create_index(
        "ix_service_groups_tenant_name", "service_groups", ["tenant", "name"], unique=True
    )
    op.create_table(
        "service_group_explicit_members",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_service_group_explicit_members_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["service_groups.id"],
            name=op.f("fk_service_group_explicit_members_group_id_service_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "group_id", "asset_id", name=op.f("pk_service_group_explicit_members")
        ),
    )
    op.create_table(
        "service_group_members",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column(
            "since", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_service_group_members_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["service_groups.id"],
            name=op.f("fk_service_group_members_group_id_service_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "asset_id", name=op.f("pk_service_group_members")),
    )
    op.create_index(
        "ix_service_group_members_asset", "service_group_members", ["asset_id"], unique=False
    )
    op.create_index(
        "ix_assets_relations",
        "assets",
        ["relations"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"relations": "jsonb_path_ops"},
    )


def downgrade() -> None:
    op.drop_index(
        "ix_assets_relations",
        table_name="assets",
        postgresql_using="gin",
        postgresql_ops={"relations": "jsonb_path_ops"},
    )
    op.drop_index("ix_service_group_members_asset", table_name="service_group_members")
    op.drop_table("service_group_members")
    op.drop_table("service_group_explicit_members")
    op.drop_index("ix_service_groups_tenant_name", table_name="service_groups")
    op.drop_table("service_groups")
