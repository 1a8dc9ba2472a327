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

_READ_ONLY = {"server_settings": {"default_transaction_read_only": "on"}}
"""asyncpg's connect arguments for the reader's connections."""

READ_METHODS = frozenset({"GET", "HEAD"})
"""HTTP's safe methods: their handlers only read, so they run on the reader."""

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
        # No pre-ping: it costs three round trips (BEGIN, a probe, ROLLBACK) on every
        # checkout, more than most requests' own query. A connection the server has
        # dropped fails its one request, and SQLAlchemy then invalidates the whole pool.
        pool = {"pool_size": pool_size, "max_overflow": pool_size, "echo": echo}
        self.engine: AsyncEngine = create_async_engine(url, **pool)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.reader: AsyncEngine = create_async_engine(
            url, isolation_level="AUTOCOMMIT", connect_args=_READ_ONLY, **pool
        )
        self.read_sessions = async_sessionmaker(self.reader, expire_on_commit=False)

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

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only: no BEGIN or COMMIT, and the server refuses writes.

        Under READ COMMITTED every statement takes its own snapshot anyway, so a
        transaction around reads buys nothing but two round trips. The connections
        are read-only, so a write slipped into a read path fails loudly instead of
        committing statement by statement.
        """
        async with self.read_sessions() as session:
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
        await self.reader.dispose()


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
    session: AsyncSession, table: str, columns: Sequence[str], chunks: AsyncIterable[bytes],
    *, freeze: bool = False,
) -> None:  # fmt: skip
    """``copy_rows`` for rows already written as CSV text (RFC 4180; an unquoted empty
    field is NULL): the server parses them, so a caller that maps whole columns at a
    time never builds a Python object per value.

    ``freeze`` (only for a table made in this transaction) writes the rows frozen and
    their pages all-visible, as a vacuum would leave them: no vacuum later reads and
    rewrites them, and their first readers set no hint bits on them."""
    driver = await _driver_in_transaction(session)
    await driver.copy_to_table(
        table, source=chunks, columns=list(columns), format="csv", freeze=freeze
    )


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

    A GET or HEAD reads through ``Database.reading``. Any other method gets a
    transaction; after its commit the outbox relay is nudged, so events written
    by the request go out at once instead of at the next poll.
    """
    database = database_from(request)
    if request.method in READ_METHODS:
        async with database.reading() as session:
            yield session
        return
    async with database.transaction() as session:
        yield session
    relay = getattr(request.app.state, "relay", None)
    if relay is not None:
        relay.wake()
