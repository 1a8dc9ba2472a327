"""Anomaly detection runs again whenever a delivery is ingested (metering's own event)."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.contracts.metering import EVENTS_STREAM, DeliveryIngested
from nephos_common.messaging.consumer import Subscription
from nephos_common.messaging.envelope import Envelope
from nephos_common.messaging.outbox import record
from nephos_common.messaging.tables import MessagingTables
from nephos_metering.anomalies import service
from nephos_metering.anomalies.detection import Sensitivity
from nephos_metering.db import MESSAGING

SUBJECT = DeliveryIngested.event_type
DURABLE = "metering-anomalies"


class AnomaliesConsumer:
    def __init__(self, tables: MessagingTables, tuning: Sensitivity) -> None:
        self._tables = tables
        self._tuning = tuning

    async def handle(self, session: AsyncSession, envelope: Envelope) -> None:
        if envelope.type != DeliveryIngested.event_type:
            return
        ingested = DeliveryIngested.parse(envelope)
        events = await service.after_ingest(session, envelope.tenant, ingested, self._tuning)
        await record(session, self._tables, events)


def subscriptions(app: FastAPI) -> list[Subscription]:
    """Its own durable consumer, so budgets and anomalies retry independently."""
    return [
        Subscription(
            durable=DURABLE,
            stream=EVENTS_STREAM.name,
            subject=SUBJECT,
            handler=AnomaliesConsumer(MESSAGING, service.sensitivity(app.state.settings)).handle,
        )
    ]
