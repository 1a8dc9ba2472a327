"""Writing points: raw rows, the hourly rollup of the hours they touch, the latest value.

Rows go in through ``unnest`` arrays (one statement per batch, whatever its
size) with ``ON CONFLICT DO NOTHING RETURNING``: a collection window that
overlaps the previous one re-reads points already stored, and only the truly
new ones are returned, so rules never see the same point twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_monitoring.metrics import partitions


@dataclass(frozen=True, slots=True)
class Point:
    asset_id: uuid.UUID
    metric: str
    ts: datetime
    value: float


_INSERT = text(
    "INSERT INTO metric_points (tenant, asset_id, metric, ts, value) "
    "SELECT :tenant, a, m, t, v FROM unnest(CAST(:a AS uuid[]), CAST(:m AS text[]), "
    "CAST(:t AS timestamptz[]), CAST(:v AS float8[])) AS u(a, m, t, v) "
    "ON CONFLICT DO NOTHING RETURNING asset_id, metric, ts, value"
)

_ROLLUP = text(
    "INSERT INTO metric_rollups_1h (tenant, asset_id, metric, bucket, count, sum, min, max) "
    "SELECT p.tenant, p.asset_id, p.metric, k.b, count(*), sum(p.value), min(p.value), "
    "max(p.value) FROM (SELECT DISTINCT * FROM unnest(CAST(:a AS uuid[]), CAST(:m AS text[]), "
    "CAST(:b AS timestamptz[]))) AS k(a, m, b) JOIN metric_points p ON p.tenant = :tenant "
    "AND p.asset_id = k.a AND p.metric = k.m AND p.ts >= k.b AND p.ts < k.b + interval '1 hour' "
    "GROUP BY p.tenant, p.asset_id, p.metric, k.b "
    "ON CONFLICT (tenant, asset_id, metric, bucket) DO UPDATE SET count = excluded.count, "
    "sum = excluded.sum, min = excluded.min, max = excluded.max"
)

_LATEST = text(
    "INSERT INTO metric_latest AS l (tenant, asset_id, metric, ts, value) "
    "SELECT :tenant, a, m, t, v FROM unnest(CAST(:a AS uuid[]), CAST(:m AS text[]), "
    "CAST(:t AS timestamptz[]), CAST(:v AS float8[])) AS u(a, m, t, v) "
    "ON CONFLICT (tenant, asset_id, metric) DO UPDATE SET ts = excluded.ts, "
    "value = excluded.value WHERE l.ts < excluded.ts"
)


def hour_of(ts: datetime) -> datetime:
    return ts.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _columns(points: Sequence[Point]) -> dict[str, list[object]]:
    return {
        "a": [p.asset_id for p in points],
        "m": [p.metric for p in points],
        "t": [p.ts for p in points],
        "v": [p.value for p in points],
    }


async def store(
    session: AsyncSession, tenant: str, points: Sequence[Point], *, oldest: datetime
) -> list[Point]:
    """Store points newer than ``oldest`` (retention); return those not stored before."""
    kept = [p for p in points if p.ts >= oldest]
    if not kept:
        return []
    await partitions.ensure(session, {p.ts.astimezone(UTC).date() for p in kept})
    rows = await session.execute(_INSERT, {"tenant": tenant, **_columns(kept)})
    new = [Point(a, m, t, v) for a, m, t, v in rows]
    if new:
        await _roll_up(session, tenant, new)
        await _keep_latest(session, tenant, new)
    return new


async def _roll_up(session: AsyncSession, tenant: str, new: Sequence[Point]) -> None:
    """Recompute the touched hours from raw rows, so a replayed batch cannot double-count."""
    keys = {(p.asset_id, p.metric, hour_of(p.ts)) for p in new}
    a, m, b = zip(*keys, strict=True)
    await session.execute(_ROLLUP, {"tenant": tenant, "a": list(a), "m": list(m), "b": list(b)})


async def _keep_latest(session: AsyncSession, tenant: str, new: Sequence[Point]) -> None:
    newest: dict[tuple[uuid.UUID, str], Point] = {}
    for p in new:
        seen = newest.get((p.asset_id, p.metric))
        if seen is None or seen.ts < p.ts:
            newest[(p.asset_id, p.metric)] = p
    await session.execute(_LATEST, {"tenant": tenant, **_columns(list(newest.values()))})
