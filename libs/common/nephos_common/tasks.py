"""Background loops that stop when their service stops.

Long-running loops catch ``Exception`` to survive a bad pass; but some client
libraries answer a cancellation by raising their own error (a closed connection,
a timeout) instead of ``CancelledError``. Without this check such a loop would
log, sleep and go on for ever after its service shut down.
"""

from __future__ import annotations

import asyncio


def stop_if_cancelled() -> None:
    """Re-raise a pending cancellation of the current task, whatever error hid it."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
