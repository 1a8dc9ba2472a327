"""Monitoring root fields: the overview, targets, rules, alerts, incidents and their
preferences, silences, maintenance windows, channels and their deliveries, escalation
policies, metric collection jobs and metric series.

The service answers these lists whole (or the newest 1,000, 500 for deliveries);
each becomes a Relay connection with ``paging.list_page``, so ``first`` bounds
the nodes and the query cost. Collection jobs are asked for as many as the page
needs. Ids that cannot name anything (not a UUID) read as not found without a call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, Protocol, TypeVar

import strawberry

from nephos_gateway.clients import monitoring_models as mon
from nephos_gateway.clients.asset import canonical_id
from nephos_gateway.clients.errors import NotFound
from nephos_gateway.clients.monitoring import SeriesWindow
from nephos_gateway.schema import paging
from nephos_gateway.schema.context import GatewayContext
from nephos_gateway.schema.types.channels import (
    EscalationPolicy,
    NotificationChannel,
    NotificationDelivery,
    NotificationDeliveryStatus,
)
from nephos_gateway.schema.types.collection_jobs import MetricCollectionJob
from nephos_gateway.schema.types.common import PARTIAL
from nephos_gateway.schema.types.connections import Connection, connection
from nephos_gateway.schema.types.incidents import Incident, IncidentFilter, IncidentPreferences
from nephos_gateway.schema.types.maintenance import MaintenanceWindow
from nephos_gateway.schema.types.metrics import MetricResolution, MetricSeries
from nephos_gateway.schema.types.monitoring import (
    Alert,
    AlertRule,
    AlertState,
    MonitoringOverview,
    MonitoringTarget,
)
from nephos_gateway.schema.types.silences import Silence

Info = strawberry.Info[GatewayContext]
T = TypeVar("T")
N = TypeVar("N")


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


def _id(item: _Identified) -> str:
    """The key an edge cursor names: the item's own id."""
    return item.id


async def _page(
    info: Info,
    read: Callable[[], Awaitable[Sequence[T]]],
    node: Callable[[T], N],
    first: int,
    after: str | None,
    key: Callable[[Any], str] = _id,
) -> Connection[N]:
    """A Relay page over a whole-list answer; edges are keyed by the item's id."""

    async def fetch(_: int) -> Sequence[T]:
        return await read()

    page = await paging.list_page(
        fetch,
        key,
        first=first,
        after=after,
        limit=info.context.settings.max_page_size,
    )
    return connection(page, node)


