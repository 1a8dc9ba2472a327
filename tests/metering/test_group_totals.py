"""Service groups' daily totals: asset events adjust them in their own transaction, or make
them stale for a job on the work queue to rebuild; questions read them while they hold.

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

import pytest
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


async def test_membership_events_from_nats_adjust_the_totals(
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


_GROUP_ROWS = (
    "SELECT account_id, dimension, day, billing_currency, key, billed_cost, effective_cost,"
    " row_count FROM cost_group_daily_totals WHERE group_id = :g ORDER BY 1, 2, 3, 4, 5"
)


async def _adjusted_and_rebuilt(service: MeteringService, group: uuid.UUID) -> tuple[bool, bool]:
    """Whether the group's totals as adjusted hold rows, and equal those a rebuild from the
    line items makes (the rebuild is rolled back)."""
    async with service.app.state.database.sessions() as session:
        kept = (await session.execute(text(_GROUP_ROWS), {"g": group})).all()
        await session.execute(text("SELECT cost_group_totals_build('acme', :g)"), {"g": group})
        rebuilt = (await session.execute(text(_GROUP_ROWS), {"g": group})).all()
        await session.rollback()
    return bool(kept), kept == rebuilt


async def test_an_asset_seen_after_its_membership_adjusts_its_groups(
    metering_service: MeteringService,
) -> None:
    service = metering_service
    await _load_costs(service)
    late = discovered(native_id="i-0bbb")
    group = await service_group(service, ["i-0aaa"], built=True)
    await _handle(service, membership(group, [late.data["asset_id"]], []))
    assert await _group_summary(service, group) == _expected("i-0aaa")  # i-0bbb: no keys yet

    await _handle(service, late)
    adjusted = await _reads_totals(service, group)
    assert await _group_summary(service, group) == _expected("i-0aaa", "i-0bbb")
    await _handle(service, changed(late.data, name="renamed"))  # a change of name, not keys

    assert adjusted
    assert await _reads_totals(service, group)
    assert await _group_summary(service, group) == _expected("i-0aaa", "i-0bbb")
    assert await _build(service, group) is None  # nothing left to rebuild
    assert len(await _jobs(service)) == 1  # made stale by the helper, none since
    assert await _adjusted_and_rebuilt(service, group) == (True, True)


async def test_a_membership_change_adjusts_the_totals_in_its_own_transaction(
    metering_service: MeteringService,
) -> None:
    """Keys claimed by two members count once: removing one member keeps the key's rows."""
    service = metering_service
    await _load_costs(service)
    assets = [discovered(native_id=n) for n in ("i-0aaa", "i-0bbb", "i-0ccc", "i-0ccc")]
    ids = [a.data["asset_id"] for a in assets]
    group = uuid.uuid4()
    await _handle(service, *assets, group_named(group, "shop"))

    sums = []
    for added, removed in (([ids[0], ids[2], ids[3]], []), ([ids[1]], [ids[0], ids[2]]),
                           ([], [ids[3]])):  # fmt: skip
        await _handle(service, membership(group, added, removed))
        assert await _reads_totals(service, group)
        sums.append(await _group_summary(service, group))
        assert await _adjusted_and_rebuilt(service, group) == (True, True)

    assert sums == [_expected("i-0aaa", "i-0ccc"), _expected("i-0bbb", "i-0ccc"),
                    _expected("i-0bbb")]  # fmt: skip
    assert await _jobs(service) == []


async def test_a_change_of_too_many_keys_or_of_a_stale_group_is_left_to_a_rebuild(
    metering_service: MeteringService, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = metering_service
    await _load_costs(service)
    assets = [discovered(native_id=n) for n in AMOUNTS]
    ids = [a.data["asset_id"] for a in assets]
    big, small = uuid.uuid4(), uuid.uuid4()
    await _handle(service, *assets, group_named(big, "big"), group_named(small, "small"))
    monkeypatch.setattr(group_totals, "MAX_ADJUSTED_KEYS", 2)

    await _handle(service, membership(big, ids, []), membership(small, ids[:1], []))
    async with service.app.state.database.transaction() as session:
        await group_totals.stale(session, "acme", [small])
    await _handle(service, membership(small, ids[1:2], []))

    assert not await _reads_totals(service, big)
    assert not await _reads_totals(service, small)
    assert sorted(await _jobs(service)) == sorted([("acme", str(big))] + [("acme", str(small))] * 2)
    assert (await _build(service, big), await _build(service, small)) == (DAYS * 4, DAYS * 4)
    assert await _group_summary(service, big) == _expected(*AMOUNTS)
    assert await _group_summary(service, small) == _expected("i-0aaa", "i-0bbb")


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
