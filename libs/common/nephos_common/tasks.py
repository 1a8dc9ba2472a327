"""Background loops that stop when their service stops.

Long-running loops catch ``Exception`` to survive a bad pass; but some client
libraries answer a cancellation by raising their own error (a closed connection,
a timeout) instead of ``CancelledError``. Without this check such a loop would
log, sleep and go on for ever after its service shut down.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


def stop_if_cancelled() -> None:
    """Re-raise a pending cancellation of the current task, whatever error hid it."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def run_every(
    seconds: float,
    tick: Callable[[], Awaitable[object]],
    *,
    what: str,
    wake: Callable[[], None] | None = None,
) -> None:
    """Run ``tick`` for ever, ``seconds`` apart, until the task is cancelled.

    A failed pass is logged and the next one runs. When a pass returns something
    truthy (it recorded events) ``wake`` is called, so the outbox relay sends
    them at once instead of at its next poll.
    """
    while True:
        try:
            if await tick() and wake is not None:
                wake()
        except Exception as exc:
            stop_if_cancelled()
            log.warning("%s failed", what, extra={"error": str(exc)})
        await asyncio.sleep(seconds)
