"""Writing points: raw rows, the rollups of the buckets they touch, the latest value.

One statement per batch, whatever its size: the points travel as ``unnest``
arrays into ``INSERT ... ON CONFLICT DO NOTHING RETURNING``, and data-modifying
CTEs feed exactly the returned (new) rows into the three rollups and the
latest values. A collection window that overlaps the previous one re-reads
points already stored; only the truly new ones are returned, rolled up and
handed to rules, so nothing is counted or evaluated twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_monitoring.metrics import partitions
from nephos_monitoring.metrics.rollups import LEVELS, merge_from


@dataclass(frozen=True, slots=True)
class Point:
    asset_id: uuid.UUID
    metric: str
    ts: datetime
    value: float


_NEW = (
    "new AS (INSERT INTO metric_points (tenant, asset_id, metric, ts, value) "
    "SELECT :tenant, a, m, t, v FROM unnest(CAST(:a AS uuid[]), CAST(:m AS text[]), "
    "CAST(:t AS timestamptz[]), CAST(:v AS float8[])) AS u(a, m, t, v) "
    "ON CONFLICT DO NOTHING RETURNING asset_id, metric, ts, value)"
)

_LATEST = (
    "INSERT INTO metric_latest AS l (tenant, asset_id, metric, ts, value) "
    "SELECT DISTINCT ON (asset_id, metric) :tenant, asset_id, metric, ts, value FROM new "
    "ORDER BY asset_id, metric, ts DESC "
    "ON CONFLICT (tenant, asset_id, metric) DO UPDATE SET ts = excluded.ts, "
    "value = excluded.value WHERE l.ts < excluded.ts"
)


_ANSWER = (
    "SELECT c.n, w.asset_id, w.metric, w.ts, w.value FROM (SELECT count(*) AS n FROM new) c "
    "LEFT JOIN (SELECT * FROM new WHERE metric = ANY(CAST(:wanted AS text[]))) w ON true"
)
"""How many points were new, and the new points of the metrics the caller wants back
(one row with NULLs when none): rows nobody reads are not sent over the wire."""


def _statement() -> str:
    merges = [f"r{i} AS ({merge_from(level, 'new')})" for i, level in enumerate(LEVELS)]
    ctes = ", ".join([_NEW, *merges, f"latest AS ({_LATEST})"])
    return f"WITH {ctes} {_ANSWER}"


_STORE = text(_statement())


def _columns(points: Sequence[Point]) -> dict[str, list[object]]:
    return {
        "a": [p.asset_id for p in points],
        "m": [p.metric for p in points],
        "t": [p.ts for p in points],
        "v": [p.value for p in points],
    }


@dataclass(frozen=True)
class Stored:
    count: int
    """How many of the points were new."""
    returned: list[Point]
    """The new points of the metrics asked for."""


async def store(
    session: AsyncSession,
    tenant: str,
    points: Sequence[Point],
    *,
    oldest: datetime,
    wanted: Collection[str],
) -> Stored:
    """Store points newer than ``oldest`` (retention); count those not stored before and
    return the ones of the ``wanted`` metrics (those that rules evaluate)."""
    kept = [p for p in points if p.ts >= oldest]
    if not kept:
        return Stored(0, [])
    await partitions.ensure(session, {p.ts.astimezone(UTC).date() for p in kept})
    params = {"tenant": tenant, "wanted": sorted(wanted), **_columns(kept)}
    rows = (await session.execute(_STORE, params)).all()
    returned = [Point(a, m, t, v) for _, a, m, t, v in rows if a is not None]
    return Stored(int(rows[0][0]), returned)
