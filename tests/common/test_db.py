"""The reader: GET and HEAD requests read without a transaction, and cannot write."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import Database
from tests.fixtures.infra import DatabaseFactory


@pytest.fixture
async def database(databases: DatabaseFactory) -> AsyncIterator[Database]:
    db = Database(await databases.create("nephos_metering"), pool_size=1)
    async with db.transaction() as session:
        await session.execute(text("CREATE TABLE notes (n int)"))
        await session.execute(text("INSERT INTO notes VALUES (1)"))
    yield db
    await db.dispose()


async def _state_between_statements(database: Database, session: AsyncSession) -> str:
    """What the server says the session's connection is doing while it waits for us."""
    pid = await session.scalar(text("SELECT pg_backend_pid()"))
    async with database.engine.connect() as other:
        query = text("SELECT state FROM pg_stat_activity WHERE pid = :pid")
        return str(await other.scalar(query, {"pid": pid}))


async def test_a_read_session_sees_committed_rows_outside_any_transaction(
    database: Database,
) -> None:
    async with database.reading() as session:
        assert await session.scalar(text("SELECT n FROM notes")) == 1
        assert await _state_between_statements(database, session) == "idle"
    async with database.transaction() as session:
        assert await _state_between_statements(database, session) == "idle in transaction"


async def test_a_read_session_refuses_writes_and_changes_nothing(database: Database) -> None:
    async with database.reading() as session:
        with pytest.raises(DBAPIError, match="read-only transaction"):
            await session.execute(text("INSERT INTO notes VALUES (2)"))
    async with database.reading() as session:
        assert (await session.scalars(text("SELECT n FROM notes"))).all() == [1]
