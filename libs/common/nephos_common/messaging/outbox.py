"""Transactional outbox: events are rows written with the change they announce,
and the relay publishes them to JetStream afterwards.

A crash between commit and publish loses nothing (the row stays unpublished);
a crash between publish and marking re-publishes with the same ``Nats-Msg-Id``,
which JetStream's duplicate window drops and consumers' inboxes ignore.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import Text, cast, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import Database, copy_rows
from nephos_common.messaging.envelope import Envelope
from nephos_common.messaging.nats import NatsConnection
from nephos_common.messaging.tables import MessagingTables
from nephos_common.tasks import stop_if_cancelled

log = logging.getLogger(__name__)

MSG_ID_HEADER = "Nats-Msg-Id"
OUTBOX_COLUMNS = ("event_id", "subject", "tenant", "envelope")


async def record(session: AsyncSession, tables: MessagingTables, events: Iterable[Envelope]) -> int:
    """Add events to the caller's transaction; they are published only if it commits."""
    rows = [(e.id, e.subject, e.tenant, e.model_dump_json()) for e in events]
    if rows:
        await copy_rows(session, tables.outbox.name, OUTBOX_COLUMNS, rows)
    return len(rows)


class OutboxRelay:
    """Publishes unpublished outbox rows in order, many replicas safely (SKIP LOCKED)."""

    def __init__(
        self,
        database: Database,
        tables: MessagingTables,
        nats: NatsConnection,
        *,
        poll_seconds: float = 0.5,
        batch_size: int = 500,
    ) -> None:
        self._db = database
        self._t = tables.outbox
        self._nats = nats
        self._poll = poll_seconds
        self._batch = batch_size
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Ask for a pass now instead of at the next poll (after a commit with events)."""
        self._wake.set()

    async def run_forever(self) -> None:
        backoff = self._poll
        while True:
            try:
                sent = await self.publish_pending()
                backoff = self._poll
                if sent:
                    continue
            except Exception as exc:
                stop_if_cancelled()
                log.warning("outbox relay pass failed", extra={"error": str(exc)})
                backoff = min(backoff * 2, 5.0)
            self._wake.clear()
            # asyncio.timeout, not wait_for: in 3.11 wait_for can swallow a cancellation
            # that lands as the wake-up fires, and the relay would outlive its service.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(backoff):
                    await self._wake.wait()

    async def publish_pending(self) -> int:
        """One pass: publish up to a batch of pending events; returns how many were sent."""
        js = await self._nats.jetstream(timeout=2.0)
        async with self._db.transaction() as session:
            rows = (
                await session.execute(
                    select(
                        self._t.c.seq,
                        self._t.c.event_id,
                        self._t.c.subject,
                        cast(self._t.c.envelope, Text).label("text"),
                    )
                    .where(self._t.c.published_at.is_(None))
                    .order_by(self._t.c.seq)
                    .limit(self._batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            await asyncio.gather(
                *(
                    js.publish(
                        self._nats.subject(r.subject),
                        r.text.encode(),
                        headers={MSG_ID_HEADER: str(r.event_id)},
                        timeout=5.0,
                    )
                    for r in rows
                )
            )
            await session.execute(
                update(self._t)
                .where(self._t.c.seq.in_([r.seq for r in rows]))
                .values(published_at=func.now())
            )
        return len(rows)

    async def prune(self, keep: timedelta) -> int:
        """Forget events published longer ago than ``keep``; they live on in JetStream."""
        async with self._db.transaction() as session:
            result = await session.execute(
                delete(self._t).where(self._t.c.published_at < func.now() - keep)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def pending_count(self) -> int:
        async with self._db.sessions() as session:
            count = await session.scalar(
                select(func.count()).select_from(self._t).where(self._t.c.published_at.is_(None))
            )
            return int(count or 0)
