"""One on-demand collection run for an AWS account, with credentials in the request:
targets from the read model, CloudWatch per region, then the points through the
ingest path (store, roll up, evaluate). Scheduled runs are jobs (``collection.worker``)
that get a short-lived session from the asset service instead.

No database transaction stays open while the cloud is called: targets are read
in one short transaction and the points written in another.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from nephos_common.db import Database, utcnow
from nephos_common.messaging.tables import MessagingTables
from nephos_monitoring.collection.aws_specs import SPECS
from nephos_monitoring.collection.cloudwatch import AwsKeys, RegionResult, Window, collect_region
from nephos_monitoring.collection.schemas import CollectionRequest, CollectionResult
from nephos_monitoring.ingest import accept
from nephos_monitoring.settings import Settings
from nephos_monitoring.targets import repository
from nephos_monitoring.targets.models import Target


def window_for(data: CollectionRequest, settings: Settings) -> Window:
    """Aligned to the period, so repeated runs ask for the same buckets and dedupe."""
    period = data.period_seconds or settings.collection_period_seconds
    end = (data.end or utcnow()).astimezone(UTC)
    aligned = int(end.timestamp()) // period * period
    end = datetime.fromtimestamp(aligned, UTC)
    lookback = data.lookback_seconds or settings.collection_lookback_seconds
    return Window(start=end - timedelta(seconds=lookback), end=end, period=period)


def keys_of(data: CollectionRequest) -> AwsKeys:
    token = data.session_token.get_secret_value() if data.session_token else None
    return AwsKeys(
        data.access_key_id.get_secret_value(), data.secret_access_key.get_secret_value(), token
    )


def aws_by_region(targets: list[Target]) -> dict[str, list[Target]]:
    """Targets CloudWatch has metrics for, grouped by region (one client per region)."""
    by_region: dict[str, list[Target]] = defaultdict(list)
    for target in targets:
        if target.native_type in SPECS:
            by_region[target.region].append(target)
    return dict(by_region)


async def collect_aws(
    client_kwargs: dict[str, Any], by_region: dict[str, list[Target]], window: Window
) -> list[RegionResult]:
    """Every region at once: each region is its own CloudWatch endpoint and rate limit."""
    calls = (collect_region(client_kwargs, r, ts, window) for r, ts in sorted(by_region.items()))
    return list(await asyncio.gather(*calls))


async def run(
    database: Database,
    tables: MessagingTables,
    settings: Settings,
    tenant: str,
    data: CollectionRequest,
) -> CollectionResult:
    settings.check_endpoint_override(data.endpoint_url)
    async with database.transaction() as session:
        found = await repository.pollable(session, tenant, "aws", data.account_id, data.regions)
    by_region = aws_by_region(found)
    window = window_for(data, settings)
    endpoint = str(data.endpoint_url) if data.endpoint_url else None
    results = await collect_aws(keys_of(data).client_kwargs(endpoint), by_region, window)
    points = [p for r in results for p in r.points]
    async with database.transaction() as session:
        stored = await accept(session, tables, settings, tenant, points)
    return CollectionResult(
        account_id=data.account_id,
        start=window.start,
        end=window.end,
        targets=sum(len(t) for t in by_region.values()),
        regions=sorted(by_region),
        queries=sum(r.queries for r in results),
        api_calls=sum(r.calls for r in results),
        points_received=len(points),
        points_stored=stored,
    )
