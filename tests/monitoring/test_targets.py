"""Targets follow asset events from the ASSET stream: watched categories only,
deleted assets leave, stopped servers are not alarmed, tenants never mix."""

from __future__ import annotations

from tests.fixtures.monitoring import MonitoringService, wait_for
from tests.monitoring.helpers import changed, deleted, discovered, targets


async def test_asset_events_keep_the_targets_read_model(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    server = discovered(name="web-1", tags={"env": "prod"})
    database = discovered(category="database", native_type="aws.rds.instance", name="db")
    bucket = discovered(category="bucket", native_type="aws.s3.bucket", name="logs")
    other = discovered("globex", name="their-server")
    await service.publish(server, database, bucket, other)
    await service.publish(server)  # a re-published duplicate is dropped

    found = await wait_for(lambda: targets(service), lambda t: len(t) == 2)
    assert sorted(t["name"] for t in found) == ["db", "web-1"]
    web = next(t for t in found if t["name"] == "web-1")
    assert web["tags"] == {"env": "prod"}
    assert web["status"] == "no_data"
    theirs = await wait_for(lambda: targets(service, "globex"), lambda t: len(t) == 1)
    assert theirs[0]["name"] == "their-server"

    stopped = {**server.data, "state": "stopped"}
    await service.publish(changed("acme", stopped))
    await wait_for(
        lambda: targets(service),
        lambda t: any(x["name"] == "web-1" and x["status"] == "stopped" for x in t),
    )

    await service.publish(deleted("acme", database.data))
    found = await wait_for(lambda: targets(service), lambda t: len(t) == 1)
    assert found[0]["name"] == "web-1"


async def test_viewer_of_another_company_sees_none_of_ours(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    await service.publish(discovered(name="mine"))
    await wait_for(lambda: targets(service), lambda t: len(t) == 1)
    answer = await service.client.get("/targets", headers=service.auth("globex", "viewer"))
    assert answer.json()["items"] == []
    assert (await service.client.get("/targets")).status_code == 401
