"""Field readers every provider's specs share: state folding, JMESPath lookups,
empty defaults, and running units side by side.

Providers differ only in their words (AWS says ``in-use``, Azure ``Succeeded``),
so each builds a ``StateWords`` and keeps the folding itself here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import jmespath

from nephos_asset.collectors.base import Relation, State, UnitKey, UnitResult

Item = dict[str, Any]


@dataclass(frozen=True)
class StateWords:
    """A provider's state words that mean in service, and those that mean stopped."""

    running: frozenset[str]
    stopped: frozenset[str]

    def fold(self, raw: str | None) -> State:
        """Provider state word -> running / stopped / other (unknown or missing: other)."""
        word = (raw or "").lower()
        if word in self.running:
            return State.RUNNING
        if word in self.stopped:
            return State.STOPPED
        return State.OTHER

    def at(self, path: str) -> Callable[[Item], State]:
        """Reader folding the state word found at a JMESPath ``path``."""
        expr = jmespath.compile(path)
        return lambda item: self.fold(expr.search(item))


def search(path: str, item: Item) -> Any:
    """JMESPath lookup; kept here so specs read like data."""
    return jmespath.search(path, item)


def no_details(_: Item) -> dict[str, Any]:
    """For resources with nothing worth copying into ``spec``."""
    return {}


def no_relations(_: Item) -> list[Relation]:
    """For resources that point at nothing else."""
    return []


class ClosingCollector:
    """``async with Collector(access) as c``: the clients a run opened are closed at the end."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        raise NotImplementedError


async def collect_concurrently(
    collect: Callable[[UnitKey], Awaitable[UnitResult]],
    units: Iterable[UnitKey],
    concurrency: int,
) -> AsyncIterator[UnitResult]:
    """Collect units at most ``concurrency`` at a time, yielding each as it finishes."""
    limit = asyncio.Semaphore(concurrency)

    async def bounded(unit: UnitKey) -> UnitResult:
        async with limit:
            return await collect(unit)

    tasks = [asyncio.create_task(bounded(u)) for u in units]
    try:
        for next_done in asyncio.as_completed(tasks):
            yield await next_done
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