@strawberry.type
class MonitoringQuery:
    @strawberry.field(
        description=(
            "The monitoring dashboard: targets by status, CPU histogram, firing alerts; "
            "of the company, or of one service group's members." + PARTIAL
        )
    )
    async def monitoring_overview(
        self, info: Info, service_group_id: strawberry.ID | None = None
    ) -> MonitoringOverview | None:
        if service_group_id is None:
            return MonitoringOverview.of(await info.context.monitoring.overview())
        found = await info.context.monitoring_batch.group_status.load(str(service_group_id))
        return MonitoringOverview.of(found) if found else MonitoringOverview.empty()

    @strawberry.field(description="What monitoring watches, by name, with each one's status.")
    async def targets(
        self, info: Info, category: str | None = None, first: int = 50, after: str | None = None
    ) -> Connection[MonitoringTarget]:
        context = info.context

        async def read() -> list[mon.Target]:
            if category is None:  # the same read Asset.status uses; asked for once per request
                return await context.monitoring_loaders.targets.get()
            return await context.monitoring.targets(category)

        return await _page(info, read, MonitoringTarget.of, first, after, key=lambda t: t.asset_id)

    @strawberry.field(description="The company's alert rules, in pages.")
    async def alert_rules(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[AlertRule]:
        return await _page(
            info, info.context.monitoring_loaders.rules.get, AlertRule.of, first, after
        )

    @strawberry.field(description="One alert rule; null if unknown or not the company's.")
    async def alert_rule(self, info: Info, id: strawberry.ID) -> AlertRule | None:
        found = await info.context.monitoring_loaders.rule.load(str(id))
        return AlertRule.of(found) if found else None

    @strawberry.field(description="The newest alerts (at most 1,000), of one state or all.")
    async def alerts(
        self,
        info: Info,
        state: AlertState | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[Alert]:
        context = info.context

        async def read() -> list[mon.Alert]:
            if state is None:  # the same read Asset.alerts uses; asked for once per request
                return await context.monitoring_loaders.alerts.get()
            return await context.monitoring.alerts(state.value)

        return await _page(info, read, Alert.of, first, after)

    @strawberry.field(description="The newest incidents first (at most 1,000), filtered.")
    async def incidents(
        self,
        info: Info,
        filter: IncidentFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[Incident]:
        query = (filter or IncidentFilter()).query()
        client = info.context.monitoring

        async def read() -> list[mon.Incident]:
            return await client.incidents(query) if query is not None else []

        return await _page(info, read, Incident.of, first, after)

    @strawberry.field(description="One incident with its timeline; null if unknown or not ours.")
    async def incident(self, info: Info, id: strawberry.ID) -> Incident | None:
        try:
            return Incident.of(await info.context.monitoring.incident(str(id)))
        except NotFound:
            return None

    @strawberry.field(description="The company's incident defaults (the service's until set).")
    async def incident_preferences(self, info: Info) -> IncidentPreferences:
        return IncidentPreferences.of(await info.context.monitoring.incident_preferences())

    @strawberry.field(description="Current and future silences (expired ones on request).")
    async def silences(
        self,
        info: Info,
        include_expired: bool = False,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[Silence]:
        client = info.context.monitoring
        return await _page(info, lambda: client.silences(include_expired), Silence.of, first, after)

    @strawberry.field(description="The company's maintenance windows.")
    async def maintenance_windows(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[MaintenanceWindow]:
        client = info.context.monitoring
        return await _page(info, client.maintenance_windows, MaintenanceWindow.of, first, after)

    @strawberry.field(description="Where alerts are sent, oldest first.")
    async def notification_channels(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[NotificationChannel]:
        client = info.context.monitoring
        return await _page(info, client.channels, NotificationChannel.of, first, after)

    @strawberry.field(description="Who is paged, in turn, while an incident is unacknowledged.")
    async def escalation_policies(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[EscalationPolicy]:
        client = info.context.monitoring
        return await _page(info, client.escalation_policies, EscalationPolicy.of, first, after)

    @strawberry.field(description="One escalation policy; null if unknown or not the company's.")
    async def escalation_policy(self, info: Info, id: strawberry.ID) -> EscalationPolicy | None:
        try:
            return EscalationPolicy.of(await info.context.monitoring.escalation_policy(str(id)))
        except NotFound:
            return None

    @strawberry.field(
        description="Notifications sent to channels, newest first (the newest 500), each with "
        "every try; of one status or alert, or all."
    )
    async def notification_deliveries(
        self,
        info: Info,
        status: NotificationDeliveryStatus | None = None,
        alert_id: strawberry.ID | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[NotificationDelivery]:
        client = info.context.monitoring
        chosen = status.value if status is not None else None
        alert = str(alert_id) if alert_id is not None else None

        async def read() -> list[mon.Delivery]:
            return await client.deliveries(chosen, alert)

        return await _page(info, read, NotificationDelivery.of, first, after)

    @strawberry.field(
        description="Metric collection jobs, newest first (the newest 500), of one account or "
        "of all."
    )
    async def metric_collection_jobs(
        self,
        info: Info,
        account_id: strawberry.ID | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[MetricCollectionJob]:
        client = info.context.monitoring
        account = str(account_id) if account_id is not None else None

        async def fetch(n: int) -> list[mon.CollectionJob]:
            return await client.collection_jobs(account, n)

        limit = info.context.settings.max_page_size
        page = await paging.list_page(fetch, _id, first=first, after=after, limit=limit)
        return connection(page, MetricCollectionJob.of)

    @strawberry.field(description="One metric collection job; null if unknown or not ours.")
    async def metric_collection_job(
        self, info: Info, id: strawberry.ID
    ) -> MetricCollectionJob | None:
        try:
            return MetricCollectionJob.of(await info.context.monitoring.collection_job(str(id)))
        except NotFound:
            return None

    @strawberry.field(
        description=(
            "One metric of one asset over a range, for a chart; null if the id can name no "
            "asset. Raw up to 6 hours, 5-minute up to 2 days, hourly up to 60 days, then daily."
        )
    )
    async def metric_series(
        self,
        info: Info,
        asset_id: strawberry.ID,
        metric: str,
        start: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
        resolution: Annotated[
            MetricResolution | None,
            strawberry.argument(description="Coarser than the range's own; finer is refused."),
        ] = None,
    ) -> MetricSeries | None:
        if canonical_id(str(asset_id)) is None:
            return None
        window = SeriesWindow(metric, start, to, resolution.value if resolution else None)
        return MetricSeries.of(await info.context.monitoring.series(str(asset_id), window))
