"""Fans the services' events out from NATS to the websocket subscribers of their company.

One core NATS subscription per gateway process, per subject pattern, whatever
the number of websocket clients: events are read once and handed to every
subscriber of the envelope's ``tenant`` (and of no other company) whose
event prefix matches. A core subscription, not a JetStream consumer, on
purpose: a live feed has nothing to replay, and a gateway that restarts
leaves no consumer behind on the broker.

Each subscriber has a bounded queue. The NATS callback never waits on a
subscriber: when a slow client's queue is full its oldest event is dropped
(and counted), so one stuck browser neither blocks the others nor grows
the gateway's memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from nats.aio.msg import Msg
from nats.aio.subscription import Subscription as NatsSubscription
from pydantic import ValidationError

from nephos_common.messaging.envelope import Envelope
from nephos_common.messaging.nats import NatsConnection

log = logging.getLogger(__name__)

SUBJECTS = ("asset.>", "metering.>", "monitoring.>")
"""Every event of the services, before the deployment's namespace: subscribers take
the types they asked for, and listeners (the kept dashboard answers) hear them all."""

Listener = Callable[[Envelope], None]


@dataclass(eq=False)
class Subscriber:
    """One subscription of one websocket client: its company, what it wants, its queue."""

    tenant: str
    prefixes: tuple[str, ...]
    queue: asyncio.Queue[Envelope]
    dropped: int = 0

    def wants(self, envelope: Envelope) -> bool:
        return envelope.tenant == self.tenant and envelope.type.startswith(self.prefixes)

    def offer(self, envelope: Envelope) -> None:
        """Queue without waiting; a full queue loses its oldest event (drop-oldest)."""
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(envelope)


@dataclass(eq=False)
class EventHub:
    """Subscribers by company, fed by the NATS subscriptions ``run`` holds open."""

    nats: NatsConnection
    queue_size: int = 100
    _by_tenant: defaultdict[str, set[Subscriber]] = field(default_factory=lambda: defaultdict(set))
    _subscriptions: list[NatsSubscription] = field(default_factory=list)
    listeners: tuple[Listener, ...] = ()
    """Told of every event, in the NATS callback: they must not wait."""
    _task: asyncio.Task[None] | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    def start(self) -> None:
        self._task = asyncio.create_task(self._subscribe(), name="gateway-event-hub")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for subscription in self._subscriptions:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()
        self._subscriptions.clear()

    async def _subscribe(self) -> None:
        """Wait for the broker (the gateway serves queries without it), then subscribe."""
        await self.nats.jetstream(timeout=None)
        client = self.nats.client
        assert client is not None
        for subject in SUBJECTS:
            sub = await client.subscribe(self.nats.subject(subject), cb=self._on_message)
            self._subscriptions.append(sub)
        self.ready.set()

    async def _on_message(self, msg: Msg) -> None:
        try:
            envelope = Envelope.model_validate_json(msg.data)
        except ValidationError:
            log.warning("event not understood", extra={"subject": msg.subject})
            return
        self.publish(envelope)

    def publish(self, envelope: Envelope) -> None:
        """Hand the event to its company's subscribers that want it; never waits."""
        for listener in self.listeners:
            listener(envelope)
        for subscriber in tuple(self._by_tenant.get(envelope.tenant, ())):
            if subscriber.wants(envelope):
                subscriber.offer(envelope)

    @contextlib.contextmanager
    def subscribe(self, tenant: str, *prefixes: str) -> Iterator[Subscriber]:
        """A subscriber for the ``with`` block; it is forgotten however the block ends."""
        subscriber = Subscriber(tenant, prefixes, asyncio.Queue(maxsize=self.queue_size))
        self._by_tenant[tenant].add(subscriber)
        try:
            yield subscriber
        finally:
            self._forget(subscriber)

    def _forget(self, subscriber: Subscriber) -> None:
        found = self._by_tenant.get(subscriber.tenant)
        if found is None:
            return
        found.discard(subscriber)
        if not found:
            del self._by_tenant[subscriber.tenant]
        if subscriber.dropped:
            log.info("slow subscriber lost events", extra={"dropped": subscriber.dropped})

    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._by_tenant.values())
