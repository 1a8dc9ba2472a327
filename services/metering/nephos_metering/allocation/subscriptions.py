"""The durable consumers of allocation (asset events, group totals rebuilds) and
recommendations, for the app's ServiceSpec."""

from __future__ import annotations

from fastapi import FastAPI

from nephos_common.contracts.asset import EVENTS_STREAM as ASSET_STREAM
from nephos_common.messaging.consumer import Subscription
from nephos_metering.allocation import consumer, group_totals
from nephos_metering.recommendations import consumer as recommendations

STREAMS = (ASSET_STREAM, *recommendations.STREAMS)
"""Streams these consumers read, ensured here too: metering may start before their producers."""


def subscriptions(app: FastAPI) -> list[Subscription]:
    return [
        Subscription(
            durable=consumer.DURABLE,
            stream=ASSET_STREAM.name,
            subject=consumer.SUBJECT,
            handler=consumer.handle,
        ),
        *group_totals.subscriptions(app),
        *recommendations.subscriptions(app),
    ]
