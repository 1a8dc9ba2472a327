"""Run a service's Alembic migrations from code (start-up tools and tests).

Each service keeps its scripts in ``<package>/migrations``; the env.py there
calls ``run_env`` so that every service migrates the same way.
"""

from __future__ import annotations

import asyncio
from importlib import resources

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

MIGRATION_LOCK = 0x6E657068  # any constant: one lock per database, each service has its own


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
        # Replicas starting together (Kubernetes init containers) take turns: the
        # lock lives as long as the transaction, and the next one finds nothing to do.
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run())


def main(argv: list[str] | None = None) -> int:
    """``python -m nephos_common.migrations <package>``: migrate one service's database.

    The database URL comes from the service's own settings (``NEPHOS_<SERVICE>_DATABASE_URL``),
    so a Kubernetes Job runs it with the same environment as the service's pods.
    """
    import argparse
    import importlib

    parser = argparse.ArgumentParser(prog="python -m nephos_common.migrations")
    parser.add_argument("package", help="the service package, e.g. nephos_asset")
    args = parser.parse_args(argv)
    try:
        settings = importlib.import_module(f"{args.package}.settings").Settings()
    except ModuleNotFoundError:
        parser.error(f"{args.package!r} is not a Nephos service package")
    upgrade(args.package, settings.database_url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
