"""Directory: companies, users, memberships, user groups, MSP assignments.

Revision ID: 0002
Revises: 0001
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ROLE_CHECK = "role IN ('viewer', 'operator', 'admin')"


def _created_at() -> sa.Column[Any]:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def _user_fk(primary_key: bool = True) -> sa.Column[Any]:
    return sa.Column(
        "user_id",
        sa.Uuid(),
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=primary_key,
    )


def _company_fk() -> sa.Column[Any]:
    return sa.Column(
        "company_id",
        sa.String(100),
        sa.ForeignKey("companies.id", ondelete="CASCADE"),
        primary_key=True,
    )


def upgrade() -> None:
    op.create_table(
        "companies",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("managed_by", sa.String(100), sa.ForeignKey("companies.id", ondelete="SET NULL")),
        _created_at(),
        sa.CheckConstraint("kind IN ('customer', 'msp')", name="kind"),
    )
    op.create_index("ix_companies_managed_by", "companies", ["managed_by"])
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("subject", sa.String(255), nullable=False, unique=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column(
            "home_company_id",
            sa.String(100),
            sa.ForeignKey("companies.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        _created_at(),
    )
    op.create_index("ix_users_home_company_id", "users", ["home_company_id"])
    op.create_table(
        "memberships",
        _user_fk(),
        _company_fk(),
        sa.Column("role", sa.String(20), nullable=False),
        sa.CheckConstraint(ROLE_CHECK, name="role"),
    )
    op.create_index("ix_memberships_company", "memberships", ["company_id"])
    op.create_table(
        "user_groups",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "company_id",
            sa.String(100),
            sa.ForeignKey("companies.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        _created_at(),
        sa.CheckConstraint(ROLE_CHECK, name="role"),
    )
    op.create_index(
        "ix_user_groups_company_name", "user_groups", ["company_id", "name"], unique=True
    )
    op.create_table(
        "user_group_members",
        sa.Column(
            "group_id",
            sa.Uuid(),
            sa.ForeignKey("user_groups.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        _user_fk(),
    )
    op.create_index("ix_user_group_members_user", "user_group_members", ["user_id"])
    op.create_table(
        "msp_user_assignments",
        _user_fk(),
        _company_fk(),
        sa.Column("role", sa.String(20), nullable=False),
        sa.CheckConstraint(ROLE_CHECK, name="role"),
    )
    op.create_table(
        "msp_group_assignments",
        sa.Column(
            "group_id",
            sa.Uuid(),
            sa.ForeignKey("user_groups.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        _company_fk(),
    )


def downgrade() -> None:
    for table in (
        "msp_group_assignments",
        "msp_user_assignments",
        "user_group_members",
        "user_groups",
        "memberships",
        "users",
        "companies",
    ):
        op.drop_table(table)
