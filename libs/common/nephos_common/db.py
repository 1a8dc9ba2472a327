"""Database plumbing: one naming convention, engines built in the lifespan, and
a session whose transaction belongs to the edge (request or consumer).

Services only ``flush``; the dependency below commits when the handler returns
and rolls back when it raises, so a failed request never leaves half a change.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from sqlalchemy import ColumnElement, MetaData, any_, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    """A MetaData with the project's naming convention, one per service."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Database:
    """Owns the engine and the session factory of one service."""

    def __init__(self, url: str, *, pool_size: int = 10, echo: bool = False) -> None:
        self.engine: AsyncEngine = create_async_engine(
            url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, echo=echo
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session committed on success and rolled back on any exception."""
        async with self.sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


async def copy_rows(
    session: AsyncSession,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]] | AsyncIterable[Sequence[Any]],
) -> None:
    """Bulk-insert through PostgreSQL COPY inside the session's own transaction.

    Used wherever thousands of rows land at once (inventory sync, outbox): it is
    several times faster than batched INSERTs and still rolls back with the rest.
    JSONB values must be passed as JSON text. Rows may come from an async
    iterable: one COPY then streams them while they are produced, so the server
    stores rows while the caller still reads and maps the next ones; an
    exception raised by the iterable aborts the COPY and reaches the caller.
    """
    driver = await _driver_in_transaction(session)
    await driver.copy_records_to_table(table, records=rows, columns=list(columns))


async def copy_csv(
    session: AsyncSession, table: str, columns: Sequence[str], chunks: AsyncIterable[bytes]
) -> None:
    """``copy_rows`` for rows already written as CSV text (RFC 4180; an unquoted empty
    field is NULL): the server parses them, so a caller that maps whole columns at a
    time never builds a Python object per value."""
    driver = await _driver_in_transaction(session)
    await driver.copy_to_table(table, source=chunks, columns=list(columns), format="csv")


async def _driver_in_transaction(session: AsyncSession) -> Any:
    """The session's asyncpg connection, inside the session's transaction."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    if not driver.is_in_transaction():
        # The driver opens its transaction lazily, on the first statement sent through
        # SQLAlchemy; a COPY sent first would otherwise commit on its own.
        await connection.exec_driver_sql("SELECT 1")
    return driver


def any_of(column: ColumnElement[Any], values: Sequence[Any]) -> ColumnElement[bool]:
    """``column = ANY(:values)`` with one array parameter.

    ``IN`` sends one parameter per value, and the driver refuses more than
    32,767 of them; a discovery unit or a group can easily hold more.
    """
    element_type = column.type
    return column == any_(bindparam(None, list(values), type_=ARRAY(element_type)))


def database_from(request: Request) -> Database:
    db: Any = request.app.state.database
    assert isinstance(db, Database)
    return db


async def session_dependency(request: Request) -> AsyncIterator[AsyncSession]:
    """FastAPI dependency: the request's unit of work.

    After a commit the outbox relay is nudged, so events written by the request
    go out at once instead of at the next poll.
    """
    async with database_from(request).transaction() as session:
        yield session
    relay = getattr(request.app.state, "relay", None)
    if relay is not None:
        relay.wake()
