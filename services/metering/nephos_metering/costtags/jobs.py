"""How cost allocation tag builds are wired into the service: their consumer on the
metering work queue."""

from __future__ import annotations

from fastapi import FastAPI

from nephos_common.contracts.metering import JOBS_STREAM, CostTagTotalsRequested
from nephos_common.messaging.consumer import Subscription
from nephos_metering.costtags.service import handle_build

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
        )
    ]
