"""How cost allocation tags are wired into the service: the consumer of their builds on
the metering work queue, and the one listing each new delivery's tag keys."""

from __future__ import annotations

from fastapi import FastAPI

from nephos_common.contracts.metering import (
    EVENTS_STREAM,
    JOBS_STREAM,
    CostTagTotalsRequested,
    DeliveryIngested,
)
from nephos_common.messaging.consumer import Subscription
from nephos_metering.costtags.service import after_ingest, handle_build

BUILD_SECONDS = 1800.0
"""Ack wait of a build: a company's whole history is grouped in it."""


def subscriptions(app: FastAPI) -> list[Subscription]:
    return [
        Subscription(
            durable="metering-cost-tag-totals",
            stream=JOBS_STREAM.name,
            subject=CostTagTotalsRequested.event_type,
            handler=handle_build,
            ack_wait_seconds=BUILD_SECONDS,
            batch=1,
        ),
        Subscription(
            durable="metering-tag-keys",
            stream=EVENTS_STREAM.name,
            subject=DeliveryIngested.event_type,
            handler=after_ingest,
        ),
    ]
