"""Service groups' daily totals: asset events make them stale in their own transaction,
a job on the work queue rebuilds them, and questions read them once rebuilt.

That the totals equal sums over the line items is proved by ``test_cost_filters``
(every question asked from the line items and from built totals) and that they
follow deliveries and direct writes by ``test_cost_partitions``.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from nephos_common.contracts.asset import ServiceGroupDeleted
from nephos_common.contracts.metering import GroupTotalsRequested
from nephos_common.db import utcnow
from nephos_metering.allocation import consumer, group_totals
from nephos_metering.allocation import repository as allocation
from nephos_metering.costs.filtered import CostFilter
from nephos_metering.costs.readers import totals_scope
from tests.fixtures.metering import MeteringService, outbox_events
from tests.fixtures.monitoring import wait_for
from tests.metering.live import (
    LiveMetering,
    changed,
    cost_row,
    discovered,
    group_named,
    insert_costs,
    membership,
    metering_live,  # noqa: F401
    service_group,
)

MAY = {"from": "2026-10-01", "to": "2026-10-31"}
AMOUNTS = {"i-0aaa": "1.10", "i-0bbb": "2.25", "i-0ccc": "0.333"}
DAYS = 5


async def _load_costs(service: MeteringService) -> None:
    """``DAYS`` days of each resource's amount for acme; ten times as much for globex."""
    for tenant, factor in (("acme", 1), ("globex", 10)):
        rows = [cost_row(date(2026, 10, day), Decimal(amount) * factor, resource)
                for resource, amount in AMOUNTS.items() for day in range(1, DAYS + 1)]  # fmt: skip
        await insert_costs(service, rows, tenant=tenant)


def _expected(*resources: str) -> Decimal:
    return sum((Decimal(AMOUNTS[r]) * DAYS for r in resources), Decimal(0))


async def _group_summary(service: MeteringService, group: uuid.UUID) -> Decimal:
    answer = await service.client.get("/costs/summary", headers=service.auth("acme", "viewer"),
                                      params={**MAY, "service_group_id": str(group)})  # fmt: skip
    assert answer.status_code == 200, answer.text
    return sum((Decimal(i["billed_cost"]) for i in answer.json()["items"]), Decimal(0))


async def _reads_totals(service: MeteringService, group: uuid.UUID) -> bool:
    async with service.app.state.database.transaction() as session:
        scope = await totals_scope(session, "acme", CostFilter(service_group_ids=(group,)))
    return scope is not None


async def _totals_rows(service: MeteringService, group: uuid.UUID) -> int:
    async with service.app.state.database.transaction() as session:
        found = await session.scalar(
            text("SELECT count(*) FROM cost_group_daily_totals WHERE group_id = :g"), {"g": group}
        )
    return int(found)


async def test_membership_events_make_the_totals_stale_and_the_work_queue_rebuilds_them(
    metering_live: LiveMetering,  # noqa: F811
) -> None:
    service = metering_live
    await _load_costs(service)
    assets = {native_id: discovered(native_id=native_id) for native_id in AMOUNTS}
    ids = {native_id: e.data["asset_id"] for native_id, e in assets.items()}
    group = uuid.uuid4()

    await service.publish(*assets.values(), group_named(group, "shop"),
                          membership(group, [ids["i-0aaa"], ids["i-0bbb"]], []))  # fmt: skip
    await wait_for(lambda: _reads_totals(service, group), bool, timeout=30)

    assert await _group_summary(service, group) == _expected("i-0aaa", "i-0bbb")
    # 2 resources' rows, one account: 5 days x 4 dimensions, one key each (same service)
    assert await _totals_rows(service, group) == DAYS * 4

    await service.publish(membership(group, [ids["i-0ccc"]], [ids["i-0bbb"]]))
    await wait_for(lambda: _group_summary(service, group),
                   lambda total: total == _expected("i-0aaa", "i-0ccc"), timeout=30)  # fmt: skip
    await wait_for(lambda: _reads_totals(service, group), bool, timeout=30)
    assert await _group_summary(service, group) == _expected("i-0aaa", "i-0ccc")


async def _handle(service: MeteringService, *envelopes: Any) -> None:
    """Asset events through the projection's handler, each in its own transaction."""
    for envelope in envelopes:
        async with service.app.state.database.transaction() as session:
            await consumer.handle(session, envelope)


async def _build(service: MeteringService, group: uuid.UUID) -> int | None:
    async with service.app.state.database.transaction() as session:
        return await group_totals.build(session, "acme", group)


async def _jobs(service: MeteringService) -> list[tuple[str, str]]:
    jobs = await outbox_events(service, GroupTotalsRequested.event_type)
    return [(j["tenant"], j["data"]["group_id"]) for j in jobs]


async def test_a_rebuild_serves_every_change_queued_before_it(
    metering_service: MeteringService,
) -> None:
    service = metering_service
    await _load_costs(service)
    group = await service_group(service, ["i-0aaa"], built=False)
    assert await _jobs(service) == [("acme", str(group))]
    assert not await _reads_totals(service, group)

    async with service.app.state.database.transaction() as session:
        await group_totals.stale(session, "acme", [group])
    first, second = await _build(service, group), await _build(service, group)

    assert (first, second) == (DAYS * 4, None)
    assert len(await _jobs(service)) == 2
    assert await _reads_totals(service, group)
    assert await _group_summary(service, group) == _expected("i-0aaa")  # not globex's rows


