"""Generated daily cost history with weekly seasonality, a slow trend and noise."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

# Monday to Sunday: busy weekdays, quiet weekends.
WEEKDAY_FACTORS = (1.0, 1.08, 1.12, 1.05, 0.95, 0.45, 0.38)


def seasonal_history(
    start: date, end: date, *, base: float = 1000.0, growth_per_day: float = 0.002,
    noise: float = 0.06, seed: int = 7,
) -> dict[date, Decimal]:  # fmt: skip
    """Billed cost per day from ``start`` to ``end`` (both included), to 4 decimals."""
    rng = random.Random(seed)
    history: dict[date, Decimal] = {}
    day, index = start, 0
    while day <= end:
        level = base * (1 + growth_per_day) ** index
        value = level * WEEKDAY_FACTORS[day.weekday()] * (1 + rng.uniform(-noise, noise))
        history[day] = Decimal(f"{value:.4f}")
        day, index = day + timedelta(days=1), index + 1
    return history


def between(history: dict[date, Decimal], first: date, last: date) -> Decimal:
    """Independent sum of the days ``first``..``last``, both included."""
    return sum((v for d, v in history.items() if first <= d <= last), Decimal(0))
