"""Rollups at 5 minutes, 1 hour and 1 day, kept up to date as points arrive.

Why on arrival rather than by a periodic job: every point goes through
``store``, whose insert returns exactly the points that were not stored
before, so each level can be merged incrementally from those alone (count
and sum added, min and max widened) in the same statement as the insert. A
series read is then never behind its raw points, there is no job to
schedule, lock or catch up after downtime, and a replayed or overlapping
batch adds nothing (its points are not new). Concurrent writers merging
into one bucket serialise on its row; rows are merged in key order, so two
writers cannot deadlock.

Each level is therefore an exact aggregate of the raw points ever stored,
and outlives them: retention is per level (raw 14 days, 5m 35, 1h 400,
1d 1,830 by default).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Level:
    table: str
    width: str


LEVELS = (
    Level("metric_rollups_5m", "5 minutes"),
    Level("metric_rollups_1h", "1 hour"),
    Level("metric_rollups_1d", "1 day"),
)

_ORIGIN = "TIMESTAMPTZ '2000-01-01 00:00:00+00'"


def merge_from(level: Level, source: str) -> str:
    """SQL merging the points of CTE ``source`` (asset_id, metric, ts, value) into a level."""
    bucket = f"date_bin('{level.width}', n.ts, {_ORIGIN})"
    return (
        f"INSERT INTO {level.table} AS r (tenant, asset_id, metric, bucket, count, sum, min, max) "
        f"SELECT :tenant, n.asset_id, n.metric, {bucket}, count(*), sum(n.value), "
        f"min(n.value), max(n.value) FROM {source} n "
        f"GROUP BY n.asset_id, n.metric, {bucket} ORDER BY n.asset_id, n.metric, {bucket} "
        "ON CONFLICT (tenant, asset_id, metric, bucket) DO UPDATE SET "
        "count = r.count + excluded.count, sum = r.sum + excluded.sum, "
        "min = least(r.min, excluded.min), max = greatest(r.max, excluded.max)"
    )
