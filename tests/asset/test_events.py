"""Events leave through the outbox: nothing is lost while NATS is down, nothing arrives twice."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import nats
import pytest

from nephos_asset.main import create_app
from nephos_devstack.aws_estate import seed_estate
from nephos_devstack.embedded import EmbeddedNats, free_port
from tests.asset.helpers import register_aws, wait_for_run
from tests.fixtures.asset import AssetService, asset_settings
from tests.fixtures.infra import DatabaseFactory, running


@pytest.fixture
def private_nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A NATS server of this test's own, so that it can be stopped and started again."""
    server = EmbeddedNats(tmp_path / "nats", port=free_port(), log_path=tmp_path / "nats.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def service_on_private_nats(
    databases: DatabaseFactory, private_nats: EmbeddedNats
) -> AsyncIterator[AssetService]:
    settings = asset_settings(await databases.create("nephos_asset"), private_nats.url)
    app = create_app(settings)
    async with running(app, "http://asset") as client:
        yield AssetService(client=client, settings=settings, app=app)


async def _stream_events(url: str) -> list[dict[str, Any]]:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        info = await js.stream_info("ASSET")
        sub = await js.subscribe("asset.>", ordered_consumer=True)
        events = []
        for _ in range(info.state.messages):
            msg = await sub.next_msg(timeout=5)
            events.append(json.loads(msg.data))
        return events
    finally:
        await nc.close()


async def _pending(service: AssetService) -> int:
    count: int = await service.app.state.relay.pending_count()
    return count


async def test_events_written_while_nats_is_down_arrive_once_when_it_is_back(
    service_on_private_nats: AssetService, private_nats: EmbeddedNats, fresh_moto: str
) -> None:
    service = service_on_private_nats
    await asyncio.to_thread(seed_estate, fresh_moto, ("us-east-1",))
    headers = service.auth()
    account = await register_aws(service.client, headers, fresh_moto, regions=("us-east-1",))
    started = await service.client.post(f"/accounts/{account['id']}/discoveries", headers=headers)
    run_id = started.json()["id"]
    while (await service.client.get(f"/discoveries/{run_id}", headers=headers)).json()[
        "status"
    ] == "queued":
        await asyncio.sleep(0.05)

    await asyncio.to_thread(private_nats.stop)
    run = await wait_for_run(service.client, headers, run_id)
    stranded = await _pending(service)
    await asyncio.to_thread(private_nats.start)
    async with asyncio.timeout(30):
        while await _pending(service):
            await asyncio.sleep(0.1)

    assert run["status"] == "succeeded"
    assert stranded >= 1, "events written during the outage wait in the outbox"
    events = await _stream_events(private_nats.url)
    ids = Counter(e["id"] for e in events)
    assert max(ids.values()) == 1, "no event may be published twice"
    types = Counter(e["type"] for e in events)
    assert types["asset.resource.discovered"] == run["assets_created"]
    assert types["asset.discovery.completed"] == 1
    discovered = Counter(e["data"]["asset_id"] for e in events if e["type"].endswith("discovered"))
    assert set(discovered.values()) == {1}
