"""Keep the provider's raw record as ``json`` text rather than ``jsonb``.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE assets ALTER COLUMN raw TYPE json USING raw::json")


def downgrade() -> None:
    op.execute("ALTER TABLE assets ALTER COLUMN raw TYPE jsonb USING raw::jsonb")
