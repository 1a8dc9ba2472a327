"""Run a service's Alembic migrations from code (start-up tools and tests).

Each service keeps its scripts in ``<package>/migrations``; the env.py there
calls ``run_env`` so that every service migrates the same way.
"""

from __future__ import annotations

import asyncio
from importlib import resources

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def alembic_config(package: str, database_url: str) -> Config:
    location = resources.files(package) / "migrations"
    cfg = Config()
    cfg.set_main_option("script_location", str(location))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(package: str, database_url: str, revision: str = "heads") -> None:
    """Bring the database of ``package`` (e.g. ``nephos_asset``) up to ``revision``.

    ``heads``: independent branches of a service's migrations all apply.
    """
    command.upgrade(alembic_config(package, database_url), revision)


async def upgrade_async(package: str, database_url: str, revision: str = "heads") -> None:
    await asyncio.to_thread(upgrade, package, database_url, revision)


def run_env(target_metadata: MetaData) -> None:
    """Body of every service's ``migrations/env.py`` (online mode, asyncpg)."""
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set"

    def do_run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run())
