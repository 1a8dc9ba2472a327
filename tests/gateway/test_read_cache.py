"""The dashboard's aggregates kept a few seconds per company, against the real services.

What is counted is what reaches the services (the counting transports); what
is compared is what the portal is shown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from nephos_gateway.clients.read_cache import ReadCache
from nephos_gateway.main import create_app
from nephos_gateway.schema.subscription_hub import EventHub
from tests.fixtures.asset import AssetService
from tests.fixtures.infra import DatabaseFactory, running
from tests.fixtures.metering import MeteringService
from tests.gateway.conftest import (
    Gateway,
    counting,
    enrol,
    gateway_settings,
    user_bearer,
)
from tests.gateway.live import until
from tests.metering.live import cost_row, insert_costs

HOME = """
query Home {
  assetSummary { productsTotal servers { total } }
  costSummary(from: "2024-05-01", to: "2024-05-31") { items { key billedCost } }
  monitoringOverview { targetsTotal firingAlerts }
}
"""
CREATE_GROUP = """
mutation Group($input: CreateServiceGroupInput!) {
  createServiceGroup(input: $input) { serviceGroup { id } userErrors { code } }
}
"""
COST = '{ costSummary(from: "2024-05-01", to: "2024-05-31") { items { key billedCost } } }'


def _calls(gw: Gateway) -> tuple[int, int, int]:
    """Requests the gateway has sent to asset, metering and monitoring so far."""
    assert gw.metering is not None and gw.monitoring is not None
    return len(gw.asset.requests), len(gw.metering.requests), len(gw.monitoring.requests)


def _more(before: tuple[int, ...], after: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(a - b for a, b in zip(after, before, strict=True))


async def test_the_home_query_is_answered_once_per_company_until_it_changes(
    observed_gateway: Gateway,
) -> None:
    gw = observed_gateway
    acme, globex = gw.auth("acme"), gw.auth("globex")

    start = _calls(gw)
    first = await gw.query(HOME, headers=acme)
    assert "errors" not in first
    assert _more(start, _calls(gw)) == (1, 1, 1)

    again = _calls(gw)
    assert await gw.query(HOME, headers=acme) == first
    assert _more(again, _calls(gw)) == (0, 0, 0)

    # Another company is never answered from acme's: it asks the services itself.
    before_globex = _calls(gw)
    assert "errors" not in await gw.query(HOME, headers=globex)
    assert _more(before_globex, _calls(gw)) == (1, 1, 1)

    # A change acme makes through the gateway drops acme's answers, and only acme's.
    made = await gw.query(
        CREATE_GROUP, {"input": {"name": "web", "description": "front"}}, headers=acme
    )
    assert made["data"]["createServiceGroup"]["userErrors"] == []
    after_change = _calls(gw)
    assert await gw.query(HOME, headers=acme) == first
    assert await gw.query(HOME, headers=globex)
    assert _more(after_change, _calls(gw)) == (1, 1, 1)


async def test_concurrent_asks_of_one_answer_share_one_call(observed_gateway: Gateway) -> None:
    gw = observed_gateway
    viewer, admin = gw.auth("acme", "viewer"), gw.auth("acme", "admin")
    await gw.enrol_pending()

    start = _calls(gw)
    answers = await asyncio.gather(*(gw.query(HOME, headers=viewer) for _ in range(6)))
    assert all(a == answers[0] and "errors" not in a for a in answers)
    assert _more(start, _calls(gw)) == (1, 1, 1)

    # Each role is kept apart: the services decide what a role may see.
    as_admin = _calls(gw)
    assert await gw.query(HOME, headers=admin) == answers[0]
    assert _more(as_admin, _calls(gw)) == (1, 1, 1)


async def test_a_change_without_an_event_shows_once_the_answer_is_refreshed(
    metering_service: MeteringService, databases: DatabaseFactory
) -> None:
    await insert_costs(metering_service, [cost_row(date(2024, 5, 3), "10.25", None)])
    settings = gateway_settings(await databases.create("nephos_gateway"), read_cache_seconds=1)
    metering = counting(metering_service.app)
    app = create_app(settings, transports={"metering": metering})
    async with running(app, "http://gateway") as client:
        await enrol(app.state.database, "acme", "admin")
        headers = user_bearer(settings, "acme", "admin")

        async def billed() -> Decimal:
            answer = await client.post("/graphql", json={"query": COST}, headers=headers)
            items = answer.json()["data"]["costSummary"]["items"]
            return sum((Decimal(i["billedCost"]) for i in items), Decimal(0))

        assert await billed() == Decimal("10.25")
        # Rows written straight into metering's database send no event.
        await insert_costs(metering_service, [cost_row(date(2024, 6, 3), "1", None)])
        await insert_costs(metering_service, [cost_row(date(2024, 5, 4), "5.50", None)])
        assert await billed() == Decimal("10.25")
        calls = len(metering.requests)

        # Past its freshness (between half and all of the second), the answer is served
        # once more while one call refreshes it; then the refreshed answer is served.
        await asyncio.sleep(1.02)
        assert await billed() == Decimal("10.25")

        async def refreshed() -> bool:
            return await billed() == Decimal("15.75")

        await until(refreshed)
        assert len(metering.requests) == calls + 1

        # Past twice the time, nothing is served stale: the ask waits for the call.
        await insert_costs(metering_service, [cost_row(date(2024, 5, 5), "2", None)])
        await asyncio.sleep(2.1)
        assert await billed() == Decimal("17.75")
        assert len(metering.requests) == calls + 2


async def test_an_event_of_the_company_drops_its_answers(
    asset_service: AssetService, databases: DatabaseFactory
) -> None:
    """The gateway in the asset service's namespace: the service's own events reach it."""
    settings = gateway_settings(
        await databases.create("nephos_gateway"),
        nats_namespace=asset_service.settings.nats_namespace,
    )
    asset = counting(asset_service.app)
    app = create_app(settings, transports={"asset": asset})
    async with running(app, "http://gateway") as client:
        hub: EventHub = app.state.event_hub
        await asyncio.wait_for(hub.ready.wait(), 10)
        kept: ReadCache = app.state.pools.read_cache
        for tenant in ("acme", "globex"):
            await enrol(app.state.database, tenant, "admin")
        ask = _asker(client, settings)

        await ask("acme")
        await ask("globex")
        before = len(asset.requests)
        forgotten = kept.stats.forgotten

        # A change made at the asset service directly, not through the gateway.
        made = await asset_service.client.post(
            "/service-groups", json={"name": "db"}, headers=asset_service.auth("acme")
        )
        assert made.status_code == 201, made.text
        await until(lambda: kept.stats.forgotten > forgotten)

        await ask("globex")
        assert len(asset.requests) == before
        await ask("acme")
        assert len(asset.requests) == before + 1


def _asker(client: Any, settings: Any) -> Callable[[str], Awaitable[None]]:
    async def ask(tenant: str) -> None:
        headers = user_bearer(settings, tenant, "admin")
        query = {"query": "{ assetSummary { productsTotal } }"}
        answer = await client.post("/graphql", json=query, headers=headers)
        assert "errors" not in answer.json(), answer.text

    return ask


@pytest.fixture
def cache() -> ReadCache:
    return ReadCache(60)


def _fetcher(values: list[int]) -> tuple[Callable[[], Awaitable[int]], list[int]]:
    """A fetch answering ``values`` in turn, and the list of calls it took."""
    calls: list[int] = []

    async def fetch() -> int:
        calls.append(1)
        await asyncio.sleep(0)
        return values[len(calls) - 1]

    return fetch, calls


async def test_a_call_in_flight_when_its_company_changes_is_not_kept(cache: ReadCache) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def slow() -> str:
        started.set()
        await release.wait()
        return "before the change"

    pending = asyncio.ensure_future(cache.get("acme", ("k",), slow))
    await started.wait()
    cache.forget_company("acme")
    release.set()
    assert await pending == "before the change"

    fetch, calls = _fetcher([2])
    assert await cache.get("acme", ("k",), fetch) == 2
    assert calls == [1]


async def test_kept_answers_are_bounded_and_zero_seconds_keeps_none() -> None:
    small = ReadCache(60, max_kept=2)
    for n in range(3):
        fetch, _ = _fetcher([n])
        await small.get("acme", (n,), fetch)
    again, calls = _fetcher([9])
    assert await small.get("acme", (0,), again) == 9  # the first went when the third came
    assert calls == [1]

    off = ReadCache(0)
    fetch, calls = _fetcher([1, 2])
    assert [await off.get("acme", ("k",), fetch) for _ in range(2)] == [1, 2]


async def test_a_stale_answer_is_served_while_its_refresh_fails() -> None:
    cache = ReadCache(1.0)
    outcomes: list[int | Exception] = [1, RuntimeError("down"), 3]
    calls: list[int] = []

    async def fetch() -> int:
        calls.append(1)
        outcome = outcomes[len(calls) - 1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert await cache.get("acme", ("k",), fetch) == 1
    await asyncio.sleep(1.01)  # fresh for at most a second, served for half a second more
    assert await cache.get("acme", ("k",), fetch) == 1  # its refresh starts, and fails
    await asyncio.sleep(0)
    assert calls == [1, 1]
    assert await cache.get("acme", ("k",), fetch) == 1  # still served; it tries again
    await asyncio.sleep(0)
    assert await cache.get("acme", ("k",), fetch) == 3
    assert len(calls) == 3 and cache.stats.stale == 2


async def test_a_failed_call_is_shared_but_not_kept(cache: ReadCache) -> None:
    failures: list[int] = []

    async def failing() -> int:
        failures.append(1)
        await asyncio.sleep(0.01)
        raise RuntimeError("down")

    results = await asyncio.gather(
        *(cache.get("acme", ("k",), failing) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, RuntimeError) for r in results)
    assert failures == [1]
    fetch, _ = _fetcher([7])
    assert await cache.get("acme", ("k",), fetch) == 7
