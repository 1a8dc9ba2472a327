"""The dashboard's answers, kept a few seconds per company and dropped when it changes.

The portal's home and dashboards ask the same few aggregate questions of a
company again and again (asset summary, cost overview and summaries,
monitoring overview): every open portal refreshes, and an MSP's staff look
at the same customer. Each answer costs the service a transaction and a few
milliseconds of CPU; on two cores the services alone could not answer the
home query 200 times a second.

What is kept: only the reads a client marks as aggregates, by company, role,
service, path and parameters. One company's answer never serves another.

How long an answer is kept:
- it is fresh for up to ``read_cache_seconds``: between half and all of it,
  at random (``keeping``), so that answers filled together do not all come
  back to the services together;
- then, for as long again, it is still served while one call refreshes it
  in the background: a company asked often never waits for the services.
  With 100 companies asked in turn at 200 requests/s, one ask in seven
  waited for its refresh before, and the p95 was that of the services under
  load (39.8 to 782.7 ms over runs).

When a kept answer goes:
- past twice ``read_cache_seconds``;
- when any event of its company arrives from NATS (a discovery, an ingested
  delivery, an alert, a membership change...): the ``EventHub`` hands every
  event to ``forget_company``;
- when this gateway sends any change (not a GET) for that company, both
  before the call and after it.

A change that sends no event is seen within twice ``read_cache_seconds`` at
most: one made through a service's REST API directly, or through another
gateway replica, and monitoring's metric points, which arrive without events.

Concurrent asks of an answer not kept share one call (the first asker's
request and trace ids go with it). A call that started before its company
changed answers its askers but is not kept: each company has a generation,
moved on by every change. A refresh that fails leaves the stale answer in
place until it goes; the next ask past its freshness tries again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from nephos_common.messaging.envelope import Envelope
from nephos_gateway.keeping import kept_until

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_KEPT = 10_000
"""Kept answers at most, over all companies; past it every company starts again empty."""

Key = tuple[Hashable, ...]


@dataclass(frozen=True, slots=True)
class _Kept:
    fresh_until: float
    served_until: float
    value: Any


@dataclass(slots=True)
class _Company:
    generation: int = 0
    kept: dict[Key, _Kept] = field(default_factory=dict)


@dataclass
class ReadCacheStats:
    """Counts since the process started, for the bench and the tests."""

    hits: int = 0
    stale: int = 0
    """Hits on an answer past its freshness, served while it is refreshed."""
    calls: int = 0
    shared: int = 0
    """Asks that joined a call already in flight."""
    forgotten: int = 0
    """Times a company's answers were dropped."""


class ReadCache:
    def __init__(self, seconds: float, *, max_kept: int = MAX_KEPT) -> None:
        self._ttl = seconds
        self._max_kept = max_kept
        self._companies: dict[str, _Company] = {}
        self._in_flight: dict[tuple[str, int, Key], asyncio.Future[Any]] = {}
        self._size = 0
        self.stats = ReadCacheStats()

    async def get(self, tenant: str, key: Key, fetch: Callable[[], Awaitable[T]]) -> T:
        """The kept answer to ``key`` for ``tenant``, or ``fetch``'s, shared and kept."""
        if self._ttl <= 0:
            return await fetch()
        company = self._companies.setdefault(tenant, _Company())
        kept = company.kept.get(key)
        now = time.monotonic()
        if kept is not None and now < kept.fresh_until:
            self.stats.hits += 1
            return kept.value
        if kept is not None and now < kept.served_until:
            self.stats.stale += 1
            self._call(tenant, company, key, fetch, joined=False)
            return kept.value
        return await asyncio.shield(self._call(tenant, company, key, fetch, joined=True))

    def _call(
        self,
        tenant: str,
        company: _Company,
        key: Key,
        fetch: Callable[[], Awaitable[T]],
        *,
        joined: bool,
    ) -> asyncio.Future[T]:
        """The call in flight for ``key``, started now if there is none."""
        flight = (tenant, company.generation, key)
        future = self._in_flight.get(flight)
        if future is not None and not future.done():
            self.stats.shared += joined
            return future
        future = asyncio.ensure_future(self._fill(company, key, fetch))
        self._in_flight[flight] = future
        future.add_done_callback(lambda done: self._landed(flight, done))
        return future

    def _landed(self, flight: tuple[str, int, Key], done: asyncio.Future[Any]) -> None:
        """The call is over; its failure is logged here (a refresh has nobody waiting)."""
        if self._in_flight.get(flight) is done:
            del self._in_flight[flight]
        if not done.cancelled() and done.exception() is not None:
            log.info(
                "a dashboard answer could not be fetched", extra={"error": str(done.exception())}
            )

    async def _fill(self, company: _Company, key: Key, fetch: Callable[[], Awaitable[T]]) -> T:
        generation = company.generation
        self.stats.calls += 1
        value = await fetch()
        if company.generation == generation:
            self._keep(company, key, value)
        return value

    def _keep(self, company: _Company, key: Key, value: Any) -> None:
        if self._size >= self._max_kept:
            for each in self._companies.values():
                each.kept.clear()
            self._size = 0
        if key not in company.kept:
            self._size += 1
        fresh_until = kept_until(self._ttl)
        company.kept[key] = _Kept(fresh_until, fresh_until + self._ttl, value)

    def forget_company(self, tenant: str) -> None:
        """Drop what is kept for ``tenant``; calls in flight for it will not be kept."""
        company = self._companies.get(tenant)
        if company is None:
            return
        company.generation += 1
        self._size -= len(company.kept)
        company.kept.clear()
        self.stats.forgotten += 1

    def on_event(self, envelope: Envelope) -> None:
        """An event of a company says something of it changed (the ``EventHub``'s listener)."""
        self.forget_company(envelope.tenant)
