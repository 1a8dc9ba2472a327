"""Leave room in asset pages for HOT updates of last_seen; drop a redundant index.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE assets SET (fillfactor = 70)")
    op.drop_index("ix_assets_tenant_id", table_name="assets")


def downgrade() -> None:
    op.create_index("ix_assets_tenant_id", "assets", ["tenant", "id"])
    op.execute("ALTER TABLE assets RESET (fillfactor)")
