"""Daily range partitions of ``metric_points``: created ahead, dropped after retention.

Dropping a whole partition is how retention stays cheap: no DELETE, no vacuum
of millions of dead rows. Ingest also creates the partition of any day it
receives points for, so a late maintenance pass never makes an insert fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

PARENT = "metric_points"
_NAME = re.compile(rf"^{PARENT}_p(\d{{8}})$")


def partition_name(day: date) -> str:
    return f"{PARENT}_p{day:%Y%m%d}"


def day_of(name: str) -> date | None:
    match = _NAME.match(name)
    return datetime.strptime(match.group(1), "%Y%m%d").date() if match else None


async def existing(session: AsyncSession) -> dict[str, date]:
    """The partitions attached to the parent, by name, with the day each holds."""
    rows = await session.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = CAST(:parent AS regclass)"
        ),
        {"parent": PARENT},
    )
    found = {name: day_of(name) for (name,) in rows}
    return {name: day for name, day in found.items() if day is not None}


async def ensure(session: AsyncSession, days: Iterable[date]) -> list[str]:
    """Create the missing partitions of ``days``; returns the names created.

    Creating one is serialised by a transaction-level advisory lock (taken only
    when something is missing): two transactions racing to create the same day
    would otherwise both pass ``IF NOT EXISTS`` and one fail on the catalog.
    """
    wanted = sorted(set(days))
    if {partition_name(d) for d in wanted} <= set(await existing(session)):
        return []
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": PARENT})
    have = set(await existing(session))
    created = []
    for day in wanted:
        name = partition_name(day)
        if name in have:
            continue
        start, end = day.isoformat(), (day + timedelta(days=1)).isoformat()
        await session.execute(
            text(
                f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF {PARENT} '
                f"FOR VALUES FROM ('{start} 00:00+00') TO ('{end} 00:00+00')"
            )
        )
        created.append(name)
    return created


async def drop_before(session: AsyncSession, first_kept: date) -> list[str]:
    """Drop every partition whose day is older than ``first_kept``."""
    dropped = []
    for name, day in sorted((await existing(session)).items()):
        if day < first_kept:
            await session.execute(text(f'DROP TABLE IF EXISTS "{name}"'))
            dropped.append(name)
    return dropped
