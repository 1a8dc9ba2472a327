"""Webhook addresses inside the deployment are refused where the deployment does not
allow them: 422 on create, and again at send time (checked with a real local receiver
that must get nothing)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest

from nephos_common.db import utcnow
from nephos_monitoring.notifications.models import Channel
from tests.fixtures.monitoring import MonitoringService, wait_for
from tests.monitoring.alerting import call, http_receiver, items, rule
from tests.monitoring.helpers import add_servers, push


@pytest.fixture
def monitoring_overrides() -> dict[str, Any]:
    return {"allow_internal_webhooks": False}


INTERNAL = [
    "http://127.0.0.1:8080/hook",
    "http://localhost/hook",
    "http://api.localhost/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.1.2.3/hook",
    "http://172.16.0.9/hook",
    "http://192.168.1.1/hook",
    "http://[::1]/hook",
    "http://[fe80::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://0.0.0.0/hook",
]


async def test_internal_addresses_are_refused(monitoring_service: MonitoringService) -> None:
    for url in INTERNAL:
        for kind in ("webhook", "slack"):
            body = {"name": "hook", "config": {"kind": kind, "url": url}}
            refused = await call(monitoring_service, "POST", "/channels", body, expect=422)
            assert refused["error"]["code"] == "webhook_url_internal", url
    assert await items(monitoring_service, "/channels") == []


async def test_public_address_is_accepted_and_send_time_check_holds(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    body = {"name": "public", "config": {"kind": "webhook", "url": "http://93.184.216.34/hook"}}
    await call(service, "POST", "/channels", body, expect=201)
    async with http_receiver() as receiver:
        # A channel stored while internal addresses were allowed: refused when sending.
        channel_id = uuid.uuid4()
        async with service.app.state.database.transaction() as session:
            session.add(
                Channel(
                    id=channel_id,
                    tenant="acme",
                    name="old",
                    kind="webhook",
                    config={"kind": "webhook", "url": f"{receiver.base}/old"},
                )
            )
        (server,) = await add_servers(service, 1)
        scope = {"kind": "asset", "asset_id": str(server["asset_id"])}
        await rule(service, scope=scope, channel_ids=[str(channel_id)])
        await push(service, server["asset_id"], [(utcnow() - timedelta(minutes=1), 99)])
        (delivery,) = await wait_for(
            lambda: items(service, "/deliveries"),
            lambda d: len(d) == 1 and len(d[0]["attempts"]) >= 1,
            15,
        )
        await asyncio.sleep(0.3)
        assert receiver.received == []
    assert delivery["attempts"][0]["ok"] is False
    assert "internal address refused" in delivery["attempts"][0]["error"]
