"""Resource ids, and so their keys, are compared byte by byte (collation ``C``).

A delivery's index on resource keys sorts a million of them. Under the
database's collation every comparison went through the C library's ``strcoll``
(PostgreSQL shortcuts only ``C`` itself). Ids are matched for equality, never
shown in a language's order, so ``costs.resource_id`` now has collation ``C``
and its keys inherit it: the index builds in three quarters of the time (0.80 s
for a million rows, now 0.59 s). Sorted, ids now come in code point order, as
they already did under a ``C.UTF-8`` locale.

Only an Azure id is lowercased, and the lowercasing stays the database's (``C``
would lowercase ASCII letters only, and the Python twin lowers every letter):
``metering_resource_key`` names it. Every key is the same, and every index on
them is rebuilt by the change of collation.

Revision ID: 0021
Revises: 0020
"""

from alembic import op

from nephos_metering.migrations.earlier import revision as earlier

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_0019 = earlier("0019_resource_key_arn_first.py")
_LOWERED_AS_BEFORE = _0019.arn_first('resource_id COLLATE "default"')
_TABLES = ("costs", "costs_partition_template")


def _collate(collation: str) -> None:
    for table in _TABLES:
        op.execute(f'ALTER TABLE {table} ALTER COLUMN resource_id TYPE text COLLATE "{collation}"')


def upgrade() -> None:
    op.execute(_LOWERED_AS_BEFORE)
    _collate("C")


def downgrade() -> None:
    _collate("default")
    op.execute(_0019._ARN_FIRST)
