"""The dashboard's answers, kept a few seconds per company and dropped when it changes.

The portal's home and dashboards ask the same few aggregate questions of a
company again and again (asset summary, cost overview and summaries,
monitoring overview): every open portal refreshes, and an MSP's staff look
at the same customer. Each answer costs the service a transaction and a few
milliseconds of CPU; on two cores the services alone could not answer the
home query 200 times a second.

What is kept: only the reads a client marks as aggregates, by company, role,
service, path and parameters. One company's answer never serves another.

When a kept answer goes:
- after ``read_cache_seconds``, or sooner: between half and all of it, at
  random (``keeping``), so that answers filled together do not all come back
  to the services together;
- when any event of its company arrives from NATS (a discovery, an ingested
  delivery, an alert, a membership change...): the ``EventHub`` hands every
  event to ``forget_company``;
- when this gateway sends any change (not a GET) for that company, both
  before the call and after it.

A change that sends no event is seen within ``read_cache_seconds``: one made
through a service's REST API directly, or through another gateway replica,
and monitoring's metric points, which arrive without events.

Concurrent asks of an answer not kept share one call (the first asker's
request and trace ids go with it). A call that started before its company
changed answers its askers but is not kept: each company has a generation,
moved on by every change.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from nephos_common.messaging.envelope import Envelope
from nephos_gateway.keeping import kept_until

T = TypeVar("T")

MAX_KEPT = 10_000
"""Kept answers at most, over all companies; past it every company starts again empty."""

Key = tuple[Hashable, ...]


@dataclass(slots=True)
class _Company:
    generation: int = 0
    kept: dict[Key, tuple[float, Any]] = field(default_factory=dict)


@dataclass
class ReadCacheStats:
    """Counts since the process started, for the bench and the tests."""

    hits: int = 0
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
        if kept is not None and kept[0] > time.monotonic():
            self.stats.hits += 1
            return kept[1]
        flight = (tenant, company.generation, key)
        future = self._in_flight.get(flight)
        if future is None:
            future = asyncio.ensure_future(self._fill(company, key, fetch))
            self._in_flight[flight] = future
            future.add_done_callback(lambda _: self._in_flight.pop(flight, None))
        else:
            self.stats.shared += 1
        return await asyncio.shield(future)

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
        company.kept[key] = (kept_until(self._ttl), value)

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
