"""An open-loop load generator: requests start on a fixed schedule, whatever the answers do.

A closed loop (N workers, each waiting for its answer) slows down with the
server and hides its queueing; here request ``i`` starts at ``i / rate``
seconds and its latency counts from then, so time a request spent waiting
for the client to send it is counted too (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadResult:
    sent: int
    ok: int
    failed: int
    seconds: float
    latencies_ms: list[float]

    @property
    def achieved_rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else float("nan")
        cuts = statistics.quantiles(self.latencies_ms, n=1000, method="inclusive")
        return cuts[min(int(p * 10) - 1, len(cuts) - 1)]


async def open_loop(send: Callable[[], Awaitable[bool]], rate: float, seconds: float) -> LoadResult:
    """Call ``send`` ``rate`` times a second for ``seconds``; ``send`` says if it succeeded."""
    loop = asyncio.get_running_loop()
    total = max(1, int(rate * seconds))
    start = loop.time() + 0.05
    latencies: list[float] = []
    failures = 0

    async def one(at: float) -> None:
        nonlocal failures
        try:
            ok = await send()
        except Exception:
            ok = False
        if ok:
            latencies.append((loop.time() - at) * 1000)
        else:
            failures += 1

    tasks = []
    for i in range(total):
        at = start + i / rate
        delay = at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(at)))
    await asyncio.gather(*tasks)
    return LoadResult(
        sent=total,
        ok=len(latencies),
        failed=failures,
        seconds=loop.time() - start,
        latencies_ms=latencies,
    )
