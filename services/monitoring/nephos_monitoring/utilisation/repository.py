"""Every query of the daily utilisation summary."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

CPU, NET_IN, NET_OUT = "cpu_percent", "network_in_bytes", "network_out_bytes"


@dataclass(frozen=True)
class DayStats:
    tenant: str
    asset_id: uuid.UUID
    account_id: uuid.UUID
    provider: str
    native_id: str
    category: str
    samples: int
    cpu_avg: float | None
    cpu_p95: float | None
    cpu_max: float | None
    network_in_bytes: float | None
    network_out_bytes: float | None


_STATS = text(
    "SELECT t.tenant, t.asset_id, t.account_id, t.provider, t.native_id, t.category, "
    "count(*) FILTER (WHERE p.metric = :cpu), "
    "avg(p.value) FILTER (WHERE p.metric = :cpu), "
    "percentile_cont(0.95) WITHIN GROUP (ORDER BY p.value) FILTER (WHERE p.metric = :cpu), "
    "max(p.value) FILTER (WHERE p.metric = :cpu), "
    "sum(p.value) FILTER (WHERE p.metric = :net_in), "
    "sum(p.value) FILTER (WHERE p.metric = :net_out) "
    "FROM metric_points p JOIN targets t ON t.tenant = p.tenant AND t.asset_id = p.asset_id "
    "WHERE t.category = 'server' AND p.ts >= :start AND p.ts < :end "
    "AND p.metric IN (:cpu, :net_in, :net_out) "
    "AND NOT EXISTS (SELECT 1 FROM utilisation_days u WHERE u.tenant = t.tenant "
    "AND u.asset_id = t.asset_id AND u.day = :day) "
    "GROUP BY t.tenant, t.asset_id, t.account_id, t.provider, t.native_id, t.category"
)

_MARK = text(
    "INSERT INTO utilisation_days (tenant, asset_id, day, samples) "
    "SELECT tn, a, :day, s FROM unnest(CAST(:tn AS text[]), CAST(:a AS uuid[]), "
    "CAST(:s AS int[])) AS u(tn, a, s) "
    "ON CONFLICT DO NOTHING RETURNING tenant, asset_id"
)


def bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), UTC)
    return start, start + timedelta(days=1)


async def unsummarised(session: AsyncSession, day: date) -> list[DayStats]:
    """Servers with points on ``day`` that have no summary of that day yet."""
    start, end = bounds(day)
    params = {"cpu": CPU, "net_in": NET_IN, "net_out": NET_OUT, "day": day}
    rows = await session.execute(_STATS, {**params, "start": start, "end": end})
    return [DayStats(*row) for row in rows]


async def mark(
    session: AsyncSession, day: date, stats: Sequence[DayStats]
) -> set[tuple[str, uuid.UUID]]:
    """Claim (server, day) pairs; returns those this transaction claimed first.

    A concurrent claim of the same pair waits on the primary key until the
    other transaction ends, then finds the row and claims nothing: of several
    replicas summarising the same day, exactly one publishes each server.
    """
    if not stats:
        return set()
    rows = await session.execute(
        _MARK,
        {
            "day": day,
            "tn": [s.tenant for s in stats],
            "a": [s.asset_id for s in stats],
            "s": [s.samples for s in stats],
        },
    )
    return {(tenant, asset_id) for tenant, asset_id in rows}