async def test_an_asset_seen_after_its_membership_changes_its_groups(
    metering_service: MeteringService,
) -> None:
    service = metering_service
    await _load_costs(service)
    late = discovered(native_id="i-0bbb")
    group = await service_group(service, ["i-0aaa"], built=True)
    await _handle(service, membership(group, [late.data["asset_id"]], []))
    assert await _build(service, group) == DAYS * 4  # i-0bbb not seen yet: no keys
    assert await _group_summary(service, group) == _expected("i-0aaa")

    await _handle(service, late)
    stale = await _reads_totals(service, group)
    assert await _group_summary(service, group) == _expected("i-0aaa", "i-0bbb")
    await _build(service, group)
    same_keys = changed(late.data, name="renamed")
    await _handle(service, same_keys)

    assert not stale
    assert await _reads_totals(service, group)  # a change of name is not one of keys
    assert await _group_summary(service, group) == _expected("i-0aaa", "i-0bbb")
    assert len(await _jobs(service)) == 3  # made, membership, first sighting


async def test_a_deleted_group_loses_its_totals(metering_service: MeteringService) -> None:
    service = metering_service
    await _load_costs(service)
    group = await service_group(service, ["i-0aaa", "i-0ccc"], built=True)
    kept = await service_group(service, ["i-0aaa"], built=True)
    assert await _totals_rows(service, group) > 0

    gone = ServiceGroupDeleted(group_id=group, name="shop").envelope(tenant="acme", source="asset")
    await _handle(service, gone)

    assert await _totals_rows(service, group) == 0
    assert await _totals_rows(service, kept) == DAYS * 4
    assert await _build(service, group) is None


async def _waiting_for_a_lock(service: MeteringService) -> bool:
    """Whether a session of the service's database waits for a lock (a transaction of its
    own: activity is read once per transaction)."""
    async with service.app.state.database.transaction() as session:
        found = await session.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock'"
        ))  # fmt: skip
    return bool(found)


async def test_a_membership_change_during_a_rebuild_waits_and_leaves_it_stale(
    metering_service: MeteringService,
) -> None:
    """Else the rebuild, reading the old members, would mark totals ready that the change
    made stale."""
    service = metering_service
    await _load_costs(service)
    group = await service_group(service, ["i-0aaa"], built=False)
    database = service.app.state.database

    async with database.transaction() as building:
        assert await group_totals.build(building, "acme", group) == DAYS * 4

        async def change() -> None:
            async with database.transaction() as session:
                await allocation.make_stale(session, "acme", [group])

        changing = asyncio.create_task(change())
        await wait_for(lambda: _waiting_for_a_lock(service), bool)
        assert not changing.done()
    await changing

    assert not await _reads_totals(service, group)


async def test_group_costs_read_built_totals_and_answer_as_the_line_items_do(
    metering_service: MeteringService,
) -> None:
    service = metering_service
    await _load_costs(service)
    members = ["i-0aaa", "i-0ccc", "i-0ccc"]  # two assets claim i-0ccc: its rows count once
    built = await service_group(service, members, built=True)
    stale = await service_group(service, members, built=False)
    headers = service.auth("acme", "viewer")

    batch = await service.client.get("/service-group-costs", headers=headers,
                                     params={**MAY, "ids": f"{built},{stale}"})  # fmt: skip
    one = {g: await service.client.get(f"/service-group-costs/{g}", params=MAY, headers=headers)
           for g in (built, stale)}  # fmt: skip

    assert batch.status_code == 200, batch.text
    from_totals, from_items = batch.json()["items"]
    figures = ("totals", "by_service", "daily")
    assert [from_totals[f] for f in figures] == [from_items[f] for f in figures]
    assert Decimal(from_totals["totals"][0]["billed_cost"]) == _expected("i-0aaa", "i-0ccc")
    assert len(from_totals["daily"]) == DAYS
    assert [one[built].json()[f] for f in figures] == [one[stale].json()[f] for f in figures]
    assert [(m["native_id"], m["totals"]) for m in one[built].json()["members"]] == [
        (m["native_id"], m["totals"]) for m in one[stale].json()["members"]
    ]
    assert sorted(Decimal(m["totals"][0]["billed_cost"]) for m in one[built].json()["members"]) == [
        _expected("i-0ccc"), _expected("i-0ccc"), _expected("i-0aaa")
    ]  # fmt: skip


async def test_the_sweep_queues_again_the_rebuild_of_groups_long_stale(
    metering_service: MeteringService,
) -> None:
    """A job lost, or dropped after failing too often, must not leave a group stale for good."""
    service = metering_service
    database = service.app.state.database
    waiting = await service_group(service, ["i-0aaa"], built=False)
    just_changed = await service_group(service, ["i-0bbb"], built=False)
    built = await service_group(service, ["i-0ccc"], built=True)
    theirs = await service_group(service, ["i-0aaa"], tenant="globex", built=False)
    async with database.transaction() as session:
        await session.execute(
            text("UPDATE allocation_groups SET totals_stale_since = now() - interval '1 hour'"
                 " WHERE group_id = ANY(:old)"), {"old": [waiting, theirs, built]},
        )  # fmt: skip
    queued_before = len(await _jobs(service))

    requeued = await group_totals.requeue_long_stale(database)
    again = await group_totals.requeue_long_stale(database)  # each waits from now again

    assert (requeued, again) == (2, 0)
    assert sorted((await _jobs(service))[queued_before:]) == sorted(
        [("acme", str(waiting)), ("globex", str(theirs))]
    )
    later = await group_totals.requeue_long_stale(database, now=utcnow() + timedelta(hours=1))
    assert later == 3  # the two again, and the one just changed then; never the built one
    assert sorted((await _jobs(service))[-3:]) == sorted(
        [("acme", str(waiting)), ("globex", str(theirs)), ("acme", str(just_changed))]
    )
