"""Per-request DataLoaders of monitoring reads by many ids: one call per list, not per item.

``Asset.incidents``, ``Asset.latestMetrics``, ``Asset.metrics``,
``ServiceGroup.status`` and an incident's timeline in a list each gather the
ids of one execution tick and ask the monitoring service's batch read once
(``/incidents?asset_ids=``, ``/latest``, ``/series/batch``,
``/overview/service-groups``, ``/incidents/batch``), so a page of any size
costs one call per field. Made per request, like every loader: the cache
must never serve one company's rows to another.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from strawberry.dataloader import DataLoader

from nephos_gateway.clients import monitoring_models as m
from nephos_gateway.clients.asset import canonical_id
from nephos_gateway.clients.monitoring import MonitoringClient, SeriesWindow

Keyed = TypeVar("Keyed", m.Incident, m.LatestPoint)

SeriesKey = tuple[str, SeriesWindow]
"""(asset id, window): assets asking for the same window share one call."""


@dataclass(frozen=True)
class MonitoringBatchLoaders:
    open_incidents_of: DataLoader[str, list[m.Incident]]
    """Asset id -> its open (or acknowledged) incidents."""
    latest_of: DataLoader[str, list[m.LatestPoint]]
    """Asset id -> the newest point of each of its metrics, by metric name."""
    series_of: DataLoader[SeriesKey, m.Series | None]
    group_status: DataLoader[str, m.GroupOverview | None]
    """Service group id -> the overview of its members."""
    incident: DataLoader[str, m.IncidentDetail | None]
    """Incident id -> the incident with its alerts, timeline and comments."""


def _by_asset(items: Sequence[Keyed]) -> defaultdict[str, list[Keyed]]:
    found: defaultdict[str, list[Keyed]] = defaultdict(list)
    for item in items:
        found[item.asset_id].append(item)
    return found


def build_monitoring_batch_loaders(client: MonitoringClient) -> MonitoringBatchLoaders:
    async def load_incidents(ids: list[str]) -> list[list[m.Incident]]:
        found = _by_asset(await client.incidents_of_assets(ids))
        return [found.get(canonical_id(i) or "", []) for i in ids]

    async def load_latest(ids: list[str]) -> list[list[m.LatestPoint]]:
        found = _by_asset(await client.latest_points(ids))
        return [found.get(canonical_id(i) or "", []) for i in ids]

    async def load_series(keys: list[SeriesKey]) -> list[m.Series | None]:
        assets_of: defaultdict[SeriesWindow, list[str]] = defaultdict(list)
        for asset_id, window in keys:
            assets_of[window].append(asset_id)
        found: dict[SeriesKey, m.Series] = {}
        for window, asset_ids in assets_of.items():
            for series in await client.series_of_assets(asset_ids, window):
                found[(series.asset_id, window)] = series
        return [found.get((canonical_id(a) or "", w)) for a, w in keys]

    async def load_group_status(ids: list[str]) -> list[m.GroupOverview | None]:
        found = {g.group_id: g for g in await client.group_overviews(ids)}
        return [found.get(canonical_id(i) or "") for i in ids]

    async def load_incidents_by_id(ids: list[str]) -> list[m.IncidentDetail | None]:
        found = {i.id: i for i in await client.incidents_by_ids(ids)}
        return [found.get(canonical_id(i) or "") for i in ids]

    return MonitoringBatchLoaders(
        open_incidents_of=DataLoader(load_fn=load_incidents),
        latest_of=DataLoader(load_fn=load_latest),
        series_of=DataLoader(load_fn=load_series),
        group_status=DataLoader(load_fn=load_group_status),
        incident=DataLoader(load_fn=load_incidents_by_id),
    )
