"""Live events over graphql-transport-ws: alerts, incidents and finished discovery runs.

Events come from NATS through the process's ``EventHub`` and reach only the
subscribers of the envelope's company. The caller, admitted at
``connection_init``, is checked again as events are sent (see
``subscription_auth``): an expired token or a user removed from the company
ends the stream with an error instead of feeding it for ever.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from nephos_common.contracts.asset import DiscoveryCompleted
from nephos_common.contracts.monitoring import (
    AlertFired,
    AlertResolved,
    IncidentOpened,
    IncidentRef,
    IncidentResolved,
    IncidentUpdated,
)
from nephos_common.errors import Unavailable
from nephos_common.messaging.envelope import Envelope
from nephos_gateway.schema.context import GatewayContext
from nephos_gateway.schema.subscription_auth import Listener, app_state
from nephos_gateway.schema.subscription_hub import EventHub

Info = strawberry.Info[GatewayContext]


@strawberry.enum
class AlertEventKind(enum.Enum):
    FIRED = "fired"
    RESOLVED = "resolved"


@strawberry.enum
class IncidentEventKind(enum.Enum):
    OPENED = "opened"
    UPDATED = "updated"
    RESOLVED = "resolved"


@strawberry.type(description="An alert fired or resolved.")
class AlertEvent:
    kind: AlertEventKind
    alert_id: strawberry.ID
    rule_id: strawberry.ID
    rule_name: str
    asset_id: strawberry.ID
    metric: str
    severity: str
    value: float | None = strawberry.field(description="The point that fired or resolved it.")
    threshold: float | None = strawberry.field(description="Set when it fired.")
    at: datetime = strawberry.field(description="When it fired or resolved.")
    reason: str | None = strawberry.field(description="Why it resolved.")

    @classmethod
    def of(cls, envelope: Envelope) -> AlertEvent:
        if envelope.type == AlertFired.event_type:
            fired = AlertFired.parse(envelope)
            return cls._of(fired, AlertEventKind.FIRED, fired.value, fired.threshold, None)
        resolved = AlertResolved.parse(envelope)
        return cls._of(resolved, AlertEventKind.RESOLVED, resolved.value, None, resolved.reason)

    @classmethod
    def _of(
        cls,
        ref: AlertFired | AlertResolved,
        kind: AlertEventKind,
        value: float | None,
        threshold: float | None,
        reason: str | None,
    ) -> AlertEvent:
        at = ref.fired_at if isinstance(ref, AlertFired) else ref.resolved_at
        return cls(
            kind=kind,
            alert_id=strawberry.ID(str(ref.alert_id)),
            rule_id=strawberry.ID(str(ref.rule_id)),
            rule_name=ref.rule_name,
            asset_id=strawberry.ID(str(ref.asset_id)),
            metric=ref.metric,
            severity=ref.severity,
            value=value,
            threshold=threshold,
            at=at,
            reason=reason,
        )


_INCIDENT_EVENTS: dict[str, tuple[IncidentEventKind, type[IncidentRef]]] = {
    IncidentOpened.event_type: (IncidentEventKind.OPENED, IncidentOpened),
    IncidentUpdated.event_type: (IncidentEventKind.UPDATED, IncidentUpdated),
    IncidentResolved.event_type: (IncidentEventKind.RESOLVED, IncidentResolved),
}


@strawberry.type(description="An incident opened, changed or resolved, with its state after.")
class IncidentEvent:
    kind: IncidentEventKind
    incident_id: strawberry.ID
    asset_id: strawberry.ID
    status: str
    severity: str
    assignee: str | None
    opened_at: datetime
    change: str | None = strawberry.field(description="What an update changed.")
    actor: str | None = strawberry.field(description="Who made the change, if a person.")

    @classmethod
    def of(cls, envelope: Envelope) -> IncidentEvent:
        kind, contract = _INCIDENT_EVENTS[envelope.type]
        ref = contract.parse(envelope)
        return cls(
            kind=kind,
            incident_id=strawberry.ID(str(ref.incident_id)),
            asset_id=strawberry.ID(str(ref.asset_id)),
            status=ref.status,
            severity=ref.severity,
            assignee=ref.assignee,
            opened_at=ref.opened_at,
            change=getattr(ref, "change", None),
            actor=getattr(ref, "actor", None),
        )


@strawberry.type(description="A discovery run that finished, with its counts.")
class DiscoveryRunEvent:
    run_id: strawberry.ID
    account_id: strawberry.ID
    status: str
    units_total: int
    units_failed: int
    assets_found: int
    assets_created: int
    assets_changed: int
    assets_deleted: int

    @classmethod
    def of(cls, envelope: Envelope) -> DiscoveryRunEvent:
        done = DiscoveryCompleted.parse(envelope)
        return cls(
            run_id=strawberry.ID(str(done.run_id)),
            account_id=strawberry.ID(str(done.account_id)),
            status=done.status,
            units_total=done.units_total,
            units_failed=done.units_failed,
            assets_found=done.assets_found,
            assets_created=done.assets_created,
            assets_changed=done.assets_changed,
            assets_deleted=done.assets_deleted,
        )


def _hub(info: Info) -> EventHub:
    hub: EventHub | None = getattr(app_state(info.context), "event_hub", None)
    if hub is None:
        raise Unavailable("live events are not available", code="events_unavailable")
    return hub


async def _events(info: Info, *prefixes: str) -> AsyncGenerator[Envelope, None]:
    """The caller's company's events of these types, as they arrive, each re-authorised."""
    listener = Listener.of(info.context)
    with _hub(info).subscribe(listener.principal.tenant, *prefixes) as subscriber:
        while True:
            envelope = await subscriber.queue.get()
            await listener.check()
            yield envelope


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Alerts of the company as they fire and resolve.")
    async def alert_events(self, info: Info) -> AsyncGenerator[AlertEvent, None]:
        async for envelope in _events(info, "monitoring.alert."):
            yield AlertEvent.of(envelope)

    @strawberry.subscription(description="Incidents of the company as they open, change, end.")
    async def incident_events(self, info: Info) -> AsyncGenerator[IncidentEvent, None]:
        async for envelope in _events(info, "monitoring.incident."):
            yield IncidentEvent.of(envelope)

    @strawberry.subscription(description="Discovery runs of the company as they finish.")
    async def discovery_runs(self, info: Info) -> AsyncGenerator[DiscoveryRunEvent, None]:
        async for envelope in _events(info, DiscoveryCompleted.event_type):
            yield DiscoveryRunEvent.of(envelope)
