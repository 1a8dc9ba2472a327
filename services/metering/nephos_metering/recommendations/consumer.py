"""Recommendations listen to two events: monitoring's daily utilisation of a server
(kept as a day row), and metering's own ``metering.delivery.ingested`` (new bill:
the company's advice is computed again)."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.contracts.metering import EVENTS_STREAM as METERING_STREAM
from nephos_common.contracts.metering import DeliveryIngested
from nephos_common.contracts.monitoring import EVENTS_STREAM as MONITORING_STREAM
from nephos_common.contracts.monitoring import UtilisationDaily
from nephos_common.messaging.consumer import Handler, Subscription
from nephos_common.messaging.envelope import Envelope
from nephos_metering.recommendations import repository, service
from nephos_metering.recommendations.rules import Thresholds

UTILISATION_DURABLE = "metering-utilisation"
INGEST_DURABLE = "metering-recommendations"
_DAY_FIELDS = ("asset_id", "day", "samples", "cpu_avg", "cpu_p95", "cpu_max",
               "network_in_bytes", "network_out_bytes")  # fmt: skip


async def keep_utilisation(session: AsyncSession, envelope: Envelope) -> None:
    if envelope.type != UtilisationDaily.event_type:
        return
    day = UtilisationDaily.parse(envelope)
    await repository.save_day(session, envelope.tenant, {f: getattr(day, f) for f in _DAY_FIELDS})


def recompute_after_ingest(limits: Thresholds) -> Handler:
    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        if envelope.type == DeliveryIngested.event_type:
            await service.refresh(session, envelope.tenant, limits)

    return handle


def subscriptions(app: FastAPI) -> list[Subscription]:
    limits = service.thresholds(app.state.settings)
    return [
        Subscription(
            durable=UTILISATION_DURABLE,
            stream=MONITORING_STREAM.name,
            subject=UtilisationDaily.event_type,
            handler=keep_utilisation,
        ),
        Subscription(
            durable=INGEST_DURABLE,
            stream=METERING_STREAM.name,
            subject=DeliveryIngested.event_type,
            handler=recompute_after_ingest(limits),
        ),
    ]


STREAMS = (MONITORING_STREAM,)
"""Monitoring's stream is ensured too: metering may start before monitoring."""
