"""Throw-away PostgreSQL databases for the bench, migrated by the real migrations.

Migrations run once into a template; each measured variant gets a fresh
clone (``CREATE DATABASE ... TEMPLATE``, well under a second). Every database
the bench creates is named ``nephos_bench_*`` and dropped on the way out.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from nephos_common.migrations import upgrade

POSTGRES_URL = os.environ.get("NEPHOS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
PREFIX = "nephos_bench_"


def async_url(name: str) -> str:
    return f"{POSTGRES_URL.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"


async def _admin(*statements: str) -> None:
    conn = await asyncpg.connect(f"{POSTGRES_URL}/postgres")
    try:
        for sql in statements:
            await conn.execute(sql)
    finally:
        await conn.close()


class Databases:
    """Creates migrated databases for one bench run and drops them all at the end."""

    def __init__(self, package: str = "nephos_asset") -> None:
        self._package = package
        self._run = uuid.uuid4().hex[:8]
        self._template: str | None = None
        self._created: list[str] = []

    def fresh(self) -> str:
        """A new, empty, migrated database; returns its SQLAlchemy (asyncpg) URL."""
        if self._template is None:
            name = f"{PREFIX}tmpl_{self._run}"
            asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
            self._created.append(name)
            upgrade(self._package, async_url(name))
            self._template = name
        name = f"{PREFIX}{self._run}_{len(self._created)}"
        asyncio.run(_admin(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"'))
        self._created.append(name)
        return async_url(name)

    def checkpoint(self) -> None:
        """Write out what the set-up left dirty (the databases' clones, files put into
        moto) before a timed run, as pgbench does before its runs: otherwise a checkpoint
        of the set-up's writes lands in one run and not in another."""
        asyncio.run(_admin("CHECKPOINT"))

    def drop_all(self) -> None:
        drops = [f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in reversed(self._created)]
        if drops:
            asyncio.run(_admin(*drops))
        self._created.clear()
        self._template = None


@contextmanager
def databases(package: str = "nephos_asset") -> Iterator[Databases]:
    """Databases for the block, all dropped afterwards (also when the bench fails)."""
    dbs = Databases(package)
    try:
        yield dbs
    finally:
        dbs.drop_all()
