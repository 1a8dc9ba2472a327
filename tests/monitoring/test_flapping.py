"""Flapping: a rule that fires and resolves on a target more often than its limit within
its window marks the alert flapping; its notifications are recorded as suppressed and
not sent (checked against a real local HTTP receiver); a calm period ends it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from nephos_common.db import utcnow
from tests.fixtures.monitoring import MonitoringService, wait_for
from tests.monitoring.alerting import call, http_receiver, items, rule, webhook
from tests.monitoring.helpers import add_servers, push


async def test_flapping_alert_is_shown_and_not_notified(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    (server,) = await add_servers(service, 1)
    asset = server["asset_id"]
    async with http_receiver() as receiver:
        hook = await webhook(service, receiver, "hook")
        created = await rule(
            service,
            scope={"kind": "asset", "asset_id": str(asset)},
            channel_ids=[hook],
            flap_max_changes=2,
            flap_window_seconds=600,
        )
        assert (created["flap_max_changes"], created["flap_window_seconds"]) == (2, 600)
        t0 = utcnow().replace(microsecond=0) - timedelta(hours=1)
        minute = timedelta(minutes=1)
        for offset, value in [(0, 99), (1, 10), (2, 99), (3, 10), (30, 99)]:
            await push(service, asset, [(t0 + offset * minute, value)])

        alerts = sorted(await items(service, "/alerts"), key=lambda a: a["started_at"])
        assert [a["state"] for a in alerts] == ["resolved", "resolved", "firing"]
        assert [a["flapping"] for a in alerts] == [False, True, False]

        deliveries = await wait_for(
            lambda: items(service, "/deliveries"),
            lambda d: len(d) == 5 and all(x["status"] != "pending" for x in d),
            15,
        )
        flapping_id = alerts[1]["id"]
        muted = [d for d in deliveries if d["alert_id"] == flapping_id]
        assert [(d["status"], d["suppressed_reason"]) for d in muted] == [
            ("suppressed", "flapping"),
            ("suppressed", "flapping"),
        ]
        await asyncio.sleep(0.5)
        sent = [(r["body"]["type"], r["body"]["data"]["alert_id"]) for r in receiver.received]
        assert sorted(sent) == sorted(
            [
                ("monitoring.alert.fired", alerts[0]["id"]),
                ("monitoring.alert.resolved", alerts[0]["id"]),
                ("monitoring.alert.fired", alerts[2]["id"]),
            ]
        )
    # Every change is still an event on the stream.
    assert len(await service.monitoring_events(5)) == 5
    assert await items(service, "/alerts", "globex") == []
    other = await call(service, "GET", "/deliveries?status=suppressed", tenant="globex")
    assert other["items"] == []
