"""How long the gateway keeps an answer it reuses: a random part of the time allowed.

Answers filled together (at a start, or when many companies or users arrive
at once) would otherwise all expire together and all be asked again at once:
with 100 companies asked in turn at 200 requests/s, those herds every 5
seconds put the home query's p95 at 134-307 ms. Kept for between half and
all of the time allowed, their expiries spread out after the first round.
"""

from __future__ import annotations

import random
import time


def kept_until(seconds: float) -> float:
    """A ``time.monotonic()`` deadline between half and all of ``seconds`` from now."""
    return time.monotonic() + seconds * random.uniform(0.5, 1.0)
