"""A NATS connection that a service can start without: it keeps trying in the
background, so a broker outage delays events (the outbox holds them) instead of
stopping the service.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError

from nephos_common.errors import Unavailable
from nephos_common.tasks import stop_if_cancelled

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StreamSpec:
    """A JetStream stream this service owns (events) or shares work through (jobs)."""

    name: str
    subjects: tuple[str, ...]
    work_queue: bool = False
    duplicate_window_seconds: float = 120.0
    max_age_seconds: float = 14 * 24 * 3600.0
    """How long events stay replayable for a consumer that was away."""

    def config(self, namespace: str = "") -> StreamConfig:
        retention = RetentionPolicy.WORK_QUEUE if self.work_queue else RetentionPolicy.LIMITS
        return StreamConfig(
            name=namespaced_stream(namespace, self.name),
            subjects=[namespaced_subject(namespace, s) for s in self.subjects],
            retention=retention,
            storage=StorageType.FILE,
            duplicate_window=self.duplicate_window_seconds,
            max_age=self.max_age_seconds,
        )


def namespaced_subject(namespace: str, subject: str) -> str:
    """Subjects of one deployment, when several share a NATS cluster (or a test server)."""
    return f"{namespace}.{subject}" if namespace else subject


def namespaced_stream(namespace: str, name: str) -> str:
    return f"{namespace.upper()}_{name}" if namespace else name


async def ensure_stream(js: JetStreamContext, spec: StreamSpec, namespace: str = "") -> None:
    """Create the stream, or bring an existing one to this configuration."""
    try:
        await js.add_stream(spec.config(namespace))
    except BadRequestError:
        await js.update_stream(spec.config(namespace))


@dataclass
class NatsConnection:
    url: str
    streams: tuple[StreamSpec, ...] = ()
    namespace: str = ""
    client: Client | None = None
    _ready: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._connect_forever(), name="nats-connect")

    async def _connect_forever(self) -> None:
        delay = 0.2
        while True:
            try:
                self.client = await nats.connect(
                    self.url,
                    name="nephos",
                    connect_timeout=2,
                    reconnect_time_wait=0.5,
                    max_reconnect_attempts=-1,
                    allow_reconnect=True,
                )
                for spec in self.streams:
                    await ensure_stream(self.client.jetstream(), spec, self.namespace)
                self._ready.set()
                return
            except Exception as exc:
                stop_if_cancelled()
                log.warning("nats not reachable yet", extra={"url": self.url, "error": str(exc)})
                if self.client is not None:
                    await self._close_client()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _close_client(self) -> None:
        client, self.client = self.client, None
        if client is not None and not client.is_closed:
            try:
                await asyncio.wait_for(client.close(), 5.0)
            except TimeoutError:
                log.warning("nats connection did not close in time")

    @property
    def connected(self) -> bool:
        return self.client is not None and self.client.is_connected and self._ready.is_set()

    async def jetstream(self, timeout: float | None = None) -> JetStreamContext:
        """The JetStream context once connected; waits up to ``timeout`` seconds."""
        try:
            async with asyncio.timeout(timeout):
                await self._ready.wait()
        except TimeoutError:
            raise Unavailable("the message broker is not reachable", code="nats_down") from None
        assert self.client is not None
        return self.client.jetstream()

    def subject(self, subject: str) -> str:
        return namespaced_subject(self.namespace, subject)

    def stream(self, name: str) -> str:
        return namespaced_stream(self.namespace, name)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self._close_client()
