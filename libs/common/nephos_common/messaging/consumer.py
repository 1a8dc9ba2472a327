"""Idempotent JetStream consumers: durable pull, explicit ack after our own commit,
processed ids remembered, bounded redelivery, poison messages parked.

The handler runs inside the transaction that also records the event id in the
inbox, so an event either took full effect exactly once or not at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import ValidationError
from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import Database
from nephos_common.messaging.envelope import Envelope
from nephos_common.messaging.nats import NatsConnection
from nephos_common.messaging.tables import MessagingTables
from nephos_common.tasks import stop_if_cancelled

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """A durable consumer: its name, the stream and subject it reads, what it does."""

    durable: str
    stream: str
    subject: str
    handler: Handler
    ack_wait_seconds: float = 60.0
    batch: int = 50
    in_flight: int = 1
    """Messages handled at once; above 1 only for jobs, where order does not matter."""


class ConsumerRunner:
    def __init__(
        self,
        database: Database,
        tables: MessagingTables,
        nats: NatsConnection,
        subscription: Subscription,
        *,
        max_deliveries: int = 5,
    ) -> None:
        self._db = database
        self._tables = tables
        self._nats = nats
        self._sub = subscription
        self._max = max_deliveries

    def _config(self) -> ConsumerConfig:
        return ConsumerConfig(
            durable_name=self._sub.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self._sub.ack_wait_seconds,
            max_deliver=self._max + 1,
            filter_subject=self._nats.subject(self._sub.subject),
        )

    async def run_forever(self) -> None:
        """Pull and handle until cancelled; a broken subscription (NATS restarting, the
        stream of another service not created yet) is retried, backing off to 30 s."""
        pause = 1.0
        while True:
            started = asyncio.get_running_loop().time()
            try:
                await self._pull_loop()
            except Exception as exc:
                stop_if_cancelled()
                if asyncio.get_running_loop().time() - started > 60:
                    pause = 1.0
                log.warning(
                    "consumer loop restarting",
                    extra={"consumer": self._sub.durable, "error": repr(exc), "retry_in": pause},
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)

    async def _pull_loop(self) -> None:
        js = await self._nats.jetstream()
        psub = await js.pull_subscribe(
            self._nats.subject(self._sub.subject),
            durable=self._sub.durable,
            stream=self._nats.stream(self._sub.stream),
            config=self._config(),
        )
        if self._sub.in_flight > 1:
            await self._pull_concurrently(psub)
        while True:
            try:
                msgs = await psub.fetch(self._sub.batch, timeout=1.0)
            except NatsTimeout:
                continue
            for msg in msgs:
                await self.process(msg)

    async def _pull_concurrently(self, psub: JetStreamContext.PullSubscription) -> None:
        """Take a message whenever a slot is free, so long jobs run side by side.

        If the subscription breaks, the jobs in hand finish (their database work
        does not need NATS) before the caller subscribes again; only a shutdown
        cancels them, and their messages are then redelivered.
        """
        slots = asyncio.Semaphore(self._sub.in_flight)
        running: set[asyncio.Task[None]] = set()
        try:
            while True:
                await slots.acquire()
                try:
                    (msg,) = await psub.fetch(1, timeout=1.0)
                except NatsTimeout:
                    slots.release()
                    continue
                except Exception:
                    slots.release()
                    await asyncio.gather(*running, return_exceptions=True)
                    raise
                task = asyncio.create_task(self.process(msg))
                running.add(task)
                task.add_done_callback(running.discard)
                task.add_done_callback(lambda _: slots.release())
        finally:
            for task in running:
                task.cancel()

    async def process(self, msg: Msg) -> None:
        """Handle one delivery; ack only after the handler's transaction committed."""
        try:
            envelope = Envelope.model_validate_json(msg.data)
        except ValidationError as exc:
            await self._park(msg, None, f"not a valid envelope: {exc}")
            return
        heartbeat = asyncio.create_task(_keep_alive(msg, self._sub.ack_wait_seconds))
        try:
            await self._handle_once(envelope)
        except Exception as exc:
            await self._retry_or_park(msg, envelope, exc)
            return
        finally:
            heartbeat.cancel()
        await msg.ack()

    async def _handle_once(self, envelope: Envelope) -> None:
        async with self._db.transaction() as session:
            first_time = await session.scalar(
                insert(self._tables.inbox)
                .values(consumer=self._sub.durable, event_id=envelope.id)
                .on_conflict_do_nothing()
                .returning(self._tables.inbox.c.event_id)
            )
            if first_time is None:
                log.info("duplicate event ignored", extra={"event_id": str(envelope.id)})
                return
            await self._sub.handler(session, envelope)

    async def _retry_or_park(self, msg: Msg, envelope: Envelope, exc: Exception) -> None:
        deliveries = msg.metadata.num_delivered
        if deliveries >= self._max:
            await self._park(msg, envelope, f"{type(exc).__name__}: {exc}")
            return
        log.warning(
            "event handling failed, will retry",
            extra={"consumer": self._sub.durable, "event_id": str(envelope.id), "error": str(exc)},
        )
        await msg.nak(delay=min(2.0**deliveries * 0.5, 30.0))

    async def _park(self, msg: Msg, envelope: Envelope | None, error: str) -> None:
        """Keep a poison message where operators can see it, then stop its redelivery."""
        async with self._db.transaction() as session:
            await session.execute(
                self._tables.parked.insert().values(
                    consumer=self._sub.durable,
                    subject=msg.subject,
                    tenant=envelope.tenant if envelope else None,
                    event_id=str(envelope.id) if envelope else None,
                    payload=msg.data.decode(errors="replace"),
                    error=error[:4000],
                    deliveries=msg.metadata.num_delivered or 1,
                )
            )
        log.error("message parked", extra={"consumer": self._sub.durable, "error": error[:500]})
        await msg.term()


async def prune_inbox(database: Database, tables: MessagingTables, keep: timedelta) -> int:
    """Forget processed ids older than ``keep``: far past any redelivery, which is bounded."""
    async with database.transaction() as session:
        result = await session.execute(
            delete(tables.inbox).where(tables.inbox.c.processed_at < func.now() - keep)
        )
    return int(getattr(result, "rowcount", 0) or 0)


async def _keep_alive(msg: Msg, ack_wait: float) -> None:
    """Tell the server a long handler is still working, so it is not redelivered meanwhile."""
    while True:
        await asyncio.sleep(max(ack_wait / 3, 1.0))
        with contextlib.suppress(Exception):
            await msg.in_progress()
